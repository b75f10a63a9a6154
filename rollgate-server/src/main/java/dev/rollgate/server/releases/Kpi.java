package dev.rollgate.server.releases;

import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.server.health.CohortStats;
import dev.rollgate.server.monitor.PushedMetrics;
import dev.rollgate.stats.Arm;
import dev.rollgate.stats.Comparison;
import dev.rollgate.stats.Quantiles;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The post-checks' KPI comparison: before the release (the control, in a window before its start)
 * against after (the treatment, in the post-check window). Each KPI passes unless the data show it
 * worse beyond noise, so that chance alone does not fail a release:
 *
 * <ul>
 *   <li>error rate: not above the baseline; fails when a one-sided two-proportion test at {@link
 *       #ALPHA} finds it higher;
 *   <li>p95: not above the baseline's by more than the plan's tolerance; fails when the lower end
 *       of after's distribution-free 95% interval (rollgate-stats {@link Quantiles}) is above the
 *       upper end of the baseline's times 1 + tolerance;
 *   <li>each custom metric: fails when Welch's t-test at {@link #ALPHA} finds it worse in the
 *       direction the plan names.
 * </ul>
 *
 * A KPI without enough data on either side is INSUFFICIENT_DATA, which does not fail.
 */
final class Kpi {
  static final double ALPHA = 0.05;
  private static final long MIN_REQUESTS = 30;

  private Kpi() {}

  /** The comparison and whether it passed: {@code passed} false only when a KPI FAILs. */
  record Result(boolean passed, Map<String, Object> json) {}

  static Result compare(
      ReleasePlan plan,
      long beforeFrom,
      long beforeTo,
      long afterFrom,
      long afterTo,
      CohortStats before,
      CohortStats after,
      Map<String, List<PushedMetrics.Value>> metricsBefore,
      Map<String, List<PushedMetrics.Value>> metricsAfter) {
    List<Map<String, Object>> kpis = new ArrayList<>();
    kpis.add(errorRate(before, after));
    kpis.add(p95(before.latency(), after.latency(), plan.p95Tolerance()));
    for (ReleasePlan.KpiMetric m : plan.kpiMetrics()) {
      kpis.add(
          metric(
              m,
              metricsBefore.getOrDefault(m.name(), List.of()),
              metricsAfter.getOrDefault(m.name(), List.of())));
    }
    boolean passed = kpis.stream().noneMatch(k -> "FAIL".equals(k.get("status")));
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("passed", passed);
    json.put("alpha", ALPHA);
    json.put(
        "before",
        Map.of(
            "from", java.time.Instant.ofEpochMilli(beforeFrom).toString(),
            "to", java.time.Instant.ofEpochMilli(beforeTo).toString()));
    json.put(
        "after",
        Map.of(
            "from", java.time.Instant.ofEpochMilli(afterFrom).toString(),
            "to", java.time.Instant.ofEpochMilli(afterTo).toString()));
    json.put("kpis", kpis);
    return new Result(passed, json);
  }

  private static Map<String, Object> errorRate(CohortStats before, CohortStats after) {
    Map<String, Object> k = kpi("errorRate", "error rate not above the baseline");
    k.put("before", before.requests() == 0 ? null : before.errorRate());
    k.put("after", after.requests() == 0 ? null : after.errorRate());
    k.put("beforeRequests", before.requests());
    k.put("afterRequests", after.requests());
    if (before.requests() < MIN_REQUESTS || after.requests() < MIN_REQUESTS) {
      k.put("status", "INSUFFICIENT_DATA");
      return k;
    }
    Comparison.Result r =
        Comparison.compare(
            Arm.proportion(before.errors(), before.requests()),
            Arm.proportion(after.errors(), after.requests()),
            new Comparison.Options(
                Comparison.Metric.PROPORTION, false, Comparison.Alternative.GREATER, ALPHA, null));
    k.put("difference", r.effect());
    k.put("interval", java.util.Arrays.asList(r.lower(), r.upper())); // one-sided: one end is null
    k.put("pValue", r.pValue());
    k.put("status", r.status() == Comparison.Status.OK && r.pValue() < ALPHA ? "FAIL" : "PASS");
    return k;
  }

  private static Map<String, Object> p95(
      LatencyHistogram before, LatencyHistogram after, double tolerance) {
    Map<String, Object> k =
        kpi("p95", "p95 not above the baseline + " + Math.round(tolerance * 100) + "%");
    k.put("before", before.isEmpty() ? null : before.quantile(0.95));
    k.put("after", after.isEmpty() ? null : after.quantile(0.95));
    if (before.count() < MIN_REQUESTS || after.count() < MIN_REQUESTS) {
      k.put("status", "INSUFFICIENT_DATA");
      return k;
    }
    List<Double> b = interval(before);
    List<Double> a = interval(after);
    double limit = b.get(1) * (1 + tolerance);
    k.put("beforeInterval", b);
    k.put("afterInterval", a);
    k.put("limit", limit);
    k.put("status", a.get(0) > limit ? "FAIL" : "PASS");
    return k;
  }

  /** The 95% distribution-free interval of a histogram's p95, in ms. */
  private static List<Double> interval(LatencyHistogram h) {
    Quantiles.Ranks r = Quantiles.rankInterval(h.count(), 0.95, ALPHA);
    double last = h.count() - 1.0;
    return List.of(h.quantile(r.lower() / last), h.quantile(r.upper() / last));
  }

  private static Map<String, Object> metric(
      ReleasePlan.KpiMetric m, List<PushedMetrics.Value> before, List<PushedMetrics.Value> after) {
    Map<String, Object> k =
        kpi(
            "metric:" + m.name(),
            m.name() + " not " + (m.higherIsBetter() ? "lower" : "higher") + " than the baseline");
    Arm b = arm(before);
    Arm a = arm(after);
    k.put("before", before.isEmpty() ? null : b.mean());
    k.put("after", after.isEmpty() ? null : a.mean());
    k.put("beforeValues", before.size());
    k.put("afterValues", after.size());
    if (before.size() < 2 || after.size() < 2) {
      k.put("status", "INSUFFICIENT_DATA");
      return k;
    }
    Comparison.Result r =
        Comparison.compare(
            b,
            a,
            new Comparison.Options(
                Comparison.Metric.MEAN,
                false,
                m.higherIsBetter() ? Comparison.Alternative.LESS : Comparison.Alternative.GREATER,
                ALPHA,
                null));
    k.put("difference", r.effect());
    k.put("interval", java.util.Arrays.asList(r.lower(), r.upper())); // one-sided: one end is null
    k.put("pValue", r.pValue());
    k.put("status", r.status() == Comparison.Status.OK && r.pValue() < ALPHA ? "FAIL" : "PASS");
    return k;
  }

  private static Arm arm(List<PushedMetrics.Value> values) {
    double sum = 0;
    double squares = 0;
    for (PushedMetrics.Value v : values) {
      sum += v.value();
      squares += v.value() * v.value();
    }
    return new Arm(values.size(), sum, squares);
  }

  private static Map<String, Object> kpi(String name, String rule) {
    Map<String, Object> k = new LinkedHashMap<>();
    k.put("name", name);
    k.put("rule", rule);
    return k;
  }
}

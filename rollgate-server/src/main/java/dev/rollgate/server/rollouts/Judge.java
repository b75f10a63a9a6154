package dev.rollgate.server.rollouts;

import dev.rollgate.server.health.CohortStats;
import dev.rollgate.stats.ConfidenceSequence;
import dev.rollgate.stats.Normal;
import dev.rollgate.stats.Proportions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Judges one window of a rollout: pure, so the same code serves the controller and the statistical
 * tests.
 *
 * <p>The checks, each PASS, FAIL, INCONCLUSIVE or SKIPPED:
 *
 * <ul>
 *   <li>{@code canaryErrorRate}: FAIL when the lower bound of the window's Wilson interval for the
 *       canary's error rate is above the limit (a clear breach now); INCONCLUSIVE while the upper
 *       bound of the stage's interval is still above it (the stage cannot yet show it is under).
 *   <li>{@code canaryP99}: FAIL when the canary's p99 in the window is over the limit, with at
 *       least {@code minSamples} requests in the window.
 *   <li>{@code errorRateVsControl}: canary minus control error rate over the stage so far, with an
 *       asymptotic confidence sequence (rollgate-stats {@link ConfidenceSequence}) at the stage's
 *       share of alpha. The sequence holds at every window at once, so looking every window does
 *       not inflate false rollbacks; FAIL when its lower bound is above the tolerance. INCONCLUSIVE
 *       when only a single-look (fixed-horizon) one-sided test at the same alpha finds the canary
 *       worse: not proof enough to roll back, but no reason to advance either.
 *   <li>{@code p99VsControl}: FAIL when the canary's p99 over the stage exceeds {@code maxP99Ratio}
 *       times the control's, with at least ten times {@code minSamples} requests in each cohort (a
 *       p99 needs many requests to be stable). A plain threshold, not a sequential test.
 * </ul>
 *
 * <p>The verdict: FAIL if any check fails; else INSUFFICIENT_DATA if the window has no canary
 * requests or the stage has fewer than its minimum per cohort; else INCONCLUSIVE if a check is;
 * else PASS. At 100% there is no control cohort, and the comparisons are skipped.
 */
public final class Judge {
  private Judge() {}

  /** A verdict with what it rests on; {@code toJson} is what rollouts show and audit. */
  public record Evidence(
      Verdict verdict,
      String summary,
      long windowStart,
      long windowEnd,
      Map<String, Object> cohorts,
      List<Map<String, Object>> checks) {

    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("verdict", verdict.name());
      json.put("summary", summary);
      json.put("windowStart", java.time.Instant.ofEpochMilli(windowStart).toString());
      json.put("windowEnd", java.time.Instant.ofEpochMilli(windowEnd).toString());
      json.put("cohorts", cohorts);
      json.put("checks", checks);
      return json;
    }

    public static Evidence error(long from, long to, String message) {
      return new Evidence(Verdict.ERROR, message, from, to, Map.of(), List.of());
    }
  }

  static Evidence judge(
      RolloutPlan plan,
      int stageIndex,
      long windowStart,
      long windowEnd,
      CohortStats canaryWindow,
      CohortStats controlWindow,
      CohortStats canaryStage,
      CohortStats controlStage) {
    return judge(
        plan.checks(),
        plan.stages().get(stageIndex),
        plan.stageAlpha(),
        plan.stages().get(stageIndex).percent() < 100,
        List.of(),
        windowStart,
        windowEnd,
        canaryWindow,
        controlWindow,
        canaryStage,
        controlStage);
  }

  /**
   * A value that must stay at or under its limit (a release's custom metric, such as a consumer's
   * lag); over it, the window is DEGRADED. A null value (nothing reported) is SKIPPED.
   */
  public record Limit(String name, Double observed, double max) {}

  /**
   * Judges one window of {@code stage} with {@code checks}; {@code hasControl} says whether anyone
   * is left on the control to compare with, and {@code limits} are further values that pause when
   * over.
   */
  public static Evidence judge(
      RolloutPlan.Checks c,
      RolloutPlan.Stage stage,
      double alpha,
      boolean hasControl,
      List<Limit> limits,
      long windowStart,
      long windowEnd,
      CohortStats canaryWindow,
      CohortStats controlWindow,
      CohortStats canaryStage,
      CohortStats controlStage) {
    List<Map<String, Object>> checks = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<String> degraded = new ArrayList<>();
    boolean inconclusive = false;

    // Absolute error rate.
    Proportions.Interval windowRate =
        Proportions.wilson(canaryWindow.errors(), canaryWindow.requests(), alpha);
    Proportions.Interval stageRate =
        Proportions.wilson(canaryStage.errors(), canaryStage.requests(), alpha);
    String status;
    if (canaryWindow.requests() > 0 && windowRate.lower() > c.maxErrorRate()) {
      status = "FAIL";
      failures.add(
          String.format(
              "canary error rate %.2f%% (at least %.2f%%) is over the limit %.2f%%",
              100 * canaryWindow.errorRate(), 100 * windowRate.lower(), 100 * c.maxErrorRate()));
    } else if (canaryStage.requests() == 0 || stageRate.upper() > c.maxErrorRate()) {
      status = "INCONCLUSIVE";
      inconclusive = true;
    } else {
      status = "PASS";
    }
    checks.add(
        check(
            "canaryErrorRate",
            status,
            canaryWindow.errorRate(),
            c.maxErrorRate(),
            Map.of("windowInterval", interval(windowRate), "stageInterval", interval(stageRate))));

    // Absolute p99.
    double canaryP99 = canaryWindow.latency().quantile(0.99);
    if (canaryWindow.latency().count() < c.minSamples()) {
      status = "SKIPPED";
    } else if (canaryP99 > c.maxP99Ms()) {
      status = "FAIL";
      failures.add(
          String.format("canary p99 %.1f ms is over the limit %.1f ms", canaryP99, c.maxP99Ms()));
    } else {
      status = "PASS";
    }
    checks.add(check("canaryP99", status, canaryP99, c.maxP99Ms(), Map.of()));

    // Pause thresholds: a clear breach pauses (a person decides) where the limits above roll back.
    if (c.pauseErrorRate() != null) {
      if (canaryWindow.requests() > 0 && windowRate.lower() > c.pauseErrorRate()) {
        status = "DEGRADED";
        degraded.add(
            String.format(
                "canary error rate %.2f%% (at least %.2f%%) is over the pause threshold %.2f%%",
                100 * canaryWindow.errorRate(),
                100 * windowRate.lower(),
                100 * c.pauseErrorRate()));
      } else {
        status = canaryWindow.requests() == 0 ? "SKIPPED" : "PASS";
      }
      checks.add(
          check(
              "canaryErrorRatePause",
              status,
              canaryWindow.errorRate(),
              c.pauseErrorRate(),
              Map.of()));
    }
    if (c.pauseP95Ms() != null) {
      double canaryP95 = canaryWindow.latency().quantile(0.95);
      if (canaryWindow.latency().count() < c.minSamples()) {
        status = "SKIPPED";
      } else if (canaryP95 > c.pauseP95Ms()) {
        status = "DEGRADED";
        degraded.add(
            String.format(
                "canary p95 %.1f ms is over the pause threshold %.1f ms",
                canaryP95, c.pauseP95Ms()));
      } else {
        status = "PASS";
      }
      checks.add(check("canaryP95", status, canaryP95, c.pauseP95Ms(), Map.of()));
    }
    for (Limit limit : limits) {
      if (limit.observed() == null) {
        status = "SKIPPED";
      } else if (limit.observed() > limit.max()) {
        status = "DEGRADED";
        degraded.add(
            String.format(
                "%s %s is over its limit %s",
                limit.name(), plain(limit.observed()), plain(limit.max())));
      } else {
        status = "PASS";
      }
      checks.add(check("metric:" + limit.name(), status, limit.observed(), limit.max(), Map.of()));
    }

    // Error rate against the control, sequentially over the stage.
    if (!c.compareErrorRate() || !hasControl) {
      checks.add(check("errorRateVsControl", "SKIPPED", null, null, Map.of()));
    } else if (canaryStage.requests() < c.minSamples()
        || controlStage.requests() < c.minSamples()) {
      checks.add(check("errorRateVsControl", "SKIPPED", null, null, Map.of("reason", "too few")));
    } else {
      double diff = canaryStage.errorRate() - controlStage.errorRate();
      double variance =
          Proportions.differenceVariance(
              canaryStage.errors(),
              canaryStage.requests(),
              controlStage.errors(),
              controlStage.requests());
      double t = canaryStage.requests() + controlStage.requests();
      double half =
          ConfidenceSequence.halfWidth(
              variance, t, ConfidenceSequence.rho(c.nStar(), alpha), alpha);
      double fixedHorizon = Normal.quantile(1 - alpha) * Math.sqrt(variance);
      if (diff - half > c.errorRateTolerance()) {
        status = "FAIL";
        failures.add(
            String.format(
                "canary error rate %.2f%% is above the control's %.2f%% (difference at least"
                    + " %.2f points, always-valid at alpha %.4f)",
                100 * canaryStage.errorRate(),
                100 * controlStage.errorRate(),
                100 * (diff - half),
                alpha));
      } else if (diff - fixedHorizon > c.errorRateTolerance()) {
        status = "INCONCLUSIVE"; // worse at a single look, not yet at every look: keep watching
        inconclusive = true;
      } else {
        status = "PASS";
      }
      checks.add(
          check(
              "errorRateVsControl",
              status,
              diff,
              c.errorRateTolerance(),
              Map.of("interval", List.of(diff - half, diff + half), "alpha", alpha)));
    }

    // p99 against the control over the stage.
    long p99Samples = 10 * c.minSamples();
    if (!c.compareP99() || !hasControl) {
      checks.add(check("p99VsControl", "SKIPPED", null, null, Map.of()));
    } else if (canaryStage.latency().count() < p99Samples
        || controlStage.latency().count() < p99Samples) {
      checks.add(check("p99VsControl", "SKIPPED", null, null, Map.of("reason", "too few")));
    } else {
      double canary = canaryStage.latency().quantile(0.99);
      double control = controlStage.latency().quantile(0.99);
      double ratio = control > 0 ? canary / control : 1;
      if (ratio > c.maxP99Ratio()) {
        status = "FAIL";
        failures.add(
            String.format(
                "canary p99 %.1f ms is %.2f times the control's %.1f ms (limit %.2f)",
                canary, ratio, control, c.maxP99Ratio()));
      } else {
        status = "PASS";
      }
      checks.add(check("p99VsControl", status, ratio, c.maxP99Ratio(), Map.of()));
    }

    Map<String, Object> cohorts = new LinkedHashMap<>();
    cohorts.put("canary", cohort(canaryWindow, canaryStage, alpha));
    cohorts.put("control", cohort(controlWindow, controlStage, alpha));

    Verdict verdict;
    String summary;
    boolean enough =
        canaryWindow.requests() > 0
            && canaryStage.requests() >= stage.minRequests()
            && (!hasControl || controlStage.requests() >= stage.minRequests());
    if (!failures.isEmpty()) {
      verdict = Verdict.FAIL;
      summary = String.join("; ", failures);
    } else if (!degraded.isEmpty()) {
      verdict = Verdict.DEGRADED;
      summary = String.join("; ", degraded);
    } else if (!enough) {
      verdict = Verdict.INSUFFICIENT_DATA;
      summary =
          String.format(
              "not enough requests: canary %d in the window, %d in the stage; control %d in the"
                  + " stage; the stage needs %d per cohort",
              canaryWindow.requests(),
              canaryStage.requests(),
              controlStage.requests(),
              stage.minRequests());
    } else if (inconclusive) {
      verdict = Verdict.INCONCLUSIVE;
      summary =
          "not yet clear: "
              + String.join(
                  ", ",
                  checks.stream()
                      .filter(x -> x.get("status").equals("INCONCLUSIVE"))
                      .map(x -> (String) x.get("name"))
                      .toList());
    } else {
      verdict = Verdict.PASS;
      summary = "every check passed";
    }
    return new Evidence(verdict, summary, windowStart, windowEnd, cohorts, checks);
  }

  private static String plain(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static Map<String, Object> cohort(CohortStats window, CohortStats stage, double alpha) {
    Map<String, Object> json = new LinkedHashMap<>();
    Map<String, Object> w = window.toJson();
    w.put(
        "errorRateInterval",
        interval(Proportions.wilson(window.errors(), window.requests(), alpha)));
    json.put("window", w);
    json.put("stage", stage.toJson());
    return json;
  }

  private static List<Double> interval(Proportions.Interval i) {
    return List.of(i.lower(), i.upper());
  }

  private static Map<String, Object> check(
      String name, String status, Double observed, Double threshold, Map<String, Object> more) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("name", name);
    json.put("status", status);
    json.put("observed", observed);
    json.put("threshold", threshold);
    json.putAll(more);
    return json;
  }
}

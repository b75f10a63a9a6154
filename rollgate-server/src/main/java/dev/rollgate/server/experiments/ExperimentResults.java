package dev.rollgate.server.experiments;

import dev.rollgate.server.health.CohortStats;
import dev.rollgate.server.health.Outcomes;
import dev.rollgate.server.store.Database;
import dev.rollgate.stats.Arm;
import dev.rollgate.stats.Bayesian;
import dev.rollgate.stats.Comparison;
import dev.rollgate.stats.MultipleTesting;
import dev.rollgate.stats.SampleRatio;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment's results: per metric and variant, n, mean, the absolute and relative effect
 * against the control with intervals and p-values (sequential unless the experiment has a planned
 * sample size; CUPED when units have pre-period data), the running minimum of each sequential
 * p-value, Holm and Benjamini–Hochberg adjusted p-values, a Bayesian summary, the sample-ratio
 * check, and the decision.
 *
 * <p>The decision: {@code no_ship} on a sample-ratio mismatch (the assignment is broken), when a
 * guardrail got significantly worse, or when every treatment lost on the primary metric or the
 * experiment stopped without a winner; {@code ship} when a treatment won on the primary metric
 * (Holm-adjusted over the treatments, in the hypothesised direction); else {@code keep_running}. A
 * fixed-horizon experiment keeps running until every variant reached its planned size.
 */
public final class ExperimentResults {
  private final Database db;
  private final Outcomes outcomes;
  private final Clock clock;

  public ExperimentResults(Database db, Outcomes outcomes, Clock clock) {
    this.db = db;
    this.outcomes = outcomes;
    this.clock = clock;
  }

  /** The JSON of one comparison, as {@code POST /api/v1/analysis} answers it. */
  static Map<String, Object> comparisonJson(Comparison.Result r) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("status", r.status().code());
    json.put("effect", r.effect());
    json.put("standardError", r.standardError());
    json.put("ci", r.status() == Comparison.Status.OK ? Arrays.asList(r.lower(), r.upper()) : null);
    json.put("pValue", r.pValue());
    if (r.theta() != null) {
      json.put("theta", r.theta());
    }
    if (r.degreesOfFreedom() != null) {
      json.put("degreesOfFreedom", r.degreesOfFreedom());
    }
    return json;
  }

  /** One treatment against the control on one metric. */
  private record Row(
      String metric,
      String variant,
      boolean guardrail,
      String goodDirection,
      Comparison.Result absolute,
      Comparison.Result relative,
      Double sequentialP) {

    /** The p-value the decision uses: the running minimum when sequential. */
    Double p() {
      return sequentialP != null ? sequentialP : absolute.pValue();
    }

    boolean better() {
      return absolute.effect() != null
          && (goodDirection.equals("increase") ? absolute.effect() > 0 : absolute.effect() < 0);
    }

    boolean worse() {
      return absolute.effect() != null
          && (goodDirection.equals("increase") ? absolute.effect() < 0 : absolute.effect() > 0);
    }
  }

  Map<String, Object> compute(Experiment e) {
    ExperimentDefinition d = e.definition();
    boolean sequential = d.plannedSampleSize() == null;
    Map<String, Map<String, ExperimentStore.Stats>> stats =
        db.inTransaction(tx -> ExperimentStore.stats(tx, e.id()));
    Map<String, MetricDefinition> metrics = new LinkedHashMap<>();
    db.inTransaction(tx -> {
      for (String key : d.metrics()) {
        MetricService.find(tx, e.project(), key).ifPresent(m -> metrics.put(key, m));
      }
      return null;
    });
    Map<String, CohortStats> requests =
        e.startedAt() == null
            ? Map.of()
            : outcomes.byVariant(
                e.project(),
                e.environment(),
                e.flag(),
                e.startedAt() - e.startedAt() % 1000, // outcomes are kept per second
                e.stoppedAt() == null ? clock.millis() + 1 : e.stoppedAt());

    // Units per variant, and the sample-ratio check against the planned weights.
    List<String> variants = new ArrayList<>(d.variants().keySet());
    long[] observed = new long[variants.size()];
    double[] weights = new double[variants.size()];
    Map<String, Object> units = new LinkedHashMap<>();
    for (int i = 0; i < variants.size(); i++) {
      ExperimentStore.Stats s =
          stats.getOrDefault(variants.get(i), Map.of()).get(ExperimentStore.UNITS);
      observed[i] = s == null ? 0 : s.n();
      weights[i] = Math.max(d.variants().get(variants.get(i)), 1e-9);
      units.put(variants.get(i), observed[i]);
    }
    SampleRatio.Result srm = SampleRatio.test(observed, weights);

    List<Row> rows = new ArrayList<>();
    for (String key : d.metrics()) {
      MetricDefinition m = metrics.get(key);
      if (m == null) {
        continue; // deleted since
      }
      boolean guardrail = !key.equals(d.primaryMetric());
      String good = guardrail ? opposite(d.guardrails().get(key)) : d.direction();
      for (String variant : variants) {
        if (variant.equals(d.control())) {
          continue;
        }
        Comparison.Result absolute = compare(m, d, stats, requests, variant, false, sequential);
        Comparison.Result relative = compare(m, d, stats, requests, variant, true, sequential);
        Double sequentialP = null;
        if (sequential && absolute.pValue() != null) {
          double p = absolute.pValue();
          sequentialP = db.inTransaction(tx -> ExperimentStore.look(tx, e.id(), variant, key, p));
        }
        rows.add(new Row(key, variant, guardrail, good, absolute, relative, sequentialP));
      }
    }
    List<Row> primary = rows.stream().filter(r -> !r.guardrail()).toList();
    List<Row> guards = rows.stream().filter(Row::guardrail).toList();
    double[] primaryHolm = MultipleTesting.holm(pValues(primary));
    double[] primaryBh = MultipleTesting.benjaminiHochberg(pValues(primary));
    double[] guardHolm = MultipleTesting.holm(pValues(guards));
    double[] guardBh = MultipleTesting.benjaminiHochberg(pValues(guards));

    Map<String, Object> decision =
        decide(e, d, srm, primary, primaryHolm, guards, guardHolm, observed, sequential);

    List<Map<String, Object>> metricJson = new ArrayList<>();
    for (String key : d.metrics()) {
      MetricDefinition m = metrics.get(key);
      if (m == null) {
        continue;
      }
      Map<String, Object> mj = new LinkedHashMap<>();
      mj.put("metric", key);
      mj.put("kind", m.kind().label());
      boolean guardrail = !key.equals(d.primaryMetric());
      mj.put("role", guardrail ? "guardrail" : "primary");
      mj.put(guardrail ? "bad" : "direction", guardrail ? d.guardrails().get(key) : d.direction());
      Map<String, Object> byVariant = new LinkedHashMap<>();
      for (String variant : variants) {
        Map<String, Object> v = new LinkedHashMap<>();
        Arm arm = armOf(m, stats, requests, variant, false);
        v.put("n", arm.n());
        v.put(
            "mean",
            m.ratio()
                ? stats.getOrDefault(variant, Map.of()).getOrDefault(key, ZERO).ratioArm().ratio()
                : arm.mean());
        List<Row> family = guardrail ? guards : primary;
        double[] holm = guardrail ? guardHolm : primaryHolm;
        double[] bh = guardrail ? guardBh : primaryBh;
        for (int i = 0; i < family.size(); i++) {
          Row r = family.get(i);
          if (r.metric().equals(key) && r.variant().equals(variant)) {
            v.put("absolute", comparisonJson(r.absolute()));
            v.put("relative", comparisonJson(r.relative()));
            v.put("cuped", r.absolute().theta() != null);
            v.put("sequentialPValue", r.sequentialP());
            v.put("adjustedPValue", Map.of("holm", holm[i], "benjaminiHochberg", bh[i]));
            if (r.absolute().status() == Comparison.Status.OK) {
              double effect = r.absolute().effect();
              Bayesian.Summary b =
                  Bayesian.summarize(
                      r.goodDirection().equals("increase") ? effect : -effect,
                      r.absolute().standardError());
              v.put("chanceToBeatControl", b.chanceToBeatControl());
              v.put("expectedLoss", b.expectedLoss());
            }
          }
        }
        byVariant.put(variant, v);
      }
      mj.put("variants", byVariant);
      metricJson.add(mj);
    }

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("experiment", e.key());
    json.put("state", e.state().name());
    json.put("flag", e.flag());
    json.put("control", d.control());
    json.put("analysis", sequential ? "sequential" : "fixed-horizon");
    json.put("alpha", d.alpha());
    if (sequential) {
      json.put("nStar", d.nStar());
    } else {
      json.put("plannedSampleSize", d.plannedSampleSize());
    }
    json.put("units", units);
    Map<String, Object> srmJson = new LinkedHashMap<>();
    srmJson.put("pValue", srm.pValue());
    srmJson.put("chiSquare", srm.chiSquare());
    srmJson.put("srm", srm.mismatch());
    srmJson.put("weights", d.variants());
    json.put("sampleRatio", srmJson);
    json.put("decision", decision);
    json.put("metrics", metricJson);
    return json;
  }

  private static final ExperimentStore.Stats ZERO =
      new ExperimentStore.Stats(0, 0, 0, 0, 0, 0, 0, 0, 0);

  private Comparison.Result compare(
      MetricDefinition m,
      ExperimentDefinition d,
      Map<String, Map<String, ExperimentStore.Stats>> stats,
      Map<String, CohortStats> requests,
      String variant,
      boolean relative,
      boolean sequential) {
    Comparison.Metric kind =
        m.kind().proportion() ? Comparison.Metric.PROPORTION : Comparison.Metric.MEAN;
    Comparison.Options options =
        new Comparison.Options(
            kind,
            relative,
            Comparison.Alternative.TWO_SIDED,
            d.alpha(),
            sequential ? d.nStar() : null);
    if (m.ratio()) {
      return Comparison.compareRatio(
          stats.getOrDefault(d.control(), Map.of()).getOrDefault(m.key(), ZERO).ratioArm(),
          stats.getOrDefault(variant, Map.of()).getOrDefault(m.key(), ZERO).ratioArm(),
          options);
    }
    Arm control = armOf(m, stats, requests, d.control(), true);
    Arm treatment = armOf(m, stats, requests, variant, true);
    boolean cuped = control.hasPrePeriod() && treatment.hasPrePeriod();
    return Comparison.compare(
        cuped ? control : plain(control), cuped ? treatment : plain(treatment), options);
  }

  private static Arm plain(Arm a) {
    return new Arm(a.n(), a.sum(), a.sumSquares());
  }

  /**
   * A variant's statistics for a metric: stored ones, or for the built-in metrics, the request
   * outcomes recorded since the experiment started (requests as units). With {@code cuped}, the
   * pre-period sums when any unit had a pre-period value.
   */
  private static Arm armOf(
      MetricDefinition m,
      Map<String, Map<String, ExperimentStore.Stats>> stats,
      Map<String, CohortStats> requests,
      String variant,
      boolean cuped) {
    if (m.kind() == MetricKind.ERROR_RATE) {
      CohortStats c = requests.getOrDefault(variant, new CohortStats());
      return Arm.proportion(c.errors(), c.requests());
    }
    if (m.kind() == MetricKind.LATENCY) {
      CohortStats c = requests.getOrDefault(variant, new CohortStats());
      return new Arm(
          c.latency().count(), c.latency().approximateSum(), c.latency().approximateSumOfSquares());
    }
    ExperimentStore.Stats s = stats.getOrDefault(variant, Map.of()).getOrDefault(m.key(), ZERO);
    return s.arm(cuped && s.preSquares() > 0);
  }

  private static double[] pValues(List<Row> rows) {
    return rows.stream().mapToDouble(r -> r.p() == null ? 1 : Math.min(1, r.p())).toArray();
  }

  private static Map<String, Object> decide(
      Experiment e,
      ExperimentDefinition d,
      SampleRatio.Result srm,
      List<Row> primary,
      double[] primaryHolm,
      List<Row> guards,
      double[] guardHolm,
      long[] observed,
      boolean sequential) {
    if (srm.mismatch()) {
      return decision(
          "no_ship",
          String.format(
              "sample ratio mismatch (p = %.2g): units did not split as planned, so the"
                  + " assignment or exposure logging is broken; no result can be trusted",
              srm.pValue()),
          null);
    }
    for (int i = 0; i < guards.size(); i++) {
      Row g = guards.get(i);
      if (g.worse() && guardHolm[i] < d.alpha()) {
        return decision(
            "no_ship",
            "guardrail "
                + g.metric()
                + " got worse for "
                + g.variant()
                + String.format(" (adjusted p = %.3g)", guardHolm[i]),
            null);
      }
    }
    if (!sequential) {
      for (long n : observed) {
        if (n < d.plannedSampleSize()) {
          return decision(
              "keep_running",
              "a fixed-horizon experiment is read once every variant has "
                  + d.plannedSampleSize()
                  + " units",
              null);
        }
      }
    }
    Row winner = null;
    int losers = 0;
    for (int i = 0; i < primary.size(); i++) {
      Row r = primary.get(i);
      if (primaryHolm[i] < d.alpha()) {
        if (r.better()) {
          if (winner == null
              || Math.abs(r.absolute().effect()) > Math.abs(winner.absolute().effect())) {
            winner = r;
          }
        } else if (r.worse()) {
          losers++;
        }
      }
    }
    if (winner != null) {
      return decision(
          "ship",
          winner.variant()
              + " "
              + (d.direction().equals("increase") ? "raises " : "lowers ")
              + d.primaryMetric()
              + String.format(
                  " (%+.2f%% relative), no guardrail failed and units split as planned",
                  winner.relative().effect() == null ? 0 : 100 * winner.relative().effect()),
          winner.variant());
    }
    if (!primary.isEmpty() && losers == primary.size()) {
      return decision("no_ship", "every treatment did worse on " + d.primaryMetric(), null);
    }
    if (e.state() == ExperimentState.STOPPED) {
      return decision(
          "no_ship", "stopped without a significant difference on " + d.primaryMetric(), null);
    }
    return decision(
        "keep_running", "no significant difference on " + d.primaryMetric() + " yet", null);
  }

  private static Map<String, Object> decision(String decision, String reason, String winner) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("decision", decision);
    json.put("reason", reason);
    json.put("winner", winner);
    return json;
  }

  private static String opposite(String direction) {
    return direction.equals("increase") ? "decrease" : "increase";
  }
}

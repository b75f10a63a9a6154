package dev.rollgate.server.experiments;

import static dev.rollgate.server.http.Requests.json;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.Requests;
import dev.rollgate.stats.Arm;
import dev.rollgate.stats.Bayesian;
import dev.rollgate.stats.Comparison;
import dev.rollgate.stats.Planner;
import dev.rollgate.stats.SampleRatio;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/analysis}, {@code /api/v1/analysis/srm} and {@code /api/v1/analysis/plan}:
 * the statistics of {@code rollgate-stats} on sufficient statistics the caller supplies, and the
 * planner, for any valid token. Stateless: nothing is stored.
 */
public final class AnalysisRoutes implements HttpApi.Routes {
  static final Set<String> FIELDS =
      Set.of("metric", "relative", "alternative", "alpha", "sequential", "control", "treatment");
  private static final Set<String> ARM_FIELDS =
      Set.of("n", "sum", "sumSquares", "preSum", "preSumSquares", "crossSum");
  private static final Set<String> PLAN_FIELDS =
      Set.of(
          "metric",
          "variance",
          "baseline",
          "mde",
          "relative",
          "sampleSize",
          "alpha",
          "power",
          "sequential");

  @Override
  public void register(RoutesConfig r) {
    r.post("/api/v1/analysis", this::analyse);
    r.post("/api/v1/analysis/srm", this::srm);
    r.post("/api/v1/analysis/plan", this::plan);
  }

  private void analyse(Context ctx) {
    Requests.principal(ctx);
    JsonBody body = Requests.body(ctx, FIELDS);
    Comparison.Metric metric = metric(body);
    Comparison.Alternative alternative =
        switch (orDefault(body.string("alternative", false), "two-sided")) {
          case "two-sided" -> Comparison.Alternative.TWO_SIDED;
          case "greater" -> Comparison.Alternative.GREATER;
          case "less" -> Comparison.Alternative.LESS;
          default ->
              throw Failure.invalidField(
                  body.path("alternative"), "must be two-sided, greater or less");
        };
    Double alpha = body.number("alpha", 1e-6, 0.5);
    Double nStar = nStar(body);
    boolean relative = Boolean.TRUE.equals(body.bool("relative"));
    Arm control = arm(body, "control", metric);
    Arm treatment = arm(body, "treatment", metric);
    Comparison.Result r;
    try {
      r =
          Comparison.compare(
              control,
              treatment,
              new Comparison.Options(
                  metric, relative, alternative, alpha == null ? 0.05 : alpha, nStar));
    } catch (IllegalArgumentException e) {
      throw Failure.invalid(e.getMessage());
    }
    Map<String, Object> answer = ExperimentResults.comparisonJson(r);
    if (r.status() == Comparison.Status.OK) {
      // "Beating" the control is the direction the alternative names; two-sided reads it as up.
      double better = alternative == Comparison.Alternative.LESS ? -r.effect() : r.effect();
      Bayesian.Summary b = Bayesian.summarize(better, r.standardError());
      answer.put("chanceToBeatControl", b.chanceToBeatControl());
      answer.put("expectedLoss", b.expectedLoss());
    }
    json(ctx, 200, answer, null);
  }

  private static Comparison.Metric metric(JsonBody body) {
    return switch (orDefault(body.string("metric", false), "mean")) {
      case "mean" -> Comparison.Metric.MEAN;
      case "proportion" -> Comparison.Metric.PROPORTION;
      default -> throw Failure.invalidField(body.path("metric"), "must be mean or proportion");
    };
  }

  /** N* of {@code "sequential": {"nStar": …}} (5000 when left out), or null for a fixed horizon. */
  private static Double nStar(JsonBody body) {
    if (!body.has("sequential")) {
      return null;
    }
    JsonBody sequential =
        JsonBody.of(body.raw("sequential"), body.path("sequential"), Set.of("nStar"));
    Double nStar = sequential.number("nStar", 1, 1e12);
    return nStar == null ? 5000.0 : nStar;
  }

  /**
   * Units per arm for a minimum detectable effect, or the effect detectable with a sample size. The
   * variance is given for a mean and follows from the baseline rate for a proportion; a relative
   * effect is a share of the baseline.
   */
  private void plan(Context ctx) {
    Requests.principal(ctx);
    JsonBody body = Requests.body(ctx, PLAN_FIELDS);
    Comparison.Metric metric = metric(body);
    Double baseline =
        metric == Comparison.Metric.PROPORTION
            ? body.number("baseline", 1e-9, 1 - 1e-9)
            : body.number("baseline", -Double.MAX_VALUE, Double.MAX_VALUE);
    double variance;
    if (metric == Comparison.Metric.PROPORTION) {
      if (baseline == null) {
        throw Failure.invalidField(body.path("baseline"), "is required for a proportion");
      }
      if (body.has("variance")) {
        throw Failure.invalidField(
            body.path("variance"), "follows from the baseline for a proportion");
      }
      variance = baseline * (1 - baseline);
    } else {
      Double given = body.number("variance", Double.MIN_NORMAL, Double.MAX_VALUE);
      if (given == null) {
        throw Failure.invalidField(body.path("variance"), "is required for a mean");
      }
      variance = given;
    }
    boolean relative = Boolean.TRUE.equals(body.bool("relative"));
    if (relative && (baseline == null || baseline == 0)) {
      throw Failure.invalidField(
          body.path("baseline"), "is required, and not 0, for a relative effect");
    }
    double scale = relative ? Math.abs(baseline) : 1;
    Double mde = body.number("mde", Double.MIN_NORMAL, Double.MAX_VALUE);
    Long sampleSize = body.whole("sampleSize", 2, 1L << 40);
    if ((mde == null) == (sampleSize == null)) {
      throw Failure.invalid("give exactly one of mde and sampleSize");
    }
    Double alpha = body.number("alpha", 1e-6, 0.5);
    Double power = body.number("power", 0.01, 0.999);
    Double nStar = nStar(body);
    double a = alpha == null ? 0.05 : alpha;
    double pw = power == null ? 0.8 : power;
    long n;
    double absolute;
    try {
      if (mde != null) {
        absolute = mde * scale;
        n = Planner.sampleSize(absolute, variance, a, pw, nStar);
      } else {
        n = sampleSize;
        absolute = Planner.minimumDetectableEffect(n, variance, a, pw, nStar);
      }
    } catch (IllegalArgumentException e) {
      throw Failure.invalid(e.getMessage());
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("analysis", nStar == null ? "fixed-horizon" : "sequential");
    answer.put("sampleSizePerArm", n);
    answer.put("minimumDetectableEffect", absolute);
    if (baseline != null && baseline != 0) {
      answer.put(
          "relativeMinimumDetectableEffect",
          relative && mde != null ? mde : absolute / Math.abs(baseline));
    }
    answer.put("variance", variance);
    answer.put("alpha", a);
    answer.put("power", pw);
    json(ctx, 200, answer, null);
  }

  private static Arm arm(JsonBody body, String name, Comparison.Metric metric) {
    Object raw = body.raw(name);
    if (raw == null) {
      throw Failure.invalidField(body.path(name), "is required");
    }
    JsonBody a = JsonBody.of(raw, body.path(name), ARM_FIELDS);
    Long n = a.whole("n", 0, Long.MAX_VALUE / 2);
    Double sum = a.number("sum", -Double.MAX_VALUE, Double.MAX_VALUE);
    if (n == null || sum == null) {
      throw Failure.invalidField(a.path(n == null ? "n" : "sum"), "is required");
    }
    Double sumSquares = a.number("sumSquares", 0, Double.MAX_VALUE);
    if (sumSquares == null) {
      if (metric != Comparison.Metric.PROPORTION) {
        throw Failure.invalidField(a.path("sumSquares"), "is required for a mean");
      }
      sumSquares = sum; // 0/1 values
    }
    try {
      return new Arm(
          n,
          sum,
          sumSquares,
          a.number("preSum", -Double.MAX_VALUE, Double.MAX_VALUE),
          a.number("preSumSquares", 0, Double.MAX_VALUE),
          a.number("crossSum", -Double.MAX_VALUE, Double.MAX_VALUE));
    } catch (IllegalArgumentException e) {
      throw Failure.invalidField(body.path(name), e.getMessage());
    }
  }

  private void srm(Context ctx) {
    Requests.principal(ctx);
    JsonBody body = Requests.body(ctx, Set.of("observed", "weights"));
    double[] observed = numbers(body, "observed");
    double[] weights = numbers(body, "weights");
    long[] counts = new long[observed.length];
    for (int i = 0; i < observed.length; i++) {
      if (observed[i] < 0 || observed[i] != Math.rint(observed[i])) {
        throw Failure.invalidField(
            JsonPath.element(body.path("observed"), i), "must be a count (a whole number ≥ 0)");
      }
      counts[i] = (long) observed[i];
    }
    SampleRatio.Result r;
    try {
      r = SampleRatio.test(counts, weights);
    } catch (IllegalArgumentException e) {
      throw Failure.invalid(e.getMessage());
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("chiSquare", r.chiSquare());
    answer.put("pValue", r.pValue());
    answer.put("srm", r.mismatch());
    json(ctx, 200, answer, null);
  }

  private static double[] numbers(JsonBody body, String name) {
    if (!(body.raw(name) instanceof List<?> list) || list.size() < 2 || list.size() > 100) {
      throw Failure.invalidField(body.path(name), "must be a list of 2 to 100 numbers");
    }
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw Failure.invalidField(JsonPath.element(body.path(name), i), "must be a number");
      }
      out[i] = n.doubleValue();
    }
    return Arrays.copyOf(out, out.length);
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }
}

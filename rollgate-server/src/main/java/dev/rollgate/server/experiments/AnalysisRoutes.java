package dev.rollgate.server.experiments;

import static dev.rollgate.server.http.Requests.json;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.http.ApiException;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.Requests;
import dev.rollgate.stats.Arm;
import dev.rollgate.stats.Comparison;
import dev.rollgate.stats.SampleRatio;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/analysis} and {@code /api/v1/analysis/srm}: the statistics of {@code
 * rollgate-stats} on sufficient statistics the caller supplies, for any valid token. Stateless:
 * nothing is stored.
 */
public final class AnalysisRoutes implements HttpApi.Routes {
  static final Set<String> FIELDS =
      Set.of("metric", "relative", "alternative", "alpha", "sequential", "control", "treatment");
  private static final Set<String> ARM_FIELDS =
      Set.of("n", "sum", "sumSquares", "preSum", "preSumSquares", "crossSum");

  @Override
  public void register(RoutesConfig r) {
    r.post("/api/v1/analysis", this::analyse);
    r.post("/api/v1/analysis/srm", this::srm);
  }

  private void analyse(Context ctx) {
    Requests.principal(ctx);
    JsonBody body = Requests.body(ctx, FIELDS);
    Comparison.Metric metric =
        switch (orDefault(body.string("metric", false), "mean")) {
          case "mean" -> Comparison.Metric.MEAN;
          case "proportion" -> Comparison.Metric.PROPORTION;
          default ->
              throw ApiException.invalidField(body.path("metric"), "must be mean or proportion");
        };
    Comparison.Alternative alternative =
        switch (orDefault(body.string("alternative", false), "two-sided")) {
          case "two-sided" -> Comparison.Alternative.TWO_SIDED;
          case "greater" -> Comparison.Alternative.GREATER;
          case "less" -> Comparison.Alternative.LESS;
          default ->
              throw ApiException.invalidField(
                  body.path("alternative"), "must be two-sided, greater or less");
        };
    Double alpha = body.number("alpha", 1e-6, 0.5);
    Double nStar = null;
    if (body.has("sequential")) {
      JsonBody sequential =
          JsonBody.of(body.raw("sequential"), body.path("sequential"), Set.of("nStar"));
      nStar = sequential.number("nStar", 1, 1e12);
      if (nStar == null) {
        nStar = 5000.0;
      }
    }
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
      throw ApiException.badRequest(e.getMessage());
    }
    json(ctx, 200, ExperimentResults.comparisonJson(r), null);
  }

  private static Arm arm(JsonBody body, String name, Comparison.Metric metric) {
    Object raw = body.raw(name);
    if (raw == null) {
      throw ApiException.invalidField(body.path(name), "is required");
    }
    JsonBody a = JsonBody.of(raw, body.path(name), ARM_FIELDS);
    Long n = a.whole("n", 0, Long.MAX_VALUE / 2);
    Double sum = a.number("sum", -Double.MAX_VALUE, Double.MAX_VALUE);
    if (n == null || sum == null) {
      throw ApiException.invalidField(a.path(n == null ? "n" : "sum"), "is required");
    }
    Double sumSquares = a.number("sumSquares", 0, Double.MAX_VALUE);
    if (sumSquares == null) {
      if (metric != Comparison.Metric.PROPORTION) {
        throw ApiException.invalidField(a.path("sumSquares"), "is required for a mean");
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
      throw ApiException.invalidField(body.path(name), e.getMessage());
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
        throw ApiException.invalidField(
            JsonPath.element(body.path("observed"), i), "must be a count (a whole number ≥ 0)");
      }
      counts[i] = (long) observed[i];
    }
    SampleRatio.Result r;
    try {
      r = SampleRatio.test(counts, weights);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("chiSquare", r.chiSquare());
    answer.put("pValue", r.pValue());
    answer.put("srm", r.mismatch());
    json(ctx, 200, answer, null);
  }

  private static double[] numbers(JsonBody body, String name) {
    if (!(body.raw(name) instanceof List<?> list) || list.size() < 2 || list.size() > 100) {
      throw ApiException.invalidField(body.path(name), "must be a list of 2 to 100 numbers");
    }
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw ApiException.invalidField(JsonPath.element(body.path(name), i), "must be a number");
      }
      out[i] = n.doubleValue();
    }
    return Arrays.copyOf(out, out.length);
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }
}

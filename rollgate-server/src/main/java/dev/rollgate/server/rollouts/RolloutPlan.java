package dev.rollgate.server.rollouts;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.http.JsonBody;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How a rollout proceeds: its stages, the health checks every window is judged on, the window
 * length and what each verdict does. Fixed when the rollout starts.
 *
 * @param windowMs the length of one judged window
 * @param onInsufficientData what happens when a stage reaches its maximum duration without enough
 *     data (or without a clear verdict): pause, rollback or advance
 * @param onError what an ERROR verdict does: pause or rollback
 * @param healthChecks health checks whose open violation rolls the rollout back (and which a
 *     check's pause action pauses)
 */
public record RolloutPlan(
    List<Stage> stages,
    Checks checks,
    long windowMs,
    OnInsufficientData onInsufficientData,
    OnError onError,
    List<String> healthChecks) {

  /** What a stage that reached its maximum duration without a clear verdict does. */
  public enum OnInsufficientData implements Plain.Shown {
    PAUSE,
    ROLLBACK,
    ADVANCE;

    @Override
    public Object plain() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What an ERROR verdict (the health data could not be read) does. */
  public enum OnError implements Plain.Shown {
    PAUSE,
    ROLLBACK;

    @Override
    public Object plain() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  static final Set<String> FIELDS =
      Set.of("stages", "checks", "windowSeconds", "onInsufficientData", "onError", "healthChecks");
  private static final Set<String> STAGE_FIELDS =
      Set.of(
          "percent", "minDurationSeconds", "minRequests", "maxDurationSeconds", "requireApproval");
  private static final Set<String> CHECK_FIELDS =
      Set.of(
          "maxErrorRate",
          "maxP99Ms",
          "compareErrorRate",
          "errorRateTolerance",
          "compareP99",
          "maxP99Ratio",
          "alpha",
          "nStar",
          "minSamples",
          "pauseErrorRate",
          "pauseP95Ms");

  /**
   * One stage: the treatment's share, how long it lasts at least (and at most, when there is too
   * little data to judge), how many requests each cohort needs in it, and whether a person must
   * approve leaving it.
   */
  public record Stage(
      double percent,
      long minDurationMs,
      long minRequests,
      long maxDurationMs,
      boolean requireApproval) {

    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("percent", percent);
      json.put("minDurationSeconds", minDurationMs / 1000);
      json.put("minRequests", minRequests);
      json.put("maxDurationSeconds", maxDurationMs / 1000);
      json.put("requireApproval", requireApproval);
      return json;
    }
  }

  /**
   * The health checks.
   *
   * @param maxErrorRate the canary's error rate must stay under this (absolute)
   * @param maxP99Ms the canary's p99 latency must stay under this (absolute)
   * @param compareErrorRate whether the canary's error rate may not exceed the control's (by more
   *     than {@code errorRateTolerance}), judged by a confidence sequence
   * @param compareP99 whether the canary's p99 may not exceed {@code maxP99Ratio} times the
   *     control's
   * @param alpha the error rate of the whole rollout's comparisons (split across its stages)
   * @param nStar the sample size at which the confidence sequence is tightest
   * @param minSamples the requests each cohort needs before it is compared at all
   * @param pauseErrorRate over this (clearly, as for {@code maxErrorRate}) the window is DEGRADED
   *     and the rollout pauses; null for no such limit
   * @param pauseP95Ms over this canary p95 the window is DEGRADED; null for no such limit
   */
  public record Checks(
      double maxErrorRate,
      double maxP99Ms,
      boolean compareErrorRate,
      double errorRateTolerance,
      boolean compareP99,
      double maxP99Ratio,
      double alpha,
      double nStar,
      long minSamples,
      Double pauseErrorRate,
      Double pauseP95Ms) {

    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("maxErrorRate", maxErrorRate);
      json.put("maxP99Ms", maxP99Ms);
      json.put("compareErrorRate", compareErrorRate);
      json.put("errorRateTolerance", errorRateTolerance);
      json.put("compareP99", compareP99);
      json.put("maxP99Ratio", maxP99Ratio);
      json.put("alpha", alpha);
      json.put("nStar", nStar);
      json.put("minSamples", minSamples);
      if (pauseErrorRate != null) {
        json.put("pauseErrorRate", pauseErrorRate);
      }
      if (pauseP95Ms != null) {
        json.put("pauseP95Ms", pauseP95Ms);
      }
      return json;
    }
  }

  /** The server-wide defaults ({@code ROLLGATE_ROLLOUT_WINDOW_S} and the rollback thresholds). */
  public record Defaults(long windowSeconds, double maxErrorRate, double maxP99Ms) {
    public static final Defaults STANDARD = new Defaults(10, 0.05, 2000);
  }

  static final double[] DEFAULT_PERCENTS = {1, 10, 25, 50, 100};

  /** Reads a plan from a request body's {@code plan} (null for all defaults). */
  static RolloutPlan parse(Map<String, Object> json, String path, Defaults defaults) {
    JsonBody plan = JsonBody.of(json == null ? Map.of() : json, path, FIELDS);
    long windowSeconds = orElse(plan.whole("windowSeconds", 1, 3600), defaults.windowSeconds());
    long windowMs = windowSeconds * 1000;
    List<Stage> stages = new ArrayList<>();
    Object rawStages = plan.raw("stages");
    if (rawStages == null) {
      for (double percent : DEFAULT_PERCENTS) {
        stages.add(new Stage(percent, 6 * windowMs, 100, 180 * windowMs, false));
      }
    } else {
      if (!(rawStages instanceof List<?> list) || list.isEmpty() || list.size() > 20) {
        throw Failure.invalidField(plan.path("stages"), "must be a list of 1 to 20 stages");
      }
      double previous = 0;
      for (int i = 0; i < list.size(); i++) {
        String at = JsonPath.element(plan.path("stages"), i);
        JsonBody s = JsonBody.of(list.get(i), at, STAGE_FIELDS);
        Double percent = s.number("percent", 0.01, 100);
        if (percent == null) {
          throw Failure.invalidField(s.path("percent"), "is required");
        }
        if (Math.round(percent * 100) != percent * 100) {
          throw Failure.invalidField(s.path("percent"), "has at most two decimals");
        }
        if (percent <= previous) {
          throw Failure.invalidField(s.path("percent"), "must be above the stage before");
        }
        previous = percent;
        long min = orElse(s.whole("minDurationSeconds", 0, 30L * 86400), 6 * windowSeconds) * 1000;
        long max =
            orElse(s.whole("maxDurationSeconds", 1, 30L * 86400), Math.max(min / 1000, 1) * 30)
                * 1000;
        if (max < min) {
          throw Failure.invalidField(
              s.path("maxDurationSeconds"), "must be at least minDurationSeconds");
        }
        stages.add(
            new Stage(
                percent,
                min,
                orElse(s.whole("minRequests", 0, Long.MAX_VALUE / 2), 100L),
                max,
                Boolean.TRUE.equals(s.bool("requireApproval"))));
      }
    }
    Checks checks = checks(plan.object("checks"), plan.path("checks"), defaults);
    return new RolloutPlan(
        List.copyOf(stages),
        checks,
        windowMs,
        policy(plan, "onInsufficientData", OnInsufficientData.values(), OnInsufficientData.PAUSE),
        policy(plan, "onError", OnError.values(), OnError.PAUSE),
        healthChecks(plan));
  }

  private static List<String> healthChecks(JsonBody plan) {
    List<String> ids = plan.strings("healthChecks");
    if (ids != null && ids.size() > 20) {
      throw Failure.invalidField(plan.path("healthChecks"), "may list at most 20 checks");
    }
    return ids == null ? List.of() : List.copyOf(ids);
  }

  /** Reads {@code checks} with the server's defaults (releases judge their windows with these). */
  public static Checks checks(Map<String, Object> json, String path, Defaults defaults) {
    JsonBody c = JsonBody.of(json == null ? Map.of() : json, path, CHECK_FIELDS);
    return new Checks(
        orElse(c.number("maxErrorRate", 0, 1), defaults.maxErrorRate()),
        orElse(c.number("maxP99Ms", 0, 3_600_000), defaults.maxP99Ms()),
        !Boolean.FALSE.equals(c.bool("compareErrorRate")),
        orElse(c.number("errorRateTolerance", 0, 1), 0.0),
        !Boolean.FALSE.equals(c.bool("compareP99")),
        orElse(c.number("maxP99Ratio", 1, 100), 1.5),
        orElse(c.number("alpha", 0.0001, 0.5), 0.05),
        orElse(c.number("nStar", 10, 1e9), 10_000.0),
        orElse(c.whole("minSamples", 1, 1_000_000_000), 100L),
        c.number("pauseErrorRate", 0, 1),
        c.number("pauseP95Ms", 0, 3_600_000));
  }

  /**
   * A policy field: one of {@code allowed} by its lower-case name, {@code fallback} when absent.
   */
  private static <E extends Enum<E> & Plain.Shown> E policy(
      JsonBody plan, String field, E[] allowed, E fallback) {
    String value = plan.string(field, false);
    if (value == null) {
      return fallback;
    }
    for (E e : allowed) {
      if (e.plain().equals(value)) {
        return e;
      }
    }
    throw Failure.invalidField(
        plan.path(field),
        "must be one of " + java.util.Arrays.stream(allowed).map(Plain.Shown::plain).toList());
  }

  private static <T> T orElse(T value, T fallback) {
    return value == null ? fallback : value;
  }

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("stages", stages.stream().map(Stage::toJson).toList());
    json.put("checks", checks.toJson());
    json.put("windowSeconds", windowMs / 1000);
    json.put("onInsufficientData", onInsufficientData.plain());
    json.put("onError", onError.plain());
    json.put("healthChecks", healthChecks);
    return json;
  }

  /** Reads back what {@link #toJson} stored. */
  static RolloutPlan fromJson(Map<String, Object> json) {
    return parse(json, "plan", Defaults.STANDARD);
  }

  /** The significance level of one stage's comparisons: the rollout's alpha split evenly. */
  double stageAlpha() {
    return checks.alpha() / stages.size();
  }
}

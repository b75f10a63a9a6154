package dev.rollgate.server.testing;

import dev.rollgate.core.health.LatencyHistogram;
import java.util.Map;

/** Request outcomes as SDKs report them, for tests that drive rollouts and releases. */
public final class TestOutcomes {
  private TestOutcomes() {}

  /**
   * An {@code outcomes} event: {@code requests} of {@code flag}'s {@code variant} in the second
   * from {@code at}, {@code errors} of them failed, all taking {@code ms}.
   */
  public static Map<String, Object> second(
      String flag, String variant, long at, int requests, int errors, double ms) {
    return Map.of(
        "type",
        "outcomes",
        "flag",
        flag,
        "variant",
        variant,
        "start",
        at,
        "end",
        at + 1000,
        "count",
        requests,
        "errors",
        errors,
        "latency",
        Map.of(
            "gamma",
            1.02,
            "buckets",
            Map.of(String.valueOf(LatencyHistogram.index(ms)), requests)));
  }

  /** What changes with each judged window of a release: its evidence, or its phase and wave. */
  public static String judged(Map<String, Object> release) {
    return release.get("evidence") + "/" + release.get("phase") + "/" + release.get("wave");
  }
}

package dev.rollgate.server.rollouts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.server.health.CohortStats;
import dev.rollgate.server.testing.StoreKind;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A/A rollouts: canary and control behave identically, so every rollback is a false alarm. Over 500
 * windows per rollout, looked at every window, the rollback rate must stay within alpha.
 */
class AaRolloutTest {
  private static final double ALPHA = 0.05;
  private static final int WINDOWS = 500;
  private static final int RUNS = 200;
  private static final int REQUESTS = 2000;
  private static final double[] PERCENTS = {5, 10, 25, 50, 75};

  /** Five stages of 100 windows each, judged as the controller does, many times over. */
  @Test
  void identicalCohortsAreRolledBackNoMoreOftenThanAlphaAllows() {
    RolloutPlan plan =
        RolloutPlan.parse(
            Map.of(
                "stages",
                java.util.Arrays.stream(PERCENTS)
                    .mapToObj(p ->
                        Map.<String, Object>of(
                            "percent", p, "minDurationSeconds", WINDOWS / PERCENTS.length * 10))
                    .toList()),
            "plan",
            RolloutPlan.Defaults.STANDARD);
    SplittableRandom random = new SplittableRandom(2026);
    int rolledBack = 0;
    int naiveRejected = 0;
    for (int run = 0; run < RUNS; run++) {
      boolean failed = false;
      boolean naive = false;
      CohortStats canaryStage = new CohortStats();
      CohortStats controlStage = new CohortStats();
      for (int w = 0; w < WINDOWS; w++) {
        int stage = w / (WINDOWS / PERCENTS.length);
        if (w > 0 && w % (WINDOWS / PERCENTS.length) == 0) {
          canaryStage = new CohortStats();
          controlStage = new CohortStats();
        }
        long canaryN = Math.round(REQUESTS * PERCENTS[stage] / 100);
        CohortStats canary = window(random, canaryN);
        CohortStats control = window(random, REQUESTS - canaryN);
        canaryStage.add(canary);
        controlStage.add(control);
        Judge.Evidence e =
            Judge.judge(
                plan,
                stage,
                w * 10_000L,
                (w + 1) * 10_000L,
                canary,
                control,
                canaryStage,
                controlStage);
        failed |= e.verdict() == Verdict.FAIL;
        naive |= naiveTest(canaryStage, controlStage);
      }
      rolledBack += failed ? 1 : 0;
      naiveRejected += naive ? 1 : 0;
    }
    double rate = (double) rolledBack / RUNS;
    double naiveRate = (double) naiveRejected / RUNS;
    System.out.printf(
        "A/A over %d windows, %d runs: sequential rollbacks %.3f, naive repeated z-tests %.3f%n",
        WINDOWS, RUNS, rate, naiveRate);
    // alpha plus three binomial standard errors of the estimate
    assertThat(rate).isLessThanOrEqualTo(ALPHA + 3 * Math.sqrt(ALPHA * (1 - ALPHA) / RUNS));
    // The same data tested with a fixed-horizon test at every look rolls back far more often.
    assertThat(naiveRate).isGreaterThan(2 * ALPHA);
  }

  private static CohortStats window(SplittableRandom random, long n) {
    long errors = 0;
    for (long i = 0; i < n; i++) {
      errors += random.nextDouble() < 0.01 ? 1 : 0;
    }
    LatencyHistogram latency = new LatencyHistogram();
    long samples = Math.min(n, 150);
    for (long i = 0; i < samples; i++) {
      latency.record(50 * Math.exp(0.5 * random.nextGaussian()));
    }
    CohortStats stats = new CohortStats();
    stats.add(n, errors, null);
    stats.add(0, 0, latency);
    return stats;
  }

  /** One-sided two-proportion z-test at 5%, as if each look were the only one. */
  private static boolean naiveTest(CohortStats canary, CohortStats control) {
    double p1 = canary.errorRate();
    double p2 = control.errorRate();
    double pooled =
        (double) (canary.errors() + control.errors()) / (canary.requests() + control.requests());
    double se =
        Math.sqrt(pooled * (1 - pooled) * (1.0 / canary.requests() + 1.0 / control.requests()));
    return se > 0 && (p1 - p2) / se > 1.6449;
  }

  /** The real controller, store and split over one A/A rollout of 500 windows. */
  @Test
  void anAaRolloutOf500WindowsThroughTheControllerIsNotRolledBack() {
    try (RolloutHarness h = RolloutHarness.open(StoreKind.SQLITE)) {
      h.start(
          Map.of(
              "stages",
              List.of(
                  Map.of("percent", 5, "minDurationSeconds", 1250),
                  Map.of("percent", 10, "minDurationSeconds", 1250),
                  Map.of("percent", 25, "minDurationSeconds", 1250),
                  Map.of("percent", 50, "minDurationSeconds", 1250),
                  Map.of("percent", 100))));
      SplittableRandom random = new SplittableRandom(500);
      int windows = 0;
      while (h.current().get("state").equals("RUNNING") && windows < WINDOWS) {
        h.window(random, 400, RolloutHarness.Behaviour.HEALTHY, RolloutHarness.Behaviour.HEALTHY);
        windows++;
      }
      assertThat(windows).isEqualTo(WINDOWS);
      assertThat(h.current().get("state")).isIn("RUNNING", "COMPLETED");
      assertThat(h.history()).noneMatch(t -> "ROLLED_BACK".equals(t.get("to")));
    }
  }
}

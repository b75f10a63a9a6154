package dev.rollgate.server.rollouts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.server.health.CohortStats;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Verdicts on hand-made cohorts. */
class JudgeTest {
  private static final RolloutPlan PLAN =
      RolloutPlan.parse(null, "plan", RolloutPlan.Defaults.STANDARD);

  private static CohortStats cohort(long n, long errors, double latencyMs) {
    LatencyHistogram h = new LatencyHistogram();
    for (long i = 0; i < n; i++) {
      h.record(latencyMs);
    }
    return new CohortStats(n, errors, h);
  }

  private static Judge.Evidence judge(int stage, CohortStats canary, CohortStats control) {
    return Judge.judge(PLAN, stage, 0, 10_000, canary, control, canary, control);
  }

  private static String status(Judge.Evidence e, String check) {
    return e.checks().stream()
        .filter(c -> c.get("name").equals(check))
        .map(c -> (String) c.get("status"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void equalCohortsPass() {
    Judge.Evidence e = judge(2, cohort(5000, 50, 40), cohort(15000, 150, 40));
    assertThat(e.verdict()).isEqualTo(Verdict.PASS);
    assertThat(e.toJson()).containsKeys("cohorts", "checks", "windowStart", "summary");
  }

  @Test
  void aSuspiciousButUnprovenDifferenceIsInconclusive() {
    // 1.6% against 1.0%: a single-look z-test says worse, the confidence sequence cannot yet.
    Judge.Evidence e = judge(2, cohort(5000, 80, 40), cohort(15000, 150, 40));
    assertThat(status(e, "errorRateVsControl")).isEqualTo("INCONCLUSIVE");
    assertThat(e.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
  }

  @Test
  void aClearDifferenceFails() {
    Judge.Evidence e = judge(2, cohort(5000, 150, 40), cohort(15000, 150, 40));
    assertThat(e.verdict()).isEqualTo(Verdict.FAIL);
    assertThat(e.summary()).contains("above the control's");
  }

  @Test
  void anErrorRateClearlyOverTheLimitFailsEvenWithoutAControl() {
    Judge.Evidence e = judge(4, cohort(1000, 120, 40), new CohortStats());
    assertThat(status(e, "canaryErrorRate")).isEqualTo("FAIL");
    assertThat(status(e, "errorRateVsControl")).isEqualTo("SKIPPED"); // 100%: no control
    assertThat(e.verdict()).isEqualTo(Verdict.FAIL);
  }

  @Test
  void aSlowCanaryFailsAgainstTheControlsP99() {
    Judge.Evidence e = judge(2, cohort(5000, 50, 100), cohort(15000, 150, 40));
    assertThat(status(e, "p99VsControl")).isEqualTo("FAIL");
    assertThat(e.summary()).contains("times the control's");
  }

  @Test
  void tooFewRequestsAreInsufficientData() {
    Judge.Evidence e = judge(0, cohort(10, 0, 40), cohort(990, 10, 40));
    assertThat(e.verdict()).isEqualTo(Verdict.INSUFFICIENT_DATA);
    assertThat(status(e, "errorRateVsControl")).isEqualTo("SKIPPED");
  }

  @Test
  void plansAreCheckedAndRoundTrip() {
    RolloutPlan plan =
        RolloutPlan.parse(
            Map.of(
                "stages",
                List.of(Map.of("percent", 5, "requireApproval", true), Map.of("percent", 100)),
                "checks",
                Map.of("maxErrorRate", 0.02, "alpha", 0.1),
                "windowSeconds",
                30,
                "onInsufficientData",
                "rollback"),
            "plan",
            RolloutPlan.Defaults.STANDARD);
    assertThat(RolloutPlan.fromJson(plan.toJson())).isEqualTo(plan);
    assertThat(plan.stageAlpha()).isEqualTo(0.05);
    assertThat(PLAN.stages())
        .extracting(RolloutPlan.Stage::percent)
        .containsExactly(1.0, 10.0, 25.0, 50.0, 100.0);
    assertThat(PLAN.windowMs()).isEqualTo(10_000);
  }
}

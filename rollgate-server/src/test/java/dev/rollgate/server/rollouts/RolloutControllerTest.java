package dev.rollgate.server.rollouts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.rollouts.RolloutHarness.Behaviour;
import dev.rollgate.server.testing.StoreKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The controller over synthetic windows and an injected clock, on SQLite and PostgreSQL. Default
 * plan: 1, 10, 25, 50, 100%, each stage at least 6 windows of 10 s and 100 requests per cohort.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreKind.class)
class RolloutControllerTest {
  private static final Behaviour HEALTHY = Behaviour.HEALTHY;

  @Parameter StoreKind store;

  private RolloutHarness h;
  private final SplittableRandom random = new SplittableRandom(42);

  @BeforeEach
  void open() {
    h = RolloutHarness.open(store);
  }

  @AfterEach
  void close() {
    h.close();
  }

  private List<Object> transitions() {
    List<Object> out = new ArrayList<>();
    for (Map<String, Object> t : h.history()) {
      out.add(t.get("action") + ":" + t.get("to") + "@" + t.get("percent"));
    }
    return out;
  }

  @Test
  void aHealthyCanaryGoesThroughEveryStageToCompletion() {
    h.start(null);
    List<Double> percents = new ArrayList<>();
    List<String> canaryUsersSeen = new ArrayList<>();
    for (int w = 0; w < 60 && !h.current().get("state").equals("COMPLETED"); w++) {
      double percent = ((Number) h.current().get("percent")).doubleValue();
      if (percents.isEmpty() || percents.getLast() != percent) {
        percents.add(percent);
        // Users in the canary at one stage stay in it at every later stage.
        for (String user : canaryUsersSeen) {
          assertThat(h.variantFor(user)).as("%s at %s%%", user, percent).isEqualTo("on");
        }
        for (int u = 0; u < 2000; u++) {
          if (h.variantFor("user-" + u).equals("on") && !canaryUsersSeen.contains("user-" + u)) {
            canaryUsersSeen.add("user-" + u);
          }
        }
        long share = canaryUsersSeen.size();
        assertThat(share)
            .as("canary users at %s%%", percent)
            .isBetween(
                Math.round(2000 * percent / 100 * 0.7) - 5,
                Math.round(2000 * percent / 100 * 1.3) + 5);
      }
      h.window(random, 20_000, HEALTHY, HEALTHY);
    }
    assertThat(h.current()).containsEntry("state", "COMPLETED").containsEntry("percent", 100.0);
    assertThat(percents).containsExactly(1.0, 10.0, 25.0, 50.0, 100.0);
    assertThat(transitions())
        .containsExactly(
            "start:RUNNING@1.0",
            "advance:RUNNING@10.0",
            "advance:RUNNING@25.0",
            "advance:RUNNING@50.0",
            "advance:RUNNING@100.0",
            "advance:COMPLETED@100.0");
    // The treatment became the default, and every user gets it without a split.
    assertThat(h.defaultVariant()).isEqualTo("on");
    assertThat(h.variantFor("anyone")).isEqualTo("on");
    Map<?, ?> evidence = (Map<?, ?>) h.current().get("evidence");
    assertThat(evidence.get("verdict")).isEqualTo("PASS");
  }

  @Test
  void aCanaryWithThreeTimesTheControlsErrorRateIsRolledBackWithinTwoWindows() {
    h.start(null);
    // Healthy through the first stage, then the canary's error rate triples at 10%.
    while (((Number) h.current().get("percent")).doubleValue() < 10) {
      assertThat(h.window(random, 20_000, HEALTHY, HEALTHY)).isEqualTo("RUNNING");
    }
    Behaviour regressed = new Behaviour(0.03, 50, 0.5);
    int windows = 0;
    while (h.current().get("state").equals("RUNNING") && windows < 10) {
      h.window(random, 20_000, regressed, HEALTHY);
      windows++;
    }
    assertThat(windows).as("windows from the regression to the rollback").isLessThanOrEqualTo(2);
    Map<String, Object> r = h.current();
    assertThat(r).containsEntry("state", "ROLLED_BACK").containsEntry("percent", 0.0);
    assertThat((String) r.get("reason")).startsWith("FAIL: canary error rate");
    Map<?, ?> evidence = (Map<?, ?>) r.get("evidence");
    assertThat(evidence.get("verdict")).isEqualTo("FAIL");
    assertThat(evidence.get("cohorts").toString()).contains("canary", "control", "errorRate");
    // Rolled back: the split is gone, everyone gets the control.
    for (int u = 0; u < 200; u++) {
      assertThat(h.variantFor("user-" + u)).isEqualTo("off");
    }
    assertThat(h.defaultVariant()).isEqualTo("off");
  }

  @Test
  void aCanaryWithP99OverTheLimitIsRolledBack() {
    h.start(null);
    Behaviour slow = new Behaviour(0.01, 2500, 0.3);
    assertThat(h.window(random, 20_000, slow, HEALTHY)).isEqualTo("ROLLED_BACK");
    assertThat((String) h.current().get("reason"))
        .contains("canary p99", "over the limit 2000.0 ms");
  }

  @Test
  void tooLittleTrafficExtendsTheStageAndThenPauses() {
    h.start(
        Map.of(
            "stages",
            List.of(
                Map.of("percent", 5, "minDurationSeconds", 30, "maxDurationSeconds", 60),
                Map.of("percent", 100))));
    List<String> verdicts = new ArrayList<>();
    var served = h.catalog.served(RolloutHarness.PROJECT, RolloutHarness.ENV);
    for (int w = 0; w < 5; w++) {
      assertThat(h.window(random, 20, HEALTHY, HEALTHY)).isEqualTo("RUNNING");
      verdicts.add((String) ((Map<?, ?>) h.current().get("evidence")).get("verdict"));
    }
    assertThat(verdicts).containsOnly("INSUFFICIENT_DATA");
    // Windows judged without a transition change no flag: nothing was recompiled.
    assertThat(h.catalog.served(RolloutHarness.PROJECT, RolloutHarness.ENV)).isSameAs(served);
    assertThat(h.window(random, 20, HEALTHY, HEALTHY)).isEqualTo("PAUSED");
    assertThat(h.catalog.served(RolloutHarness.PROJECT, RolloutHarness.ENV)).isNotSameAs(served);
    assertThat((String) h.current().get("reason"))
        .startsWith("INSUFFICIENT_DATA")
        .contains("maximum duration");
    assertThat(transitions().getLast()).isEqualTo("pause:PAUSED@5.0");
    // Paused: windows are no longer judged.
    h.clock.advance(600_000);
    assertThat(h.controller.tick()).isZero();
  }

  @Test
  void aRestartMidRolloutResumesWhereItWas() {
    h.start(null);
    while (((Number) h.current().get("percent")).doubleValue() < 25) {
      h.window(random, 20_000, HEALTHY, HEALTHY);
    }
    Map<String, Object> before = h.current();
    h.shutDown();
    h.open(); // a new process on the same store
    assertThat(h.current()).isEqualTo(before);
    assertThat(h.variantFor("user-1")).isIn("on", "off");
    while (h.current().get("state").equals("RUNNING")) {
      h.window(random, 20_000, HEALTHY, HEALTHY);
    }
    assertThat(h.current()).containsEntry("state", "COMPLETED");
    assertThat(transitions()).hasSize(6);
  }

  @Test
  void aWindowIsActedOnOnceHoweverManyControllersSeeIt() {
    h.start(
        Map.of(
            "stages",
            List.of(Map.of("percent", 50, "minDurationSeconds", 10), Map.of("percent", 100))));
    String id = (String) h.current().get("id");
    long from = h.clock.millis();
    h.traffic(random, "on", from, 10_000, 1000, HEALTHY);
    h.traffic(random, "off", from, 10_000, 1000, HEALTHY);
    h.outcomes.flush();
    h.clock.set(from + 10_000 + RolloutService.INGEST_DELAY_MS);
    RolloutService other =
        new RolloutService(
            h.catalog,
            new dev.rollgate.server.audit.AuditLog(
                h.clock, dev.rollgate.server.audit.AuditKey.generate()),
            h.flags,
            h.outcomes,
            h.clock,
            RolloutPlan.Defaults.STANDARD,
            dev.rollgate.server.domain.IdSource.seeded(12),
            HealthGate.NONE);
    assertThat(h.rollouts.judgeNextWindow(id)).isTrue();
    assertThat(other.judgeNextWindow(id)).isFalse(); // the window was judged: nothing left due
    assertThat(transitions()).containsExactly("start:RUNNING@50.0", "advance:RUNNING@100.0");
  }

  @Test
  void theFlagsOwnTargetingStillAppliesAboveTheSplit() {
    h.flags.patchEnvironment(
        RolloutHarness.ALICE,
        RolloutHarness.PROJECT,
        RolloutHarness.FLAG,
        RolloutHarness.ENV,
        null,
        new dev.rollgate.server.flags.FlagService.ConfigPatch(
            null,
            false,
            null,
            true,
            Map.of(
                "if",
                java.util.Arrays.asList(
                    Map.of("==", List.of(Map.of("var", "plan"), "beta")), "on", null)),
            null));
    h.start(null);
    int canary = 0;
    for (int u = 0; u < 1000; u++) {
      dev.rollgate.core.EvaluationContext beta =
          dev.rollgate.core.EvaluationContext.of("user-" + u, Map.of("plan", "beta"));
      assertThat(
              h.catalog
                  .snapshot(RolloutHarness.PROJECT, RolloutHarness.ENV)
                  .evaluate(RolloutHarness.FLAG, dev.rollgate.core.ValueType.ANY, null, beta)
                  .variant())
          .isEqualTo("on");
      canary += h.variantFor("user-" + u).equals("on") ? 1 : 0;
    }
    assertThat(canary).as("1% of the others").isBetween(2, 25);
  }
}

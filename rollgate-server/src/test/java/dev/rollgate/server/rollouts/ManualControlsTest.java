package dev.rollgate.server.rollouts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.testing.StoreKind;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every manual action from every state, on SQLite (the HTTP surface is tested on both stores). */
class ManualControlsTest {
  private static final List<String> STATES =
      List.of("RUNNING", "PAUSED", "AWAITING_APPROVAL", "COMPLETED", "ROLLED_BACK", "ABORTED");
  private static final List<String> ACTIONS =
      List.of("pause", "resume", "advance", "promote", "rollback", "abort");

  /**
   * What each action does from each state: the new state, "=" for an idempotent no-op, 409 when not
   * allowed. Advance moves a running, paused or waiting rollout to the next stage, running.
   */
  private static final Map<String, List<String>> EXPECTED =
      Map.of(
          "RUNNING", List.of("PAUSED", "=", "RUNNING+1", "COMPLETED", "ROLLED_BACK", "ABORTED"),
          "PAUSED", List.of("=", "RUNNING", "RUNNING+1", "COMPLETED", "ROLLED_BACK", "ABORTED"),
          "AWAITING_APPROVAL",
              List.of("PAUSED", "409", "RUNNING+1", "COMPLETED", "ROLLED_BACK", "ABORTED"),
          "COMPLETED", List.of("409", "409", "409", "=", "409", "409"),
          "ROLLED_BACK", List.of("409", "409", "409", "409", "=", "409"),
          "ABORTED", List.of("409", "409", "409", "409", "409", "="));

  private RolloutHarness h;

  @BeforeEach
  void open() {
    h = RolloutHarness.open(StoreKind.SQLITE);
  }

  @AfterEach
  void close() {
    h.close();
  }

  private void reach(String state) {
    if (state.equals("AWAITING_APPROVAL")) {
      h.start(
          Map.of(
              "stages",
              List.of(
                  Map.of("percent", 50, "minDurationSeconds", 10, "requireApproval", true),
                  Map.of("percent", 100))));
      h.window(
          new SplittableRandom(1),
          20_000,
          RolloutHarness.Behaviour.HEALTHY,
          RolloutHarness.Behaviour.HEALTHY);
    } else {
      h.start(Map.of("stages", List.of(Map.of("percent", 20), Map.of("percent", 100))));
      switch (state) {
        case "PAUSED" -> h.act("pause");
        case "COMPLETED" -> h.act("promote");
        case "ROLLED_BACK" -> h.act("rollback");
        case "ABORTED" -> h.act("abort");
        default -> {}
      }
    }
    assertThat(h.current()).containsEntry("state", state);
  }

  @Test
  void everyActionFromEveryState() {
    for (String state : STATES) {
      for (int a = 0; a < ACTIONS.size(); a++) {
        String action = ACTIONS.get(a);
        String expected = EXPECTED.get(state).get(a);
        reach(state);
        Map<String, Object> before = h.current();
        int historyBefore = h.history().size();
        String what = state + " + " + action;
        if (expected.equals("409")) {
          assertThatThrownBy(() -> h.act(action))
              .as(what)
              .isInstanceOfSatisfying(
                  Failure.class,
                  e -> assertThat(e.kind()).as(what).isEqualTo(Failure.Kind.CONFLICT));
          assertThat(h.current()).as(what).isEqualTo(before);
        } else if (expected.equals("=")) {
          assertThat(h.act(action)).as(what).containsEntry("version", before.get("version"));
          assertThat(h.history()).as(what).hasSize(historyBefore);
        } else {
          Map<String, Object> after = h.act(action);
          String state1 = expected.replace("+1", "");
          assertThat(after).as(what).containsEntry("state", state1);
          if (expected.endsWith("+1")) {
            assertThat(after).as(what).containsEntry("stage", 1);
          }
          assertThat(h.history()).as(what).hasSize(historyBefore + 1);
          assertThat(h.history().getLast()).as(what).containsEntry("action", action);
        }
        if (!((String) h.current().get("state")).matches("COMPLETED|ROLLED_BACK|ABORTED")) {
          h.act("abort");
        }
        if (h.defaultVariant().equals("on")) { // promoted: make "off" the control again
          h.catalog.write(
              RolloutHarness.PROJECT,
              null,
              tx -> {
                h.flags.setDefaultVariant(
                    tx,
                    RolloutHarness.ALICE,
                    RolloutHarness.PROJECT,
                    RolloutHarness.FLAG,
                    RolloutHarness.ENV,
                    "off");
                return null;
              });
        }
      }
    }
  }

  @Test
  void aRepeatedAdvanceIsAppliedOnce() {
    h.start(null);
    long version = (Long) h.current().get("version");
    Map<String, Object> first = h.act("advance", version);
    Map<String, Object> again = h.act("advance", version);
    assertThat(again).containsEntry("stage", 1).containsEntry("version", first.get("version"));
  }

  @Test
  void anUnknownActionIsNotFoundAndAStaleVersionIsRefused() {
    h.start(null);
    assertThatThrownBy(() -> h.act("explode"))
        .isInstanceOfSatisfying(
            Failure.class, e -> assertThat(e.kind()).isEqualTo(Failure.Kind.NOT_FOUND));
    assertThatThrownBy(() -> h.act("pause", 99L))
        .isInstanceOfSatisfying(
            Failure.class, e -> assertThat(e.kind()).isEqualTo(Failure.Kind.VERSION_MISMATCH));
  }
}

package dev.rollgate.server.rollouts;

import java.time.Instant;
import java.util.Map;

/**
 * One rollout as stored.
 *
 * @param judgedUntil the end of the last window judged: the next window starts here
 * @param evidence the latest window's evidence (JSON-like), null before the first
 */
record Rollout(
    String id,
    String project,
    String environment,
    String flag,
    String treatment,
    String control,
    RolloutPlan plan,
    RolloutState state,
    int stage,
    long stageStartedAt,
    long judgedUntil,
    Object evidence,
    String reason,
    long version,
    long createdAt,
    long updatedAt) {

  /** The treatment's share now: the stage's while the rollout runs, 100 or 0 once it ended. */
  double percent() {
    return switch (state) {
      case COMPLETED -> 100;
      case ROLLED_BACK, ABORTED -> 0;
      default -> plan.stages().get(stage).percent();
    };
  }

  Rollout with(RolloutState newState, int newStage, long stageStart, String newReason, long now) {
    return new Rollout(
        id,
        project,
        environment,
        flag,
        treatment,
        control,
        plan,
        newState,
        newStage,
        stageStart,
        judgedUntil,
        evidence,
        newReason,
        version + 1,
        createdAt,
        now);
  }

  /** The same rollout with its windows judged up to {@code until}, and their evidence. */
  Rollout judged(long until, Object newEvidence) {
    return new Rollout(
        id,
        project,
        environment,
        flag,
        treatment,
        control,
        plan,
        state,
        stage,
        stageStartedAt,
        until,
        newEvidence,
        reason,
        version,
        createdAt,
        updatedAt);
  }

  String resource() {
    return "projects/" + project + "/environments/" + environment + "/flags/" + flag + "/rollout";
  }

  /** How the rollout stands at {@code now}: what the API answers and the audit trail records. */
  View view(long now) {
    return new View(
        id,
        project,
        environment,
        flag,
        treatment,
        control,
        state,
        stage,
        plan.stages().size(),
        percent(),
        Instant.ofEpochMilli(stageStartedAt),
        state.ended() ? null : (now - stageStartedAt) / 1000,
        Instant.ofEpochMilli(judgedUntil),
        reason,
        evidence,
        plan.toJson(),
        version,
        Instant.ofEpochMilli(createdAt),
        Instant.ofEpochMilli(updatedAt));
  }

  /**
   * A rollout as it stands at one moment.
   *
   * @param stages how many stages the plan has
   * @param timeInStageSeconds how long the current stage has run; null once the rollout ended
   * @param plan the plan as JSON, as stored
   */
  public record View(
      String id,
      String project,
      String environment,
      String flag,
      String treatment,
      String control,
      RolloutState state,
      int stage,
      int stages,
      double percent,
      Instant stageStartedAt,
      Long timeInStageSeconds,
      Instant judgedUntil,
      String reason,
      Object evidence,
      Map<String, Object> plan,
      long version,
      Instant createdAt,
      Instant updatedAt) {}

  /**
   * One move of a rollout, as its history lists it.
   *
   * @param from the state before, null for the start
   * @param evidence the window's evidence that moved it, null for a manual control
   */
  public record Transition(
      long seq,
      Instant time,
      String actor,
      String action,
      String from,
      String to,
      long stage,
      double percent,
      String reason,
      String comment,
      Object evidence) {}
}

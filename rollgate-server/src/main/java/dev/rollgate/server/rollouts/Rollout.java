package dev.rollgate.server.rollouts;

import java.time.Instant;
import java.util.LinkedHashMap;
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

  Map<String, Object> toJson(long now) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("project", project);
    json.put("environment", environment);
    json.put("flag", flag);
    json.put("treatment", treatment);
    json.put("control", control);
    json.put("state", state.name());
    json.put("stage", stage);
    json.put("stages", plan.stages().size());
    json.put("percent", percent());
    json.put("stageStartedAt", Instant.ofEpochMilli(stageStartedAt).toString());
    json.put("timeInStageSeconds", state.ended() ? null : (now - stageStartedAt) / 1000);
    json.put("judgedUntil", Instant.ofEpochMilli(judgedUntil).toString());
    json.put("reason", reason);
    json.put("evidence", evidence);
    json.put("plan", plan.toJson());
    json.put("version", version);
    json.put("createdAt", Instant.ofEpochMilli(createdAt).toString());
    json.put("updatedAt", Instant.ofEpochMilli(updatedAt).toString());
    return json;
  }
}

package dev.rollgate.server.experiments;

import dev.rollgate.server.domain.Plain;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** One experiment: what it compares (its definition), on which flag, and where it is. */
public record Experiment(
    String id,
    String project,
    String environment,
    String key,
    String flag,
    ExperimentDefinition definition,
    ExperimentState state,
    long version,
    long createdAt,
    Long startedAt,
    Long stoppedAt)
    implements Plain.Shown {

  String resource() {
    return "projects/" + project + "/environments/" + environment + "/experiments/" + key;
  }

  /** Flat: the definition's fields sit beside the experiment's own. */
  @Override
  public Object plain() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("key", key);
    json.put("project", project);
    json.put("environment", environment);
    json.put("flag", flag);
    json.put("state", state);
    json.putAll(definition.toJson());
    json.put("createdAt", Instant.ofEpochMilli(createdAt).toString());
    json.put("startedAt", startedAt == null ? null : Instant.ofEpochMilli(startedAt).toString());
    json.put("stoppedAt", stoppedAt == null ? null : Instant.ofEpochMilli(stoppedAt).toString());
    json.put("version", version);
    return json;
  }

  Experiment withState(ExperimentState newState, Long started, Long stopped) {
    return new Experiment(
        id,
        project,
        environment,
        key,
        flag,
        definition,
        newState,
        version + 1,
        createdAt,
        started,
        stopped);
  }
}

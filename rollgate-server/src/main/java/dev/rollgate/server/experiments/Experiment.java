package dev.rollgate.server.experiments;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One experiment as stored, and its SQL. */
record Experiment(
    String id,
    String project,
    String environment,
    String key,
    String flag,
    ExperimentDefinition definition,
    String state,
    long version,
    long createdAt,
    Long startedAt,
    Long stoppedAt) {

  private static final String COLUMNS =
      "experiment_id, project_key, environment_key, experiment_key, flag_key, definition, state,"
          + " version, created_at, started_at, stopped_at";

  String resource() {
    return "projects/" + project + "/environments/" + environment + "/experiments/" + key;
  }

  Map<String, Object> toJson() {
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

  void insert(Tx tx) throws SQLException {
    tx.update(
        "INSERT INTO experiments (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        id,
        project,
        environment,
        key,
        flag,
        Json.write(definition.toJson()),
        state,
        version,
        createdAt,
        startedAt,
        stoppedAt);
  }

  /** Stores a new state if the stored version is still {@code expected}; false otherwise. */
  boolean update(Tx tx, long expected) throws SQLException {
    return tx.update(
            "UPDATE experiments SET state = ?, version = ?, started_at = ?, stopped_at = ?"
                + " WHERE experiment_id = ? AND version = ?",
            state,
            version,
            startedAt,
            stoppedAt,
            id,
            expected)
        == 1;
  }

  Experiment withState(String newState, Long started, Long stopped) {
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

  static Optional<Experiment> find(Tx tx, String project, String environment, String key)
      throws SQLException {
    return tx.one(
        "SELECT "
            + COLUMNS
            + " FROM experiments WHERE project_key = ? AND environment_key = ?"
            + " AND experiment_key = ?",
        Experiment::read,
        project,
        environment,
        key);
  }

  static List<Experiment> list(Tx tx, String project, String environment) throws SQLException {
    return tx.list(
        "SELECT "
            + COLUMNS
            + " FROM experiments WHERE project_key = ? AND environment_key = ?"
            + " ORDER BY experiment_key",
        Experiment::read,
        project,
        environment);
  }

  static List<Experiment> running(Tx tx) throws SQLException {
    return tx.list(
        "SELECT " + COLUMNS + " FROM experiments WHERE state = 'RUNNING'", Experiment::read);
  }

  @SuppressWarnings("unchecked")
  private static Experiment read(ResultSet r) throws SQLException {
    long started = r.getLong(10);
    Long startedAt = r.wasNull() ? null : started;
    long stopped = r.getLong(11);
    Long stoppedAt = r.wasNull() ? null : stopped;
    return new Experiment(
        r.getString(1),
        r.getString(2),
        r.getString(3),
        r.getString(4),
        r.getString(5),
        ExperimentDefinition.fromJson((Map<String, Object>) Json.parse(r.getString(6))),
        r.getString(7),
        r.getLong(8),
        r.getLong(9),
        startedAt,
        stoppedAt);
  }
}

package dev.rollgate.server.schedules;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Schedule rows. */
final class ScheduleStore {
  private ScheduleStore() {}

  static void insert(Tx tx, Schedule s) throws SQLException {
    tx.update(
        "INSERT INTO flag_schedules (schedule_id, project_key, flag_key, environment_key, run_at,"
            + " change_json, comment, state, author_id, author_name, created_at, applied_at, late,"
            + " reason, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, NULL, ?)",
        s.id(),
        s.project(),
        s.flag(),
        s.environment(),
        s.at().toEpochMilli(),
        Json.write(s.change()),
        s.comment(),
        s.state().name(),
        s.createdBy().id(),
        s.createdBy().name(),
        s.createdAt().toEpochMilli(),
        s.version());
  }

  /** Ends a PENDING schedule; false when it is no longer PENDING at {@code version}. */
  static boolean finish(Tx tx, Schedule done, long expectedVersion) throws SQLException {
    return tx.update(
            "UPDATE flag_schedules SET state = ?, applied_at = ?, late = ?, reason = ?,"
                + " version = ? WHERE schedule_id = ? AND state = 'PENDING' AND version = ?",
            done.state().name(),
            done.appliedAt() == null ? null : done.appliedAt().toEpochMilli(),
            done.late() ? 1 : 0,
            done.reason(),
            done.version(),
            done.id(),
            expectedVersion)
        > 0;
  }

  static Optional<Schedule> find(Tx tx, String id) throws SQLException {
    return tx.one("SELECT * FROM flag_schedules WHERE schedule_id = ?", ScheduleStore::row, id);
  }

  static Schedule get(Tx tx, String project, String flag, String environment, String id)
      throws SQLException {
    return find(tx, id)
        .filter(s ->
            s.project().equals(project)
                && s.flag().equals(flag)
                && s.environment().equals(environment))
        .orElseThrow(
            () -> Failure.notFound("schedule " + id + " of flag " + flag + " in " + environment));
  }

  /** One flag's schedules, in one environment or (null) all, by time. */
  static List<Schedule> of(
      Tx tx, String project, String flag, String environment, Schedule.State state)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder("SELECT * FROM flag_schedules WHERE project_key = ? AND flag_key = ?");
    List<Object> args = new java.util.ArrayList<>(List.of(project, flag));
    if (environment != null) {
      sql.append(" AND environment_key = ?");
      args.add(environment);
    }
    if (state != null) {
      sql.append(" AND state = ?");
      args.add(state.name());
    }
    sql.append(" ORDER BY run_at, schedule_id LIMIT 1000");
    return tx.list(sql.toString(), ScheduleStore::row, args.toArray());
  }

  /** PENDING schedules due at {@code now}, oldest first. */
  static List<Schedule> due(Tx tx, long now, int limit) throws SQLException {
    return tx.list(
        "SELECT * FROM flag_schedules WHERE state = 'PENDING' AND run_at <= ?"
            + " ORDER BY run_at, schedule_id LIMIT "
            + limit,
        ScheduleStore::row,
        now);
  }

  static long pending(Tx tx, String project, String flag, String environment) throws SQLException {
    return tx.count(
        "SELECT COUNT(*) FROM flag_schedules WHERE project_key = ? AND flag_key = ?"
            + " AND environment_key = ? AND state = 'PENDING'",
        project,
        flag,
        environment);
  }

  @SuppressWarnings("unchecked")
  private static Schedule row(ResultSet r) throws SQLException {
    long applied = r.getLong("applied_at");
    boolean appliedNull = r.wasNull();
    return new Schedule(
        r.getString("schedule_id"),
        r.getString("project_key"),
        r.getString("flag_key"),
        r.getString("environment_key"),
        Instant.ofEpochMilli(r.getLong("run_at")),
        (Map<String, Object>) Json.parse(r.getString("change_json")),
        r.getString("comment"),
        Schedule.State.valueOf(r.getString("state")),
        new Schedule.Author(r.getString("author_id"), r.getString("author_name")),
        Instant.ofEpochMilli(r.getLong("created_at")),
        appliedNull ? null : Instant.ofEpochMilli(applied),
        r.getInt("late") != 0,
        r.getString("reason"),
        r.getLong("version"));
  }
}

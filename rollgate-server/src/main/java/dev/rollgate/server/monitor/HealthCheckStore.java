package dev.rollgate.server.monitor;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SQL for {@code health_checks}, {@code health_results} and {@code health_violations}. */
final class HealthCheckStore {
  private static final String COLUMNS =
      "check_id, project_key, name, description, type, spec, interval_ms, failures_to_open,"
          + " action, next_run_at, consecutive_failures, first_failure_at, last_run_at, last_ok,"
          + " version, created_at, updated_at";
  private static final String VIOLATION_COLUMNS =
      "v.violation_id, v.check_id, c.name, v.project_key, v.opened_at, v.first_failure_at,"
          + " v.last_failure_at, v.failures, v.resolved_at, v.evidence, v.action_taken";

  /** Results kept per check: the newest, enough for a day at one-minute intervals. */
  static final int RESULTS_KEPT = 1440;

  private HealthCheckStore() {}

  static void insert(Tx tx, HealthCheck c) throws SQLException {
    tx.update(
        "INSERT INTO health_checks ("
            + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        c.id(),
        c.project(),
        c.name(),
        c.description(),
        c.spec().type(),
        Json.write(c.spec().settings()),
        c.intervalMs(),
        c.failuresToOpen(),
        c.action() == null ? null : Json.write(c.action().toJson()),
        c.nextRunAt(),
        c.consecutiveFailures(),
        c.firstFailureAt(),
        c.lastRunAt(),
        c.lastOk() == null ? null : c.lastOk() ? 1 : 0,
        c.version(),
        c.createdAt(),
        c.updatedAt());
  }

  /** Writes a changed definition if it is still at {@code expectedVersion}. */
  static boolean update(Tx tx, HealthCheck c, long expectedVersion) throws SQLException {
    return tx.update(
            "UPDATE health_checks SET name = ?, description = ?, type = ?, spec = ?,"
                + " interval_ms = ?, failures_to_open = ?, action = ?, next_run_at = ?,"
                + " version = ?, updated_at = ? WHERE check_id = ? AND version = ?",
            c.name(),
            c.description(),
            c.spec().type(),
            Json.write(c.spec().settings()),
            c.intervalMs(),
            c.failuresToOpen(),
            c.action() == null ? null : Json.write(c.action().toJson()),
            c.nextRunAt(),
            c.version(),
            c.updatedAt(),
            c.id(),
            expectedVersion)
        == 1;
  }

  /** Where the check's runs stand, after one (the definition and its version untouched). */
  static void ran(Tx tx, HealthCheck c) throws SQLException {
    tx.update(
        "UPDATE health_checks SET consecutive_failures = ?, first_failure_at = ?, last_run_at = ?,"
            + " last_ok = ? WHERE check_id = ?",
        c.consecutiveFailures(),
        c.firstFailureAt(),
        c.lastRunAt(),
        c.lastOk() == null ? null : c.lastOk() ? 1 : 0,
        c.id());
  }

  /**
   * Claims a due run: moves the check's next run on, if no one did first. Only the claimant runs
   * it, so a run is never made twice, whichever replica leads.
   */
  static boolean claim(Tx tx, String id, long dueAt, long nextRunAt) throws SQLException {
    return tx.update(
            "UPDATE health_checks SET next_run_at = ? WHERE check_id = ? AND next_run_at = ?",
            nextRunAt,
            id,
            dueAt)
        == 1;
  }

  static boolean delete(Tx tx, String id, long expectedVersion) throws SQLException {
    return tx.update(
            "DELETE FROM health_checks WHERE check_id = ? AND version = ?", id, expectedVersion)
        == 1;
  }

  static Optional<HealthCheck> get(Tx tx, String project, String id) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM health_checks WHERE project_key = ? AND check_id = ?",
        HealthCheckStore::read,
        project,
        id);
  }

  static Optional<HealthCheck> byId(Tx tx, String id) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM health_checks WHERE check_id = ?", HealthCheckStore::read, id);
  }

  static boolean nameTaken(Tx tx, String project, String name, String exceptId)
      throws SQLException {
    return tx.count(
            "SELECT COUNT(*) FROM health_checks WHERE project_key = ? AND name = ?"
                + " AND check_id <> ?",
            project,
            name,
            exceptId == null ? "" : exceptId)
        > 0;
  }

  static List<HealthCheck> list(Tx tx, String project) throws SQLException {
    return tx.list(
        "SELECT " + COLUMNS + " FROM health_checks WHERE project_key = ? ORDER BY name",
        HealthCheckStore::read,
        project);
  }

  /** Checks whose next run is due at {@code now}, the most overdue first. */
  static List<HealthCheck> due(Tx tx, long now, int limit) throws SQLException {
    return tx.list(
        "SELECT "
            + COLUMNS
            + " FROM health_checks WHERE next_run_at <= ? ORDER BY next_run_at, check_id LIMIT ?",
        HealthCheckStore::read,
        now,
        limit);
  }

  /** Every check's pass (1), fail (0) or not yet run (null), for the gauges. */
  static List<Object[]> statuses(Tx tx) throws SQLException {
    return tx.list(
        "SELECT project_key, name, last_ok FROM health_checks",
        r -> new Object[] {r.getString(1), r.getString(2), nullableLong(r, 3)});
  }

  /** Violations open now, all projects together. */
  static long openCount(Tx tx) throws SQLException {
    return tx.count("SELECT COUNT(*) FROM health_violations WHERE resolved_at IS NULL");
  }

  static void result(Tx tx, String id, ProbeResult r) throws SQLException {
    long seq =
        tx.count("SELECT COALESCE(MAX(seq), 0) FROM health_results WHERE check_id = ?", id) + 1;
    tx.update(
        "INSERT INTO health_results (check_id, seq, at, ok, duration_ms, observed, message)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
        id,
        seq,
        r.at().toEpochMilli(),
        r.ok() ? 1 : 0,
        r.durationMs(),
        r.observed(),
        r.message());
    if (seq > RESULTS_KEPT) {
      tx.update(
          "DELETE FROM health_results WHERE check_id = ? AND seq <= ?", id, seq - RESULTS_KEPT);
    }
  }

  static List<ProbeResult> results(Tx tx, String id, int limit) throws SQLException {
    return tx.list(
        "SELECT ok, observed, message, duration_ms, at FROM health_results WHERE check_id = ?"
            + " ORDER BY seq DESC LIMIT ?",
        r ->
            new ProbeResult(
                r.getInt(1) == 1,
                nullableDouble(r, 2),
                r.getString(3),
                r.getLong(4),
                Instant.ofEpochMilli(r.getLong(5))),
        id,
        limit);
  }

  static Optional<Violation> openViolation(Tx tx, String checkId) throws SQLException {
    return tx.one(
        "SELECT "
            + VIOLATION_COLUMNS
            + " FROM health_violations v JOIN health_checks c ON c.check_id = v.check_id"
            + " WHERE v.check_id = ? AND v.resolved_at IS NULL",
        HealthCheckStore::violation,
        checkId);
  }

  static void openViolation(Tx tx, Violation v) throws SQLException {
    tx.update(
        "INSERT INTO health_violations (violation_id, check_id, project_key, opened_at,"
            + " first_failure_at, last_failure_at, failures, resolved_at, evidence, action_taken)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
        v.id(),
        v.checkId(),
        v.project(),
        v.openedAt().toEpochMilli(),
        v.firstFailureAt().toEpochMilli(),
        v.lastFailureAt().toEpochMilli(),
        v.failures(),
        Json.write(v.evidence()),
        v.actionTaken());
  }

  static void failedAgain(Tx tx, String violationId, long at) throws SQLException {
    tx.update(
        "UPDATE health_violations SET last_failure_at = ?, failures = failures + 1"
            + " WHERE violation_id = ?",
        at,
        violationId);
  }

  static void resolve(Tx tx, String violationId, long at) throws SQLException {
    tx.update(
        "UPDATE health_violations SET resolved_at = ? WHERE violation_id = ?", at, violationId);
  }

  /** The project's violations, newest first; {@code state} open, resolved or null for both. */
  static List<Violation> violations(Tx tx, String project, String state, String checkId, int limit)
      throws SQLException {
    String where =
        "open".equals(state)
            ? " AND v.resolved_at IS NULL"
            : "resolved".equals(state) ? " AND v.resolved_at IS NOT NULL" : "";
    String sql =
        "SELECT "
            + VIOLATION_COLUMNS
            + " FROM health_violations v JOIN health_checks c ON c.check_id = v.check_id"
            + " WHERE v.project_key = ?"
            + where
            + (checkId == null ? "" : " AND v.check_id = ?")
            + " ORDER BY v.opened_at DESC, v.violation_id LIMIT ?";
    return checkId == null
        ? tx.list(sql, HealthCheckStore::violation, project, limit)
        : tx.list(sql, HealthCheckStore::violation, project, checkId, limit);
  }

  @SuppressWarnings("unchecked")
  private static Violation violation(ResultSet r) throws SQLException {
    long resolved = r.getLong(9);
    boolean open = r.wasNull();
    return new Violation(
        r.getString(1),
        r.getString(2),
        r.getString(3),
        r.getString(4),
        open ? "open" : "resolved",
        Instant.ofEpochMilli(r.getLong(5)),
        Instant.ofEpochMilli(r.getLong(6)),
        Instant.ofEpochMilli(r.getLong(7)),
        r.getInt(8),
        open ? null : Instant.ofEpochMilli(resolved),
        (Map<String, Object>) Json.parse(r.getString(10)),
        r.getString(11));
  }

  @SuppressWarnings("unchecked")
  private static HealthCheck read(ResultSet r) throws SQLException {
    String action = r.getString(9);
    Long lastOk = nullableLong(r, 14);
    return new HealthCheck(
        r.getString(1),
        r.getString(2),
        r.getString(3),
        r.getString(4),
        CheckSpec.stored(r.getString(5), (Map<String, Object>) Json.parse(r.getString(6))),
        r.getLong(7),
        r.getInt(8),
        action == null ? null : CheckAction.parse(Json.parse(action), "action"),
        r.getLong(10),
        r.getInt(11),
        nullableLong(r, 12),
        nullableLong(r, 13),
        lastOk == null ? null : lastOk == 1,
        r.getLong(15),
        r.getLong(16),
        r.getLong(17));
  }

  private static Long nullableLong(ResultSet r, int column) throws SQLException {
    long value = r.getLong(column);
    return r.wasNull() ? null : value;
  }

  private static Double nullableDouble(ResultSet r, int column) throws SQLException {
    double value = r.getDouble(column);
    return r.wasNull() ? null : value;
  }
}

package dev.rollgate.server.usage;

import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.List;

/**
 * SQL for {@code flag_usage_minutes} and {@code flag_usage_days}: each replica adds what it counted
 * since its last flush, so the rows hold the sum over every replica.
 */
final class UsageStore {
  private UsageStore() {}

  /** Evaluations of one flag's variant and reason that one flush adds. */
  record Delta(
      String project,
      String environment,
      String flag,
      String variant,
      String reason,
      long evaluations,
      long lastEvaluatedAt) {}

  /** One flag's evaluations of a variant and reason, over some span. */
  record Count(String flag, String variant, String reason, long evaluations, long lastAt) {}

  /** A flag's evaluations in one minute. */
  record Minute(String flag, long start, long evaluations) {}

  static void add(Tx tx, List<Delta> deltas, long minuteStart, long dayStart) throws SQLException {
    for (Delta d : deltas) {
      upsert(tx, "flag_usage_minutes", "minute_start", minuteStart, d);
      upsert(tx, "flag_usage_days", "day_start", dayStart, d);
    }
  }

  private static void upsert(Tx tx, String table, String column, long start, Delta d)
      throws SQLException {
    tx.update(
        "INSERT INTO "
            + table
            + " (project_key, environment_key, "
            + column
            + ", flag_key, variant, reason, evaluations, last_evaluated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (project_key, environment_key, "
            + column
            + ", flag_key, variant, reason) DO UPDATE SET evaluations = "
            + table
            + ".evaluations + excluded.evaluations, last_evaluated_at = CASE WHEN"
            + " excluded.last_evaluated_at > "
            + table
            + ".last_evaluated_at THEN excluded.last_evaluated_at ELSE "
            + table
            + ".last_evaluated_at END",
        d.project(),
        d.environment(),
        start,
        d.flag(),
        d.variant(),
        d.reason(),
        d.evaluations(),
        d.lastEvaluatedAt());
  }

  /** Per flag, variant and reason since {@code fromDay} (a day's start), or every flag's. */
  static List<Count> days(Tx tx, String project, String environment, String flag, long fromDay)
      throws SQLException {
    return tx.list(
        "SELECT flag_key, variant, reason, SUM(evaluations), MAX(last_evaluated_at)"
            + " FROM flag_usage_days WHERE project_key = ? AND environment_key = ?"
            + " AND day_start >= ?"
            + (flag == null ? "" : " AND flag_key = ?")
            + " GROUP BY flag_key, variant, reason ORDER BY flag_key, variant, reason",
        r -> new Count(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5)),
        flag == null
            ? new Object[] {project, environment, fromDay}
            : new Object[] {project, environment, fromDay, flag});
  }

  /** Per flag and minute since {@code fromMinute}, or one flag's. */
  static List<Minute> minutes(
      Tx tx, String project, String environment, String flag, long fromMinute) throws SQLException {
    return tx.list(
        "SELECT flag_key, minute_start, SUM(evaluations) FROM flag_usage_minutes"
            + " WHERE project_key = ? AND environment_key = ? AND minute_start >= ?"
            + (flag == null ? "" : " AND flag_key = ?")
            + " GROUP BY flag_key, minute_start ORDER BY flag_key, minute_start",
        r -> new Minute(r.getString(1), r.getLong(2), r.getLong(3)),
        flag == null
            ? new Object[] {project, environment, fromMinute}
            : new Object[] {project, environment, fromMinute, flag});
  }

  /** Drops minutes and days older than what is kept. */
  static void prune(Tx tx, long beforeMinute, long beforeDay) throws SQLException {
    tx.update("DELETE FROM flag_usage_minutes WHERE minute_start < ?", beforeMinute);
    tx.update("DELETE FROM flag_usage_days WHERE day_start < ?", beforeDay);
  }
}

package dev.rollgate.server.monitor;

import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * The values services push as {@code {"type": "metric", "name", "value", "time"}} events: what
 * {@code metric} health checks and releases' custom metrics read. A value pushed twice for the same
 * millisecond keeps the later one.
 */
public final class PushedMetrics {
  /** One pushed value. */
  public record Value(String name, double value, long at) {}

  private final Database db;

  public PushedMetrics(Database db) {
    this.db = db;
  }

  /** Keeps a batch of values from one environment's SDK token. */
  public void record(String project, String environment, List<Value> values) {
    if (values.isEmpty()) {
      return;
    }
    db.inTransaction(tx -> {
      for (Value v : values) {
        tx.update(
            "INSERT INTO metric_values (project_key, environment_key, name, at, value)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (project_key, environment_key, name, at)"
                + " DO UPDATE SET value = excluded.value",
            project,
            environment,
            v.name(),
            v.at(),
            v.value());
      }
      return null;
    });
  }

  /** The latest value of {@code name} at or after {@code since}, if any. */
  Optional<Value> latest(String project, String environment, String name, long since) {
    return db.inTransaction(tx -> latest(tx, project, environment, name, since));
  }

  static Optional<Value> latest(Tx tx, String project, String environment, String name, long since)
      throws SQLException {
    return tx.one(
        "SELECT name, value, at FROM metric_values WHERE project_key = ? AND environment_key = ?"
            + " AND name = ? AND at >= ? ORDER BY at DESC LIMIT 1",
        r -> new Value(r.getString(1), r.getDouble(2), r.getLong(3)),
        project,
        environment,
        name,
        since);
  }

  /** Every value of {@code name} in [{@code from}, {@code to}), oldest first. */
  public List<Value> between(String project, String environment, String name, long from, long to) {
    return db.inTransaction(tx ->
        tx.list(
            "SELECT name, value, at FROM metric_values WHERE project_key = ? AND environment_key = ?"
                + " AND name = ? AND at >= ? AND at < ? ORDER BY at",
            r -> new Value(r.getString(1), r.getDouble(2), r.getLong(3)),
            project,
            environment,
            name,
            from,
            to));
  }
}

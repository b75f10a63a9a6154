package dev.rollgate.server.experiments;

import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/** The metrics table (the built-in metrics are not stored). */
final class MetricStore {
  private static final String SELECT =
      "SELECT metric_key, name, kind, event_name, denominator_event FROM metrics";

  private MetricStore() {}

  static void insert(Tx tx, String project, MetricDefinition m, long now) throws SQLException {
    tx.update(
        "INSERT INTO metrics (project_key, metric_key, name, kind, event_name, denominator_event,"
            + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        project,
        m.key(),
        m.name(),
        m.kind().label(),
        m.event(),
        m.denominatorEvent(),
        now);
  }

  static List<MetricDefinition> all(Tx tx, String project) throws SQLException {
    return tx.list(
        SELECT + " WHERE project_key = ? ORDER BY metric_key", MetricStore::read, project);
  }

  static Optional<MetricDefinition> find(Tx tx, String project, String key) throws SQLException {
    return tx.one(
        SELECT + " WHERE project_key = ? AND metric_key = ?", MetricStore::read, project, key);
  }

  static void delete(Tx tx, String project, String key) throws SQLException {
    tx.update("DELETE FROM metrics WHERE project_key = ? AND metric_key = ?", project, key);
  }

  private static MetricDefinition read(ResultSet r) throws SQLException {
    return new MetricDefinition(
        r.getString(1),
        r.getString(2),
        MetricKind.parse(r.getString(3)),
        r.getString(4),
        r.getString(5));
  }
}

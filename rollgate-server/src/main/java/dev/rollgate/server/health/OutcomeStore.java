package dev.rollgate.server.health;

import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.Map;
import java.util.TreeMap;

/** SQL for {@code outcome_windows}: one row per flag, variant, route and second. */
final class OutcomeStore {
  private OutcomeStore() {}

  /** Adds to a row: created empty when missing, then read and rewritten under its row lock. */
  static void merge(Tx tx, Database.Dialect dialect, Outcomes.Key key, CohortStats add)
      throws SQLException {
    Object[] id = {
      key.project(), key.environment(), key.flag(), key.second(), key.variant(), key.route()
    };
    tx.update(
        "INSERT INTO outcome_windows (project_key, environment_key, flag_key, window_start,"
            + " variant, route, requests, errors, latency) VALUES (?, ?, ?, ?, ?, ?, 0, 0, '{}')"
            + " ON CONFLICT DO NOTHING",
        id);
    String where =
        " WHERE project_key = ? AND environment_key = ? AND flag_key = ? AND window_start = ?"
            + " AND variant = ? AND route = ?";
    CohortStats row =
        tx.one(
                "SELECT requests, errors, latency FROM outcome_windows"
                    + where
                    + (dialect == Database.Dialect.POSTGRES ? " FOR UPDATE" : ""),
                OutcomeStore::stats,
                id)
            .orElseThrow();
    row.add(add);
    Object[] args = new Object[id.length + 3];
    args[0] = row.requests();
    args[1] = row.errors();
    args[2] = Json.write(row.latency().toJson().get("buckets"));
    System.arraycopy(id, 0, args, 3, id.length);
    tx.update("UPDATE outcome_windows SET requests = ?, errors = ?, latency = ?" + where, args);
  }

  /** Per variant, everything recorded for a flag in {@code [from, to)} (epoch ms), all routes. */
  static Map<String, CohortStats> byVariant(
      Tx tx, String project, String environment, String flag, long from, long to)
      throws SQLException {
    Map<String, CohortStats> out = new TreeMap<>();
    for (Map<String, Map<String, CohortStats>> step :
        series(tx, project, environment, flag, from, to, Math.max(1, to - from)).values()) {
      step.forEach((variant, routes) ->
          routes
              .values()
              .forEach(s -> out.computeIfAbsent(variant, v -> new CohortStats()).add(s)));
    }
    return out;
  }

  /** Per step start, variant and route: for the metrics endpoint. */
  static Map<Long, Map<String, Map<String, CohortStats>>> series(
      Tx tx, String project, String environment, String flag, long from, long to, long step)
      throws SQLException {
    Map<Long, Map<String, Map<String, CohortStats>>> out = new TreeMap<>();
    tx.list(
        "SELECT window_start, variant, route, requests, errors, latency FROM outcome_windows"
            + " WHERE project_key = ? AND environment_key = ? AND flag_key = ?"
            + " AND window_start >= ? AND window_start < ?",
        r -> {
          long bucket = from + (r.getLong(1) - from) / step * step;
          out.computeIfAbsent(bucket, b -> new TreeMap<>())
              .computeIfAbsent(r.getString(2), v -> new TreeMap<>())
              .computeIfAbsent(r.getString(3), x -> new CohortStats())
              .add(stats(r, 4));
          return null;
        },
        project,
        environment,
        flag,
        from,
        to);
    return out;
  }

  /** Deletes rows older than {@code before}; returns how many. */
  static int prune(Tx tx, long before) throws SQLException {
    return tx.update("DELETE FROM outcome_windows WHERE window_start < ?", before);
  }

  private static CohortStats stats(java.sql.ResultSet r) throws SQLException {
    return stats(r, 1);
  }

  private static CohortStats stats(java.sql.ResultSet r, int first) throws SQLException {
    return new CohortStats(
        r.getLong(first),
        r.getLong(first + 1),
        LatencyHistogram.fromJson(
            Map.of(
                "gamma", LatencyHistogram.GAMMA, "buckets", Json.parse(r.getString(first + 2)))));
  }
}

package dev.rollgate.server.segments;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.catalog.References;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The segments table. */
final class SegmentStore {
  private SegmentStore() {}

  static List<Segment> list(Tx tx, String project) throws SQLException {
    return tx.list(
        "SELECT * FROM segments WHERE project_key = ? ORDER BY segment_key",
        SegmentStore::segment,
        project);
  }

  static Optional<Segment> find(Tx tx, String project, String key) throws SQLException {
    return tx.one(
        "SELECT * FROM segments WHERE project_key = ? AND segment_key = ?",
        SegmentStore::segment,
        project,
        key);
  }

  static void insert(Tx tx, String project, Segment s) throws SQLException {
    tx.update(
        "INSERT INTO segments (project_key, segment_key, name, description, rules, version, created_at, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        project,
        s.key(),
        s.name(),
        s.description(),
        Json.write(s.rules()),
        s.version(),
        s.createdAt().toEpochMilli(),
        s.updatedAt().toEpochMilli());
  }

  /** Writes {@code s} over the row at {@code expectedVersion}; false when the row moved on. */
  static boolean update(Tx tx, String project, Segment s, long expectedVersion)
      throws SQLException {
    return tx.update(
            "UPDATE segments SET name = ?, description = ?, rules = ?, version = ?, updated_at = ?"
                + " WHERE project_key = ? AND segment_key = ? AND version = ?",
            s.name(),
            s.description(),
            Json.write(s.rules()),
            s.version(),
            s.updatedAt().toEpochMilli(),
            project,
            s.key(),
            expectedVersion)
        > 0;
  }

  static boolean delete(Tx tx, String project, String key, long expectedVersion)
      throws SQLException {
    return tx.update(
            "DELETE FROM segments WHERE project_key = ? AND segment_key = ? AND version = ?",
            project,
            key,
            expectedVersion)
        > 0;
  }

  /** The flags (per environment) and segments whose targeting refers to segment {@code key}. */
  static List<Map<String, Object>> referrers(Tx tx, String project, String key)
      throws SQLException {
    List<Map<String, Object>> users = new ArrayList<>();
    tx.list(
        "SELECT flag_key, environment_key, targeting FROM flag_environments WHERE project_key = ?"
            + " AND targeting IS NOT NULL ORDER BY flag_key, environment_key",
        r -> {
          if (References.refersTo(Json.parse(r.getString(3)), key)) {
            users.add(Map.of("flag", r.getString(1), "environment", r.getString(2)));
          }
          return null;
        },
        project);
    tx.list(
        "SELECT segment_key, rules FROM segments WHERE project_key = ? AND segment_key <> ? ORDER BY segment_key",
        r -> {
          if (References.refersTo(Json.parse(r.getString(2)), key)) {
            users.add(Map.of("segment", r.getString(1)));
          }
          return null;
        },
        project,
        key);
    return users;
  }

  /** Every segment of a project: key to rules. */
  static Map<String, Object> rulesByKey(Tx tx, String project) throws SQLException {
    Map<String, Object> rules = new LinkedHashMap<>();
    tx.list(
        "SELECT segment_key, rules FROM segments WHERE project_key = ? ORDER BY segment_key",
        r -> rules.put(r.getString(1), Json.parse(r.getString(2))),
        project);
    return rules;
  }

  private static Segment segment(ResultSet r) throws SQLException {
    return new Segment(
        r.getString("segment_key"),
        r.getString("name"),
        r.getString("description"),
        Json.parse(r.getString("rules")),
        r.getLong("version"),
        Instant.ofEpochMilli(r.getLong("created_at")),
        Instant.ofEpochMilli(r.getLong("updated_at")));
  }
}

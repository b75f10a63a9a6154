package dev.rollgate.server.segments;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.audit.Actor;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.References;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Segments: named, reusable targeting ("pilot tenants", "internal staff"), served to flagd as
 * shared evaluators and referred to from targeting with {@code {"$ref": key}}.
 */
public final class SegmentService {
  static final Set<String> CREATE_FIELDS = Set.of("key", "name", "description", "rules");
  static final Set<String> UPDATE_FIELDS = Set.of("name", "description", "rules");

  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public SegmentService(Catalog catalog, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  /** A stored segment. */
  public record Segment(
      String key,
      String name,
      String description,
      Object rules,
      long version,
      long createdAt,
      long updatedAt) {
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("key", key);
      json.put("name", name);
      json.put("description", description);
      json.put("rules", rules);
      json.put("version", version);
      json.put("createdAt", Instant.ofEpochMilli(createdAt).toString());
      json.put("updatedAt", Instant.ofEpochMilli(updatedAt).toString());
      return json;
    }
  }

  public List<Map<String, Object>> list(String project) {
    return catalog.read(tx -> {
      Projects.require(tx, project);
      return tx
          .list(
              "SELECT * FROM segments WHERE project_key = ? ORDER BY segment_key",
              SegmentService::segment,
              project)
          .stream()
          .map(Segment::toJson)
          .toList();
    });
  }

  public Map<String, Object> get(String project, String key) {
    return catalog.read(tx -> require(tx, project, key).toJson());
  }

  public Map<String, Object> create(Actor actor, String project, JsonBody body) {
    String key = body.key("key");
    Object rules = rules(body, true);
    return catalog.write(
        project,
        null,
        tx -> {
          Projects.require(tx, project);
          if (find(tx, project, key).isPresent()) {
            throw Failure.conflict("segment " + project + "/" + key + " already exists");
          }
          Segment segment =
              insert(
                  tx,
                  project,
                  key,
                  orDefault(body.string("name", false), key),
                  orDefault(body.string("description", false), ""),
                  rules);
          audit.append(tx, actor, "segment.create", resource(project, key), null, segment.toJson());
          return segment.toJson();
        });
  }

  public Map<String, Object> update(
      Actor actor, String project, String key, Long ifMatch, JsonBody body) {
    return catalog.write(
        project,
        ifMatch,
        tx -> {
          Segment before = require(tx, project, key);
          VersionConflict.check("segment " + project + "/" + key, ifMatch, before.version());
          Object rules = body.has("rules") ? rules(body, true) : before.rules();
          Segment after =
              write(
                  tx,
                  project,
                  before,
                  orDefault(body.string("name", false), before.name()),
                  orDefault(body.string("description", false), before.description()),
                  rules);
          audit.append(
              tx, actor, "segment.update", resource(project, key), before.toJson(), after.toJson());
          return after.toJson();
        });
  }

  /** Deletes a segment; refused with 409 while flags or other segments still refer to it. */
  public void delete(Actor actor, String project, String key, Long ifMatch) {
    catalog.write(
        project,
        ifMatch,
        tx -> {
          Segment before = require(tx, project, key);
          VersionConflict.check("segment " + project + "/" + key, ifMatch, before.version());
          List<Map<String, Object>> users = referrers(tx, project, key);
          if (!users.isEmpty()) {
            throw new Failure(
                Failure.Kind.CONFLICT,
                "segment_in_use",
                "segment " + key + " is still used by " + describe(users),
                users);
          }
          tx.update(
              "DELETE FROM segments WHERE project_key = ? AND segment_key = ? AND version = ?",
              project,
              key,
              before.version());
          audit.append(tx, actor, "segment.delete", resource(project, key), before.toJson(), null);
          return null;
        });
  }

  private static String describe(List<Map<String, Object>> users) {
    List<String> names = new ArrayList<>();
    for (Map<String, Object> u : users) {
      names.add(
          u.containsKey("flag")
              ? "flag " + u.get("flag") + " (" + u.get("environment") + ")"
              : "segment " + u.get("segment"));
    }
    return String.join(", ", names);
  }

  /** The flags (per environment) and segments whose targeting refers to segment {@code key}. */
  private static List<Map<String, Object>> referrers(Tx tx, String project, String key)
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

  /**
   * Creates or replaces a segment's rules inside another change (flagd import); returns whether
   * anything changed.
   */
  public boolean upsert(Tx tx, Actor actor, String project, String key, Object rules)
      throws SQLException {
    Optional<Segment> existing = find(tx, project, key);
    if (existing.isEmpty()) {
      Segment created = insert(tx, project, key, key, "", rules);
      audit.append(tx, actor, "segment.create", resource(project, key), null, created.toJson());
      return true;
    }
    Segment before = existing.get();
    if (before.rules().equals(rules)) {
      return false;
    }
    Segment after = write(tx, project, before, before.name(), before.description(), rules);
    audit.append(
        tx, actor, "segment.update", resource(project, key), before.toJson(), after.toJson());
    return true;
  }

  /** Every segment of a project: key to rules. */
  public static Map<String, Object> rulesByKey(Tx tx, String project) throws SQLException {
    Map<String, Object> rules = new LinkedHashMap<>();
    tx.list(
        "SELECT segment_key, rules FROM segments WHERE project_key = ? ORDER BY segment_key",
        r -> rules.put(r.getString(1), Json.parse(r.getString(2))),
        project);
    return rules;
  }

  private Segment insert(
      Tx tx, String project, String key, String name, String description, Object rules)
      throws SQLException {
    long now = clock.millis();
    tx.update(
        "INSERT INTO segments (project_key, segment_key, name, description, rules, version, created_at, updated_at)"
            + " VALUES (?, ?, ?, ?, ?, 1, ?, ?)",
        project,
        key,
        name,
        description,
        Json.write(rules),
        now,
        now);
    return new Segment(key, name, description, rules, 1, now, now);
  }

  private Segment write(
      Tx tx, String project, Segment before, String name, String description, Object rules)
      throws SQLException {
    long now = clock.millis();
    int rows =
        tx.update(
            "UPDATE segments SET name = ?, description = ?, rules = ?, version = version + 1, updated_at = ?"
                + " WHERE project_key = ? AND segment_key = ? AND version = ?",
            name,
            description,
            Json.write(rules),
            now,
            project,
            before.key(),
            before.version());
    if (rows == 0) {
      throw new VersionConflict("segment " + project + "/" + before.key());
    }
    return new Segment(
        before.key(), name, description, rules, before.version() + 1, before.createdAt(), now);
  }

  private static Object rules(JsonBody body, boolean required) {
    Object rules = body.raw("rules");
    if (rules == null && required) {
      throw Failure.invalidField(body.path("rules"), "is required: a JsonLogic expression");
    }
    if (!(rules instanceof Map<?, ?>)) {
      throw Failure.invalidField(body.path("rules"), "must be a JsonLogic object");
    }
    return rules;
  }

  private static Optional<Segment> find(Tx tx, String project, String key) throws SQLException {
    return tx.one(
        "SELECT * FROM segments WHERE project_key = ? AND segment_key = ?",
        SegmentService::segment,
        project,
        key);
  }

  private static Segment require(Tx tx, String project, String key) throws SQLException {
    Projects.require(tx, project);
    return find(tx, project, key)
        .orElseThrow(() -> Failure.notFound("segment " + project + "/" + key));
  }

  private static Segment segment(ResultSet r) throws SQLException {
    return new Segment(
        r.getString("segment_key"),
        r.getString("name"),
        r.getString("description"),
        Json.parse(r.getString("rules")),
        r.getLong("version"),
        r.getLong("created_at"),
        r.getLong("updated_at"));
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }

  static String resource(String project, String key) {
    return "projects/" + project + "/segments/" + key;
  }
}

package dev.rollgate.server.projects;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.audit.Actor;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Projects and their environments. */
public final class ProjectService {
  /** What a fresh server starts with. */
  static final String DEFAULT_PROJECT = "default";

  static final List<String> DEFAULT_ENVIRONMENTS = List.of("development", "staging", "production");

  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public ProjectService(Catalog catalog, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  /** A project or an environment: a key, a name, a description and a version. */
  public record Entry(
      String key, String name, String description, long version, long createdAt, long updatedAt) {
    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("key", key);
      json.put("name", name);
      json.put("description", description);
      json.put("version", version);
      json.put("createdAt", Instant.ofEpochMilli(createdAt).toString());
      json.put("updatedAt", Instant.ofEpochMilli(updatedAt).toString());
      return json;
    }
  }

  /** On first start: the project {@code default} with development, staging and production. */
  public void ensureDefaultProject() {
    boolean empty = catalog.read(tx -> tx.count("SELECT COUNT(*) FROM projects") == 0);
    if (empty) {
      create(Actor.SYSTEM, DEFAULT_PROJECT, "Default project", "", DEFAULT_ENVIRONMENTS);
    }
  }

  public List<Map<String, Object>> list() {
    return catalog.read(tx -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (Entry p :
          tx.list("SELECT * FROM projects ORDER BY project_key", r -> entry(r, "project_key"))) {
        out.add(withEnvironments(tx, p));
      }
      return out;
    });
  }

  public Map<String, Object> get(String key) {
    return catalog.read(tx -> withEnvironments(tx, project(tx, key)));
  }

  private static Map<String, Object> withEnvironments(Tx tx, Entry project) throws SQLException {
    Map<String, Object> json = project.toJson();
    json.put(
        "environments",
        tx.list(
            "SELECT environment_key FROM environments WHERE project_key = ? ORDER BY environment_key",
            r -> r.getString(1),
            project.key()));
    return json;
  }

  public Map<String, Object> create(
      Actor actor, String key, String name, String description, List<String> environments) {
    return catalog.write(
        key,
        null,
        tx -> {
          if (tx.count("SELECT COUNT(*) FROM projects WHERE project_key = ?", key) > 0) {
            throw Failure.conflict("project " + key + " already exists");
          }
          long now = clock.millis();
          tx.update(
              "INSERT INTO projects (project_key, name, description, version, created_at, updated_at)"
                  + " VALUES (?, ?, ?, 1, ?, ?)",
              key,
              name == null ? key : name,
              description == null ? "" : description,
              now,
              now);
          for (String env : environments) {
            insertEnvironment(tx, key, env, env, "", now);
          }
          Map<String, Object> after = withEnvironments(tx, project(tx, key));
          audit.append(tx, actor, "project.create", "projects/" + key, null, after);
          return after;
        });
  }

  public Map<String, Object> update(
      Actor actor, String key, Long ifMatch, String name, String description) {
    return catalog.write(
        key,
        ifMatch,
        tx -> {
          Entry before = project(tx, key);
          long expected = ifMatch != null ? ifMatch : before.version();
          int rows =
              tx.update(
                  "UPDATE projects SET name = ?, description = ?, version = version + 1, updated_at = ?"
                      + " WHERE project_key = ? AND version = ?",
                  name == null ? before.name() : name,
                  description == null ? before.description() : description,
                  clock.millis(),
                  key,
                  expected);
          if (rows == 0) {
            throw new VersionConflict("project " + key);
          }
          Map<String, Object> after = withEnvironments(tx, project(tx, key));
          audit.append(
              tx, actor, "project.update", "projects/" + key, withEnvironments(tx, before), after);
          return after;
        });
  }

  /** Deletes a project; one with flags or segments only with {@code force}. */
  public void delete(Actor actor, String key, Long ifMatch, boolean force) {
    catalog.write(
        null,
        ifMatch,
        tx -> {
          Entry before = project(tx, key);
          VersionConflict.check("project " + key, ifMatch, before.version());
          long flags = tx.count("SELECT COUNT(*) FROM flags WHERE project_key = ?", key);
          long segments = tx.count("SELECT COUNT(*) FROM segments WHERE project_key = ?", key);
          if ((flags > 0 || segments > 0) && !force) {
            throw new Failure(
                Failure.Kind.CONFLICT,
                "not_empty",
                "project "
                    + key
                    + " has "
                    + flags
                    + " flag(s) and "
                    + segments
                    + " segment(s); delete with ?force=true to remove them too");
          }
          Map<String, Object> snapshot = withEnvironments(tx, before);
          tx.update("DELETE FROM projects WHERE project_key = ?", key);
          catalog.announce(tx, key);
          audit.append(tx, actor, "project.delete", "projects/" + key, snapshot, null);
          return null;
        });
    catalog.forget(key);
  }

  // Environments

  public List<Map<String, Object>> environments(String project) {
    return catalog.read(tx -> {
      project(tx, project);
      return tx
          .list(
              "SELECT * FROM environments WHERE project_key = ? ORDER BY environment_key",
              r -> entry(r, "environment_key"),
              project)
          .stream()
          .map(Entry::toJson)
          .toList();
    });
  }

  public Map<String, Object> environment(String project, String key) {
    return catalog.read(tx -> environment(tx, project, key).toJson());
  }

  public Map<String, Object> createEnvironment(
      Actor actor, String project, String key, String name, String description) {
    return catalog.write(
        project,
        null,
        tx -> {
          project(tx, project);
          if (tx.count(
                  "SELECT COUNT(*) FROM environments WHERE project_key = ? AND environment_key = ?",
                  project,
                  key)
              > 0) {
            throw Failure.conflict("environment " + project + "/" + key + " already exists");
          }
          insertEnvironment(
              tx,
              project,
              key,
              name == null ? key : name,
              description == null ? "" : description,
              clock.millis());
          Map<String, Object> after = environment(tx, project, key).toJson();
          audit.append(
              tx,
              actor,
              "environment.create",
              "projects/" + project + "/environments/" + key,
              null,
              after);
          return after;
        });
  }

  /**
   * Inserts an environment and gives every flag of the project a configuration there, switched off.
   */
  private static void insertEnvironment(
      Tx tx, String project, String key, String name, String description, long now)
      throws SQLException {
    tx.update(
        "INSERT INTO environments (project_key, environment_key, name, description, version, created_at, updated_at)"
            + " VALUES (?, ?, ?, ?, 1, ?, ?)",
        project,
        key,
        name,
        description,
        now,
        now);
    // Each flag starts switched off there, with the default variant it has elsewhere.
    List<String[]> flags =
        tx.list(
            "SELECT f.flag_key, f.variants, (SELECT e.default_variant FROM flag_environments e"
                + " WHERE e.project_key = f.project_key AND e.flag_key = f.flag_key"
                + " ORDER BY e.environment_key LIMIT 1) FROM flags f WHERE f.project_key = ?",
            r -> new String[] {r.getString(1), r.getString(2), r.getString(3)},
            project);
    for (String[] flag : flags) {
      String defaultVariant = flag[2];
      if (defaultVariant == null) {
        Map<?, ?> variants = (Map<?, ?>) Json.parse(flag[1]);
        defaultVariant = (String) variants.keySet().iterator().next();
      }
      tx.update(
          "INSERT INTO flag_environments (project_key, flag_key, environment_key, state, default_variant,"
              + " targeting, metadata) VALUES (?, ?, ?, 'DISABLED', ?, NULL, '{}')",
          project,
          flag[0],
          key,
          defaultVariant);
    }
  }

  public Map<String, Object> updateEnvironment(
      Actor actor, String project, String key, Long ifMatch, String name, String description) {
    return catalog.write(
        project,
        ifMatch,
        tx -> {
          Entry before = environment(tx, project, key);
          long expected = ifMatch != null ? ifMatch : before.version();
          int rows =
              tx.update(
                  "UPDATE environments SET name = ?, description = ?, version = version + 1, updated_at = ?"
                      + " WHERE project_key = ? AND environment_key = ? AND version = ?",
                  name == null ? before.name() : name,
                  description == null ? before.description() : description,
                  clock.millis(),
                  project,
                  key,
                  expected);
          if (rows == 0) {
            throw new VersionConflict("environment " + project + "/" + key);
          }
          Map<String, Object> after = environment(tx, project, key).toJson();
          audit.append(
              tx,
              actor,
              "environment.update",
              "projects/" + project + "/environments/" + key,
              before.toJson(),
              after);
          return after;
        });
  }

  public void deleteEnvironment(Actor actor, String project, String key, Long ifMatch) {
    catalog.write(
        project,
        ifMatch,
        tx -> {
          Entry before = environment(tx, project, key);
          VersionConflict.check("environment " + project + "/" + key, ifMatch, before.version());
          tx.update(
              "DELETE FROM environments WHERE project_key = ? AND environment_key = ?",
              project,
              key);
          audit.append(
              tx,
              actor,
              "environment.delete",
              "projects/" + project + "/environments/" + key,
              before.toJson(),
              null);
          return null;
        });
  }

  static Entry project(Tx tx, String key) throws SQLException {
    return tx.one("SELECT * FROM projects WHERE project_key = ?", r -> entry(r, "project_key"), key)
        .orElseThrow(() -> Projects.projectNotFound(key));
  }

  static Entry environment(Tx tx, String project, String key) throws SQLException {
    project(tx, project);
    return tx.one(
            "SELECT * FROM environments WHERE project_key = ? AND environment_key = ?",
            r -> entry(r, "environment_key"),
            project,
            key)
        .orElseThrow(() -> Failure.notFound("environment " + project + "/" + key));
  }

  private static Entry entry(ResultSet r, String keyColumn) throws SQLException {
    return new Entry(
        r.getString(keyColumn),
        r.getString("name"),
        r.getString("description"),
        r.getLong("version"),
        r.getLong("created_at"),
        r.getLong("updated_at"));
  }
}

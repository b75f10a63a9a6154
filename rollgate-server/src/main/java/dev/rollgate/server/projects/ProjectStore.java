package dev.rollgate.server.projects;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The projects and environments tables. */
final class ProjectStore {
  private ProjectStore() {}

  static boolean any(Tx tx) throws SQLException {
    return tx.count("SELECT COUNT(*) FROM projects") > 0;
  }

  static boolean exists(Tx tx, String project) throws SQLException {
    return tx.count("SELECT COUNT(*) FROM projects WHERE project_key = ?", project) > 0;
  }

  /** Every project with its environments: one query for the projects, one per project after. */
  static List<Project> list(Tx tx) throws SQLException {
    List<Project> out = new java.util.ArrayList<>();
    for (Project p :
        tx.list("SELECT * FROM projects ORDER BY project_key", r -> project(r, List.of()))) {
      out.add(p.withEnvironments(environmentKeys(tx, p.key())));
    }
    return out;
  }

  static Optional<Project> find(Tx tx, String key) throws SQLException {
    Optional<Project> bare =
        tx.one("SELECT * FROM projects WHERE project_key = ?", r -> project(r, List.of()), key);
    return bare.isEmpty()
        ? bare
        : Optional.of(bare.get().withEnvironments(environmentKeys(tx, key)));
  }

  private static Project project(ResultSet r, List<String> environments) throws SQLException {
    return new Project(
        r.getString("project_key"),
        r.getString("name"),
        r.getString("description"),
        r.getLong("version"),
        Instant.ofEpochMilli(r.getLong("created_at")),
        Instant.ofEpochMilli(r.getLong("updated_at")),
        environments);
  }

  static void insert(Tx tx, String key, String name, String description, long now)
      throws SQLException {
    tx.update(
        "INSERT INTO projects (project_key, name, description, version, created_at, updated_at)"
            + " VALUES (?, ?, ?, 1, ?, ?)",
        key,
        name,
        description,
        now,
        now);
  }

  /** Writes name and description over the row at {@code expectedVersion}; false when it moved. */
  static boolean update(
      Tx tx, String key, String name, String description, long now, long expectedVersion)
      throws SQLException {
    return tx.update(
            "UPDATE projects SET name = ?, description = ?, version = version + 1, updated_at = ?"
                + " WHERE project_key = ? AND version = ?",
            name,
            description,
            now,
            key,
            expectedVersion)
        > 0;
  }

  static void delete(Tx tx, String key) throws SQLException {
    tx.update("DELETE FROM projects WHERE project_key = ?", key);
  }

  /** How many flags and segments a project holds. */
  static long[] contents(Tx tx, String key) throws SQLException {
    return new long[] {
      tx.count("SELECT COUNT(*) FROM flags WHERE project_key = ?", key),
      tx.count("SELECT COUNT(*) FROM segments WHERE project_key = ?", key)
    };
  }

  // Environments

  static List<String> environmentKeys(Tx tx, String project) throws SQLException {
    return tx.list(
        "SELECT environment_key FROM environments WHERE project_key = ? ORDER BY environment_key",
        r -> r.getString(1),
        project);
  }

  static List<Environment> environments(Tx tx, String project) throws SQLException {
    return tx.list(
        "SELECT * FROM environments WHERE project_key = ? ORDER BY environment_key",
        ProjectStore::environment,
        project);
  }

  static Optional<Environment> environment(Tx tx, String project, String key) throws SQLException {
    return tx.one(
        "SELECT * FROM environments WHERE project_key = ? AND environment_key = ?",
        ProjectStore::environment,
        project,
        key);
  }

  /**
   * Inserts an environment and gives every flag of the project a configuration there, switched off
   * with the default variant it has elsewhere: a flag exists in every environment of its project.
   */
  static void insertEnvironment(
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

  static boolean updateEnvironment(
      Tx tx,
      String project,
      String key,
      String name,
      String description,
      long now,
      long expectedVersion)
      throws SQLException {
    return tx.update(
            "UPDATE environments SET name = ?, description = ?, version = version + 1, updated_at = ?"
                + " WHERE project_key = ? AND environment_key = ? AND version = ?",
            name,
            description,
            now,
            project,
            key,
            expectedVersion)
        > 0;
  }

  static boolean deleteEnvironment(Tx tx, String project, String key, long expectedVersion)
      throws SQLException {
    return tx.update(
            "DELETE FROM environments WHERE project_key = ? AND environment_key = ? AND version = ?",
            project,
            key,
            expectedVersion)
        > 0;
  }

  private static Environment environment(ResultSet r) throws SQLException {
    return new Environment(
        r.getString("environment_key"),
        r.getString("name"),
        r.getString("description"),
        r.getLong("version"),
        Instant.ofEpochMilli(r.getLong("created_at")),
        Instant.ofEpochMilli(r.getLong("updated_at")));
  }
}

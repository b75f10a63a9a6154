package dev.rollgate.server.flags;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.catalog.Changes;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reading and writing flag rows, shared by the flag API and flagd import. */
final class FlagStore {
  private FlagStore() {}

  static Optional<Flag> find(Tx tx, String project, String key) throws SQLException {
    Optional<Flag> flag =
        tx.one(
            "SELECT * FROM flags WHERE project_key = ? AND flag_key = ?",
            FlagStore::flag,
            project,
            key);
    return flag.isEmpty()
        ? flag
        : Optional.of(withConfigs(tx, project, List.of(flag.get())).getFirst());
  }

  /**
   * {@code flags} (in key order) with their environment configurations, read in one query over
   * their key range.
   */
  static List<Flag> withConfigs(Tx tx, String project, List<Flag> flags) throws SQLException {
    if (flags.isEmpty()) {
      return flags;
    }
    Map<String, Map<String, Flag.EnvironmentConfig>> configs = new HashMap<>();
    for (Flag f : flags) {
      configs.put(f.key(), new LinkedHashMap<>());
    }
    tx.list(
        "SELECT * FROM flag_environments WHERE project_key = ? AND flag_key >= ? AND flag_key <= ?"
            + " ORDER BY flag_key, environment_key",
        r -> {
          Map<String, Flag.EnvironmentConfig> envs = configs.get(r.getString("flag_key"));
          return envs == null ? null : envs.put(r.getString("environment_key"), config(r));
        },
        project,
        flags.getFirst().key(),
        flags.getLast().key());
    List<Flag> out = new ArrayList<>(flags.size());
    for (Flag f : flags) {
      out.add(
          new Flag(
              f.project(),
              f.key(),
              f.name(),
              f.description(),
              f.kind(),
              f.variants(),
              f.tags(),
              f.archived(),
              f.version(),
              f.createdAt(),
              f.updatedAt(),
              configs.get(f.key())));
    }
    return out;
  }

  static Flag get(Tx tx, String project, String key) throws SQLException {
    return find(tx, project, key)
        .orElseThrow(() -> Failure.notFound("flag " + project + "/" + key));
  }

  /** Flags in key order after {@code cursor}, without their environment configurations. */
  static List<Flag> page(
      Tx tx, String project, String prefix, String cursor, boolean archived, int limit)
      throws SQLException {
    StringBuilder sql =
        new StringBuilder("SELECT * FROM flags WHERE project_key = ? AND flag_key > ?");
    List<Object> args = new ArrayList<>(List.of(project, cursor == null ? "" : cursor));
    if (prefix != null) {
      sql.append(" AND substr(flag_key, 1, ?) = ?");
      args.add(prefix.length());
      args.add(prefix);
    }
    if (!archived) {
      sql.append(" AND archived = 0");
    }
    sql.append(" ORDER BY flag_key LIMIT ").append(limit);
    return tx.list(sql.toString(), FlagStore::flag, args.toArray());
  }

  static void insert(Tx tx, Flag flag) throws SQLException {
    Changes.flag(tx, flag.project(), flag.key());
    tx.update(
        "INSERT INTO flags (project_key, flag_key, name, description, kind, variants, tags, archived, version,"
            + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        flag.project(),
        flag.key(),
        flag.name(),
        flag.description(),
        flag.kind(),
        Json.write(flag.variants()),
        Json.write(flag.tags()),
        flag.archived(),
        flag.version(),
        flag.createdAt(),
        flag.updatedAt());
    for (Map.Entry<String, Flag.EnvironmentConfig> e : flag.environments().entrySet()) {
      putConfig(tx, flag.project(), flag.key(), e.getKey(), e.getValue());
    }
  }

  /**
   * Writes the definition and every configuration of {@code flag}, bumping its version, if the
   * stored version is still {@code expectedVersion}. Configurations missing from {@code flag} are
   * removed. Returns false, writing nothing, when the row moved on.
   */
  static boolean update(Tx tx, Flag flag, long expectedVersion, long now) throws SQLException {
    int rows =
        tx.update(
            "UPDATE flags SET name = ?, description = ?, variants = ?, tags = ?, archived = ?,"
                + " version = version + 1, updated_at = ? WHERE project_key = ? AND flag_key = ? AND version = ?",
            flag.name(),
            flag.description(),
            Json.write(flag.variants()),
            Json.write(flag.tags()),
            flag.archived(),
            now,
            flag.project(),
            flag.key(),
            expectedVersion);
    if (rows == 0) {
      return false;
    }
    Changes.flag(tx, flag.project(), flag.key());
    tx.update(
        "DELETE FROM flag_environments WHERE project_key = ? AND flag_key = ?",
        flag.project(),
        flag.key());
    for (Map.Entry<String, Flag.EnvironmentConfig> e : flag.environments().entrySet()) {
      putConfig(tx, flag.project(), flag.key(), e.getKey(), e.getValue());
    }
    return true;
  }

  private static void putConfig(
      Tx tx, String project, String key, String env, Flag.EnvironmentConfig c) throws SQLException {
    tx.update(
        "INSERT INTO flag_environments (project_key, flag_key, environment_key, state, default_variant,"
            + " targeting, metadata, prerequisites, lenient) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        project,
        key,
        env,
        c.state().name(),
        c.defaultVariant(),
        c.targeting() == null ? null : Json.write(c.targeting()),
        Json.write(c.metadata()),
        c.prerequisites().isEmpty() ? null : Json.write(c.prerequisitesDocument()),
        c.lenient() ? 1 : 0);
  }

  /** The flags that have a configuration in {@code environment}. */
  static boolean delete(Tx tx, String project, String key, long expectedVersion)
      throws SQLException {
    Changes.flag(tx, project, key);
    return tx.update(
            "DELETE FROM flags WHERE project_key = ? AND flag_key = ? AND version = ?",
            project,
            key,
            expectedVersion)
        > 0;
  }

  static List<String> keysIn(Tx tx, String project, String environment) throws SQLException {
    return tx.list(
        "SELECT flag_key FROM flag_environments WHERE project_key = ? AND environment_key = ? ORDER BY flag_key",
        r -> r.getString(1),
        project,
        environment);
  }

  static List<String> environments(Tx tx, String project) throws SQLException {
    return tx.list(
        "SELECT environment_key FROM environments WHERE project_key = ? ORDER BY environment_key",
        r -> r.getString(1),
        project);
  }

  @SuppressWarnings("unchecked")
  private static Flag flag(ResultSet r) throws SQLException {
    return new Flag(
        r.getString("project_key"),
        r.getString("flag_key"),
        r.getString("name"),
        r.getString("description"),
        r.getString("kind"),
        (Map<String, Object>) Json.parse(r.getString("variants")),
        (List<String>) Json.parse(r.getString("tags")),
        r.getInt("archived") != 0,
        r.getLong("version"),
        r.getLong("created_at"),
        r.getLong("updated_at"),
        Map.of());
  }

  @SuppressWarnings("unchecked")
  private static Flag.EnvironmentConfig config(ResultSet r) throws SQLException {
    String targeting = r.getString("targeting");
    String prerequisites = r.getString("prerequisites");
    return new Flag.EnvironmentConfig(
        FlagState.valueOf(r.getString("state")),
        r.getString("default_variant"),
        targeting == null ? null : Json.parse(targeting),
        (Map<String, Object>) Json.parse(r.getString("metadata")),
        prerequisites == null ? List.of() : prerequisites(Json.parse(prerequisites)),
        r.getInt("lenient") != 0,
        null);
  }

  @SuppressWarnings("unchecked")
  private static List<Flag.Prerequisite> prerequisites(Object stored) {
    List<Flag.Prerequisite> out = new ArrayList<>();
    for (Object entry : (List<Object>) stored) {
      Map<String, Object> p = (Map<String, Object>) entry;
      out.add(new Flag.Prerequisite((String) p.get("flag"), (List<String>) p.get("variants")));
    }
    return out;
  }

  /**
   * The flags of {@code project} whose configuration requires {@code flag} in some environment,
   * with those environments; archived flags (which serve nothing) left out.
   */
  static Map<String, List<String>> dependents(Tx tx, String project, String flag)
      throws SQLException {
    Map<String, List<String>> dependents = new java.util.TreeMap<>();
    tx.list(
        "SELECT e.flag_key, e.environment_key, e.prerequisites FROM flag_environments e"
            + " JOIN flags f ON f.project_key = e.project_key AND f.flag_key = e.flag_key"
            + " WHERE e.project_key = ? AND e.prerequisites IS NOT NULL AND f.archived = 0"
            + " ORDER BY e.flag_key, e.environment_key",
        r -> {
          for (Flag.Prerequisite p : prerequisites(Json.parse(r.getString(3)))) {
            if (p.flag().equals(flag) && !r.getString(1).equals(flag)) {
              dependents
                  .computeIfAbsent(r.getString(1), k -> new ArrayList<>())
                  .add(r.getString(2));
              break;
            }
          }
          return null;
        },
        project);
    return dependents;
  }
}

package dev.rollgate.server.catalog;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the catalog reads from the store, and one environment of a project as a flagd flag document:
 * the flags configured there (archived ones left out), with the split that a {@link SplitSource} (a
 * rollout, an experiment) drives, and every segment as a shared evaluator. The server validates,
 * serves and snapshots exactly this document, so what it exports is what it evaluates (SDKs are
 * served it with this server's kill switches applied, {@link dev.rollgate.core.KillSwitches}).
 */
final class FlagdExport {
  private static final int KEYS_PER_QUERY = 500;

  /** How many generations of {@code catalog_changes} are kept. */
  private static final long LOG_KEPT = 100_000;

  private FlagdExport() {}

  /** One environment's configuration of a flag, as stored (JSON columns as text). */
  record EnvRow(
      String state,
      String defaultVariant,
      String targeting,
      String metadata,
      String prerequisites,
      boolean lenient) {}

  /** One flag as stored: its definition and its configuration in each environment that has one. */
  record FlagRow(
      long version, boolean archived, String variants, Map<String, EnvRow> environments) {}

  /**
   * The flags {@code keys} of {@code project} as stored (every flag when {@code keys} is null); a
   * key with no flag is left out.
   */
  static Map<String, FlagRow> flags(Tx tx, String project, Collection<String> keys)
      throws SQLException {
    Map<String, FlagRow> rows = new HashMap<>();
    String sql =
        "SELECT f.flag_key, f.version, f.archived, f.variants, e.environment_key, e.state,"
            + " e.default_variant, e.targeting, e.metadata, e.prerequisites, e.lenient"
            + " FROM flags f LEFT JOIN flag_environments e"
            + " ON e.project_key = f.project_key AND e.flag_key = f.flag_key"
            + " WHERE f.project_key = ?";
    if (keys == null) {
      read(tx, sql, List.of(project), rows);
      return rows;
    }
    List<String> all = List.copyOf(keys);
    for (int from = 0; from < all.size(); from += KEYS_PER_QUERY) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + KEYS_PER_QUERY));
      List<Object> args = new ArrayList<>();
      args.add(project);
      args.addAll(chunk);
      read(tx, sql + " AND f.flag_key IN (" + "?, ".repeat(chunk.size() - 1) + "?)", args, rows);
    }
    return rows;
  }

  private static void read(Tx tx, String sql, List<Object> args, Map<String, FlagRow> into)
      throws SQLException {
    tx.list(
        sql,
        r -> {
          String key = r.getString("flag_key");
          FlagRow row = into.get(key);
          if (row == null) {
            row =
                new FlagRow(
                    r.getLong("version"),
                    r.getInt("archived") != 0,
                    r.getString("variants"),
                    new TreeMap<>());
            into.put(key, row);
          }
          String environment = r.getString("environment_key");
          if (environment != null) {
            row.environments()
                .put(
                    environment,
                    new EnvRow(
                        r.getString("state"),
                        r.getString("default_variant"),
                        r.getString("targeting"),
                        r.getString("metadata"),
                        r.getString("prerequisites"),
                        r.getInt("lenient") != 0));
          }
          return null;
        },
        args.toArray());
  }

  /**
   * Flag {@code row} as flagd serves it in {@code environment}, with {@code split} composed into
   * its targeting; null when it is not served there (archived, or not configured there).
   */
  static Map<String, Object> flag(FlagRow row, String environment, SplitSource.Split split) {
    EnvRow config = row.environments().get(environment);
    if (row.archived() || config == null) {
      return null;
    }
    Map<String, Object> flag = new LinkedHashMap<>();
    flag.put("state", config.state());
    flag.put("variants", Json.parse(row.variants()));
    if (config.defaultVariant() != null) {
      flag.put("defaultVariant", config.defaultVariant());
    }
    if (config.prerequisites() != null) {
      flag.put("prerequisites", Json.parse(config.prerequisites()));
    }
    Object targeting = config.targeting() == null ? null : Json.parse(config.targeting());
    if (split != null) {
      targeting = RolloutSplit.compose(targeting, split.rule());
    }
    if (targeting != null) {
      flag.put("targeting", targeting);
    }
    Object metadata = Json.parse(config.metadata());
    if (metadata instanceof Map<?, ?> m && !m.isEmpty()) {
      flag.put("metadata", metadata);
    }
    return flag;
  }

  /** Every segment of {@code project}: key to its rules, as stored (JSON text), by key. */
  static Map<String, String> segments(Tx tx, String project) throws SQLException {
    Map<String, String> segments = new TreeMap<>();
    tx.list(
        "SELECT segment_key, rules FROM segments WHERE project_key = ?",
        r -> segments.put(r.getString(1), r.getString(2)),
        project);
    return segments;
  }

  /** What {@code sources} split in one environment, by flag key. */
  static Map<String, SplitSource.Split> splits(
      Tx tx, String project, String environment, List<SplitSource> sources) throws SQLException {
    return splits(tx, project, sources).getOrDefault(environment, Map.of());
  }

  /** Every environment's splits, by environment and flag; an environment without any absent. */
  static Map<String, Map<String, SplitSource.Split>> splits(
      Tx tx, String project, List<SplitSource> sources) throws SQLException {
    Map<String, Map<String, SplitSource.Split>> splits = new HashMap<>();
    for (SplitSource source : sources) {
      source
          .splits(tx, project)
          .forEach((environment, flags) ->
              splits.computeIfAbsent(environment, e -> new HashMap<>()).putAll(flags));
    }
    return splits;
  }

  static List<String> environments(Tx tx, String project) throws SQLException {
    return tx.list(
        "SELECT environment_key FROM environments WHERE project_key = ? ORDER BY environment_key",
        r -> r.getString(1),
        project);
  }

  /**
   * The document an environment serves, read in full (for exports and imports; the catalog builds
   * the same from what changed).
   */
  static Map<String, Object> document(
      Tx tx, String project, String environment, List<SplitSource> sources) throws SQLException {
    Map<String, SplitSource.Split> splits = splits(tx, project, environment, sources);
    Map<String, Object> flags = new LinkedHashMap<>();
    new TreeMap<>(flags(tx, project, null))
        .forEach((key, row) -> {
          Map<String, Object> flag = flag(row, environment, splits.get(key));
          if (flag != null) {
            flags.put(key, flag);
          }
        });
    Map<String, Object> evaluators = new LinkedHashMap<>();
    segments(tx, project).forEach((key, rules) -> evaluators.put(key, Json.parse(rules)));
    return document(project, environment, flags, evaluators);
  }

  /** A flagd document of {@code flags} and {@code evaluators}, in that order. */
  static Map<String, Object> document(
      String project,
      String environment,
      Map<String, Object> flags,
      Map<String, Object> evaluators) {
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("$schema", "https://flagd.dev/schema/v0/flags.json");
    document.put("metadata", metadata(project, environment));
    document.put("flags", flags);
    if (!evaluators.isEmpty()) {
      document.put("$evaluators", evaluators);
    }
    return document;
  }

  static Map<String, Object> metadata(String project, String environment) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("project", project);
    metadata.put("environment", environment);
    return metadata;
  }

  /**
   * The flags of {@code project} changed at or after {@code generation}, or null when the log may
   * no longer hold them all (pruned).
   */
  static Set<String> changedSince(Tx tx, String project, long generation) throws SQLException {
    // One round trip: the floor on every row, and a row without a flag when nothing changed.
    Set<String> changed = new HashSet<>();
    long[] floor = {0};
    tx.list(
        "SELECT l.floor, c.flag_key FROM catalog_log l LEFT JOIN (SELECT DISTINCT flag_key FROM"
            + " catalog_changes WHERE project_key = ? AND generation >= ?) c ON 1 = 1 WHERE l.id = 1",
        r -> {
          floor[0] = r.getLong(1);
          String flag = r.getString(2);
          if (flag != null) {
            changed.add(flag);
          }
          return null;
        },
        project,
        generation);
    return generation < floor[0] ? null : Set.copyOf(changed);
  }

  /**
   * Logs the flags a commit at {@code generation} changed; now and then drops the rows so old that
   * no replica follows from them.
   */
  static void logChanges(
      Tx tx, String project, Collection<String> flags, long before, long generation)
      throws SQLException {
    for (String flag : flags) {
      tx.update(
          "INSERT INTO catalog_changes (generation, project_key, flag_key) VALUES (?, ?, ?)",
          generation,
          project,
          flag);
    }
    if (before / 1000 != generation / 1000 && generation > LOG_KEPT) {
      long floor = generation - LOG_KEPT;
      tx.update("DELETE FROM catalog_changes WHERE generation < ?", floor);
      tx.update("UPDATE catalog_log SET floor = ? WHERE id = 1", floor);
    }
  }
}

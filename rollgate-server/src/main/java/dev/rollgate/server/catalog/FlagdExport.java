package dev.rollgate.server.catalog;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One environment of a project as a flagd flag document: the flags configured there (archived ones
 * left out), with the split that a {@link SplitSource} (a rollout, an experiment) drives, and every
 * segment as a shared evaluator. The server validates, serves and snapshots exactly this document,
 * so what it exports is what it evaluates (SDKs are served it with this server's kill switches
 * applied, {@link dev.rollgate.core.KillSwitches}).
 */
final class FlagdExport {
  private FlagdExport() {}

  /**
   * Every flag's version in {@code project}, read with its documents so that the served snapshot
   * can say which version of a flag it compiled.
   */
  static Map<String, Long> versions(Tx tx, String project) throws SQLException {
    Map<String, Long> versions = new HashMap<>();
    tx.list(
        "SELECT flag_key, version FROM flags WHERE project_key = ?",
        r -> versions.put(r.getString(1), r.getLong(2)),
        project);
    return Map.copyOf(versions);
  }

  /** The flags of one environment stored as flagd loads them (compiled leniently). */
  static Set<String> lenient(Tx tx, String project, String environment) throws SQLException {
    return Set.copyOf(
        tx.list(
            "SELECT flag_key FROM flag_environments"
                + " WHERE project_key = ? AND environment_key = ? AND lenient <> 0",
            r -> r.getString(1),
            project,
            environment));
  }

  static Map<String, Object> document(
      Tx tx, String project, String environment, List<SplitSource> sources) throws SQLException {
    Map<String, SplitSource.Split> splits = new HashMap<>();
    for (SplitSource source : sources) {
      splits.putAll(source.splits(tx, project, environment));
    }
    Map<String, Object> flags = new LinkedHashMap<>();
    tx.list(
        "SELECT f.flag_key, f.variants, e.state, e.default_variant, e.targeting, e.metadata,"
            + " e.prerequisites"
            + " FROM flags f JOIN flag_environments e"
            + " ON e.project_key = f.project_key AND e.flag_key = f.flag_key"
            + " WHERE f.project_key = ? AND e.environment_key = ? AND f.archived = 0"
            + " ORDER BY f.flag_key",
        r -> {
          String key = r.getString("flag_key");
          Map<String, Object> flag = new LinkedHashMap<>();
          flag.put("state", r.getString("state"));
          flag.put("variants", Json.parse(r.getString("variants")));
          String defaultVariant = r.getString("default_variant");
          if (defaultVariant != null) {
            flag.put("defaultVariant", defaultVariant);
          }
          String prerequisites = r.getString("prerequisites");
          if (prerequisites != null) {
            flag.put("prerequisites", Json.parse(prerequisites));
          }
          String stored = r.getString("targeting");
          Object targeting = stored == null ? null : Json.parse(stored);
          SplitSource.Split split = splits.get(key);
          if (split != null) {
            targeting = RolloutSplit.compose(targeting, split.rule());
          }
          if (targeting != null) {
            flag.put("targeting", targeting);
          }
          Object metadata = Json.parse(r.getString("metadata"));
          if (metadata instanceof Map<?, ?> m && !m.isEmpty()) {
            flag.put("metadata", metadata);
          }
          flags.put(key, flag);
          return null;
        },
        project,
        environment);
    Map<String, Object> evaluators = new LinkedHashMap<>();
    tx.list(
        "SELECT segment_key, rules FROM segments WHERE project_key = ? ORDER BY segment_key",
        r -> evaluators.put(r.getString(1), Json.parse(r.getString(2))),
        project);
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("$schema", "https://flagd.dev/schema/v0/flags.json");
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("project", project);
    metadata.put("environment", environment);
    document.put("metadata", metadata);
    document.put("flags", flags);
    if (!evaluators.isEmpty()) {
      document.put("$evaluators", evaluators);
    }
    return document;
  }
}

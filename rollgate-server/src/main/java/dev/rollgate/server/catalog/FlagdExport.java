package dev.rollgate.server.catalog;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One environment of a project as a flagd flag document: the flags configured there (archived ones
 * left out), with the split of any running rollout ({@link RolloutSplit}), and every segment as a
 * shared evaluator. The server validates, serves and snapshots exactly this document, so what it
 * exports is what it evaluates.
 */
public final class FlagdExport {
  private FlagdExport() {}

  public static Map<String, Object> document(Tx tx, String project, String environment)
      throws SQLException {
    Map<String, Object> flags = new LinkedHashMap<>();
    tx.list(
        "SELECT f.flag_key, f.variants, e.state, e.default_variant, e.targeting, e.metadata,"
            + " r.rollout_id, r.treatment, r.control, r.percent,"
            + " x.experiment_id, x.definition"
            + " FROM flags f JOIN flag_environments e"
            + " ON e.project_key = f.project_key AND e.flag_key = f.flag_key"
            + " LEFT JOIN rollouts r ON r.project_key = f.project_key AND r.flag_key = f.flag_key"
            + " AND r.environment_key = e.environment_key"
            + " AND r.state IN ('RUNNING', 'PAUSED', 'AWAITING_APPROVAL')"
            + " LEFT JOIN experiments x ON x.project_key = f.project_key"
            + " AND x.flag_key = f.flag_key AND x.environment_key = e.environment_key"
            + " AND x.state = 'RUNNING'"
            + " WHERE f.project_key = ? AND e.environment_key = ? AND f.archived = 0"
            + " ORDER BY f.flag_key",
        r -> {
          Map<String, Object> flag = new LinkedHashMap<>();
          flag.put("state", r.getString("state"));
          flag.put("variants", Json.parse(r.getString("variants")));
          String defaultVariant = r.getString("default_variant");
          if (defaultVariant != null) {
            flag.put("defaultVariant", defaultVariant);
          }
          String stored = r.getString("targeting");
          Object targeting = stored == null ? null : Json.parse(stored);
          String rollout = r.getString("rollout_id");
          if (rollout != null) {
            targeting =
                RolloutSplit.compose(
                    targeting,
                    rollout,
                    r.getString("treatment"),
                    r.getString("control"),
                    r.getDouble("percent"));
          }
          String experiment = r.getString("experiment_id");
          if (experiment != null) {
            targeting =
                RolloutSplit.compose(
                    targeting, experiment, weights(Json.parse(r.getString("definition"))));
          }
          if (targeting != null) {
            flag.put("targeting", targeting);
          }
          Object metadata = Json.parse(r.getString("metadata"));
          if (metadata instanceof Map<?, ?> m && !m.isEmpty()) {
            flag.put("metadata", metadata);
          }
          flags.put(r.getString("flag_key"), flag);
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

  /** An experiment definition's variants as fractional entries, in their order. */
  private static java.util.List<java.util.List<Object>> weights(Object definition) {
    java.util.List<java.util.List<Object>> entries = new java.util.ArrayList<>();
    if (definition instanceof Map<?, ?> d && d.get("variants") instanceof Map<?, ?> variants) {
      variants.forEach((variant, weight) ->
          entries.add(java.util.List.of(variant, ((Number) weight).longValue())));
    }
    return entries;
  }
}

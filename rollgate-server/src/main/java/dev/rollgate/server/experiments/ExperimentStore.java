package dev.rollgate.server.experiments;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.catalog.SplitSource;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import dev.rollgate.stats.Arm;
import dev.rollgate.stats.RatioArm;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * SQL for an experiment's units and aggregates. Per variant and metric, {@code experiment_stats}
 * keeps n and the sums (of values, squares, denominators, pre-period values and cross-products)
 * that the statistics need; a change in one unit's value adjusts them by the difference, so results
 * never rescan units or events. The row with the metric key {@code ""} counts the units exposed to
 * each variant.
 */
final class ExperimentStore {
  static final String UNITS = "";

  private ExperimentStore() {}

  /**
   * The splits of the project's running experiments, by environment and flag: a {@link
   * SplitSource}.
   */
  static Map<String, Map<String, SplitSource.Split>> splits(Tx tx, String project)
      throws SQLException {
    Map<String, Map<String, SplitSource.Split>> splits = new HashMap<>();
    tx.list(
        "SELECT environment_key, flag_key, experiment_id, definition FROM experiments"
            + " WHERE project_key = ? AND state = 'RUNNING'",
        r ->
            splits
                .computeIfAbsent(r.getString(1), e -> new HashMap<>())
                .put(
                    r.getString(2),
                    SplitSource.Split.fractional(
                        "an experiment", r.getString(3), weights(Json.parse(r.getString(4))))),
        project);
    return splits;
  }

  /** An experiment definition's variants as fractional entries, in their order. */
  private static List<List<Object>> weights(Object definition) {
    List<List<Object>> entries = new ArrayList<>();
    if (definition instanceof Map<?, ?> d && d.get("variants") instanceof Map<?, ?> variants) {
      variants.forEach(
          (variant, weight) -> entries.add(List.of(variant, ((Number) weight).longValue())));
    }
    return entries;
  }

  private static final String COLUMNS =
      "experiment_id, project_key, environment_key, experiment_key, flag_key, definition, state,"
          + " version, created_at, started_at, stopped_at";

  static void insert(Tx tx, Experiment e) throws SQLException {
    tx.update(
        "INSERT INTO experiments (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        e.id(),
        e.project(),
        e.environment(),
        e.key(),
        e.flag(),
        Json.write(e.definition().toJson()),
        e.state().name(),
        e.version(),
        e.createdAt(),
        e.startedAt(),
        e.stoppedAt());
  }

  /** Stores a new state if the stored version is still {@code expected}; false otherwise. */
  static boolean update(Tx tx, Experiment e, long expected) throws SQLException {
    return tx.update(
            "UPDATE experiments SET state = ?, version = ?, started_at = ?, stopped_at = ?"
                + " WHERE experiment_id = ? AND version = ?",
            e.state().name(),
            e.version(),
            e.startedAt(),
            e.stoppedAt(),
            e.id(),
            expected)
        == 1;
  }

  static Optional<Experiment> find(Tx tx, String project, String environment, String key)
      throws SQLException {
    return tx.one(
        "SELECT "
            + COLUMNS
            + " FROM experiments WHERE project_key = ? AND environment_key = ?"
            + " AND experiment_key = ?",
        ExperimentStore::experiment,
        project,
        environment,
        key);
  }

  static List<Experiment> list(Tx tx, String project, String environment) throws SQLException {
    return tx.list(
        "SELECT "
            + COLUMNS
            + " FROM experiments WHERE project_key = ? AND environment_key = ?"
            + " ORDER BY experiment_key",
        ExperimentStore::experiment,
        project,
        environment);
  }

  static List<Experiment> running(Tx tx) throws SQLException {
    return tx.list(
        "SELECT " + COLUMNS + " FROM experiments WHERE state = 'RUNNING'",
        ExperimentStore::experiment);
  }

  @SuppressWarnings("unchecked")
  private static Experiment experiment(java.sql.ResultSet r) throws SQLException {
    long started = r.getLong(10);
    Long startedAt = r.wasNull() ? null : started;
    long stopped = r.getLong(11);
    Long stoppedAt = r.wasNull() ? null : stopped;
    return new Experiment(
        r.getString(1),
        r.getString(2),
        r.getString(3),
        r.getString(4),
        r.getString(5),
        ExperimentDefinition.fromJson((Map<String, Object>) Json.parse(r.getString(6))),
        ExperimentState.valueOf(r.getString(7)),
        r.getLong(8),
        r.getLong(9),
        startedAt,
        stoppedAt);
  }

  /** Zeroed aggregates for every variant and stored metric, when an experiment starts. */
  static void initialise(Tx tx, Experiment e) throws SQLException {
    for (String variant : e.definition().variants().keySet()) {
      insertStats(tx, e.id(), variant, UNITS);
      for (String metric : e.definition().metrics()) {
        insertStats(tx, e.id(), variant, metric);
      }
    }
  }

  private static void insertStats(Tx tx, String id, String variant, String metric)
      throws SQLException {
    tx.update(
        "INSERT INTO experiment_stats (experiment_id, variant, metric_key, n, value_sum,"
            + " value_squares, denominator_sum, denominator_squares, value_denominator, pre_sum,"
            + " pre_squares, value_pre) VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0)"
            + " ON CONFLICT DO NOTHING",
        id,
        variant,
        metric);
  }

  /** Records a unit's first exposure; false when it was exposed before (assignment is sticky). */
  static boolean expose(Tx tx, String id, String unit, String variant, long at)
      throws SQLException {
    return tx.update(
            "INSERT INTO experiment_units (experiment_id, unit, variant, exposed_at)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            id,
            unit,
            variant,
            at)
        == 1;
  }

  record Exposure(String variant, long at) {}

  static Optional<Exposure> exposure(Tx tx, String id, String unit) throws SQLException {
    return tx.one(
        "SELECT variant, exposed_at FROM experiment_units WHERE experiment_id = ? AND unit = ?",
        r -> new Exposure(r.getString(1), r.getLong(2)),
        id,
        unit);
  }

  /** A new unit in a variant: n + 1, its pre-period value into the pre-period sums. */
  static void addUnit(Tx tx, String id, String variant, String metric, double pre)
      throws SQLException {
    tx.update(
        "UPDATE experiment_stats SET n = n + 1, pre_sum = pre_sum + ?, pre_squares = pre_squares"
            + " + ? WHERE experiment_id = ? AND variant = ? AND metric_key = ?",
        pre,
        pre * pre,
        id,
        variant,
        metric);
  }

  /** One unit's value of one metric: after exposure, its denominator, and before exposure. */
  record UnitValue(double value, double denominator, double pre) {}

  static void insertUnitValue(Tx tx, String id, String unit, String metric, double pre)
      throws SQLException {
    tx.update(
        "INSERT INTO experiment_unit_values (experiment_id, unit, metric_key, value, denominator,"
            + " pre) VALUES (?, ?, ?, 0, 0, ?)",
        id,
        unit,
        metric,
        pre);
  }

  static Optional<UnitValue> unitValue(
      Tx tx, Database.Dialect dialect, String id, String unit, String metric) throws SQLException {
    return tx.one(
        "SELECT value, denominator, pre FROM experiment_unit_values WHERE experiment_id = ?"
            + " AND unit = ? AND metric_key = ?"
            + (dialect == Database.Dialect.POSTGRES ? " FOR UPDATE" : ""),
        r -> new UnitValue(r.getDouble(1), r.getDouble(2), r.getDouble(3)),
        id,
        unit,
        metric);
  }

  /** Moves a unit's value from {@code old} to {@code now}, and the variant's sums with it. */
  static void change(
      Tx tx, String id, String unit, String variant, String metric, UnitValue old, UnitValue now)
      throws SQLException {
    tx.update(
        "UPDATE experiment_unit_values SET value = ?, denominator = ? WHERE experiment_id = ?"
            + " AND unit = ? AND metric_key = ?",
        now.value(),
        now.denominator(),
        id,
        unit,
        metric);
    tx.update(
        "UPDATE experiment_stats SET value_sum = value_sum + ?, value_squares = value_squares + ?,"
            + " denominator_sum = denominator_sum + ?, denominator_squares = denominator_squares"
            + " + ?, value_denominator = value_denominator + ?, value_pre = value_pre + ?"
            + " WHERE experiment_id = ? AND variant = ? AND metric_key = ?",
        now.value() - old.value(),
        now.value() * now.value() - old.value() * old.value(),
        now.denominator() - old.denominator(),
        now.denominator() * now.denominator() - old.denominator() * old.denominator(),
        now.value() * now.denominator() - old.value() * old.denominator(),
        (now.value() - old.value()) * old.pre(),
        id,
        variant,
        metric);
  }

  /** A unit's all-time totals of one event: occurrences and value sum. */
  record Totals(long occurrences, double valueSum) {
    static final Totals NONE = new Totals(0, 0);
  }

  static void addToTotals(
      Tx tx, String project, String environment, String unit, String event, double value)
      throws SQLException {
    tx.update(
        "INSERT INTO unit_event_totals (project_key, environment_key, unit, event_name,"
            + " occurrences, value_sum) VALUES (?, ?, ?, ?, 1, ?) ON CONFLICT (project_key,"
            + " environment_key, unit, event_name) DO UPDATE SET occurrences ="
            + " unit_event_totals.occurrences + 1, value_sum = unit_event_totals.value_sum +"
            + " excluded.value_sum",
        project,
        environment,
        unit,
        event,
        value);
  }

  static Totals totals(Tx tx, String project, String environment, String unit, String event)
      throws SQLException {
    return tx.one(
            "SELECT occurrences, value_sum FROM unit_event_totals WHERE project_key = ?"
                + " AND environment_key = ? AND unit = ? AND event_name = ?",
            r -> new Totals(r.getLong(1), r.getDouble(2)),
            project,
            environment,
            unit,
            event)
        .orElse(Totals.NONE);
  }

  /** The sufficient statistics of one variant and metric. */
  record Stats(
      long n,
      double sum,
      double squares,
      double denominatorSum,
      double denominatorSquares,
      double valueDenominator,
      double preSum,
      double preSquares,
      double valuePre) {

    Arm arm(boolean cuped) {
      return cuped
          ? new Arm(n, sum, squares, preSum, preSquares, valuePre)
          : new Arm(n, sum, squares);
    }

    RatioArm ratioArm() {
      return new RatioArm(n, sum, squares, denominatorSum, denominatorSquares, valueDenominator);
    }
  }

  /** Variant to metric to statistics. */
  static Map<String, Map<String, Stats>> stats(Tx tx, String id) throws SQLException {
    Map<String, Map<String, Stats>> out = new LinkedHashMap<>();
    tx.list(
        "SELECT variant, metric_key, n, value_sum, value_squares, denominator_sum,"
            + " denominator_squares, value_denominator, pre_sum, pre_squares, value_pre"
            + " FROM experiment_stats WHERE experiment_id = ?",
        r -> {
          out.computeIfAbsent(r.getString(1), v -> new LinkedHashMap<>())
              .put(
                  r.getString(2),
                  new Stats(
                      r.getLong(3),
                      r.getDouble(4),
                      r.getDouble(5),
                      r.getDouble(6),
                      r.getDouble(7),
                      r.getDouble(8),
                      r.getDouble(9),
                      r.getDouble(10),
                      r.getDouble(11)));
          return null;
        },
        id);
    return out;
  }

  /** Records a look's sequential p-value; returns the smallest seen at any look so far. */
  static double look(Tx tx, String id, String variant, String metric, double p)
      throws SQLException {
    tx.update(
        "INSERT INTO experiment_looks (experiment_id, variant, metric_key, min_p, looks)"
            + " VALUES (?, ?, ?, ?, 1) ON CONFLICT (experiment_id, variant, metric_key) DO UPDATE"
            + " SET min_p = CASE WHEN experiment_looks.min_p < excluded.min_p"
            + " THEN experiment_looks.min_p ELSE excluded.min_p END,"
            + " looks = experiment_looks.looks + 1",
        id,
        variant,
        metric,
        p);
    return tx.one(
            "SELECT min_p FROM experiment_looks WHERE experiment_id = ? AND variant = ?"
                + " AND metric_key = ?",
            r -> r.getDouble(1),
            id,
            variant,
            metric)
        .orElse(p);
  }
}

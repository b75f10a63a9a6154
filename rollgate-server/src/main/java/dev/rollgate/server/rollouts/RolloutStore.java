package dev.rollgate.server.rollouts;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.catalog.RolloutSplit;
import dev.rollgate.server.catalog.SplitSource;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SQL for {@code rollouts} and {@code rollout_transitions}. */
final class RolloutStore {
  private static final String COLUMNS =
      "rollout_id, project_key, environment_key, flag_key, treatment, control, plan, state, stage,"
          + " percent, stage_started_at, judged_until, evidence, reason, version, created_at, updated_at";

  private RolloutStore() {}

  /** Inserts a new rollout, numbered after the flag's earlier ones in the environment. */
  static void insert(Tx tx, Rollout r) throws SQLException {
    long number =
        tx.count(
                "SELECT COALESCE(MAX(number), 0) FROM rollouts WHERE project_key = ?"
                    + " AND environment_key = ? AND flag_key = ?",
                r.project(),
                r.environment(),
                r.flag())
            + 1;
    tx.update(
        "INSERT INTO rollouts (number, "
            + COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (int) number,
        r.id(),
        r.project(),
        r.environment(),
        r.flag(),
        r.treatment(),
        r.control(),
        Json.write(r.plan().toJson()),
        r.state().name(),
        r.stage(),
        r.percent(),
        r.stageStartedAt(),
        r.judgedUntil(),
        r.evidence() == null ? null : Json.write(r.evidence()),
        r.reason(),
        r.version(),
        r.createdAt(),
        r.updatedAt());
  }

  /**
   * Writes a rollout's new state if it is still at {@code expectedVersion}; false when someone else
   * changed it first.
   */
  static boolean update(Tx tx, Rollout r, long expectedVersion) throws SQLException {
    return tx.update(
            "UPDATE rollouts SET state = ?, stage = ?, percent = ?, stage_started_at = ?, judged_until = ?,"
                + " evidence = ?, reason = ?, version = ?, updated_at = ?"
                + " WHERE rollout_id = ? AND version = ?",
            r.state().name(),
            r.stage(),
            r.percent(),
            r.stageStartedAt(),
            r.judgedUntil(),
            r.evidence() == null ? null : Json.write(r.evidence()),
            r.reason(),
            r.version(),
            r.updatedAt(),
            r.id(),
            expectedVersion)
        == 1;
  }

  /**
   * Records a judged window without a transition, if no one judged it first: the compare on {@code
   * judged_until} is what keeps a window from being acted on twice.
   */
  static boolean recordWindow(Tx tx, String id, long judgedFrom, long judgedUntil, Object evidence)
      throws SQLException {
    return tx.update(
            "UPDATE rollouts SET judged_until = ?, evidence = ? WHERE rollout_id = ?"
                + " AND judged_until = ? AND state = 'RUNNING'",
            judgedUntil,
            Json.write(evidence),
            id,
            judgedFrom)
        == 1;
  }

  /** The flag's latest rollout in the environment, ended or not. */
  static Optional<Rollout> latest(Tx tx, String project, String environment, String flag)
      throws SQLException {
    return tx.one(
        "SELECT "
            + COLUMNS
            + " FROM rollouts WHERE project_key = ? AND environment_key = ? AND flag_key = ?"
            + " ORDER BY number DESC LIMIT 1",
        RolloutStore::read,
        project,
        environment,
        flag);
  }

  /**
   * The splits of the project's rollouts that have not ended, by environment and flag: a {@link
   * SplitSource}.
   */
  static Map<String, Map<String, SplitSource.Split>> splits(Tx tx, String project)
      throws SQLException {
    Map<String, Map<String, SplitSource.Split>> splits = new HashMap<>();
    tx.list(
        "SELECT environment_key, flag_key, rollout_id, treatment, control, percent FROM rollouts"
            + " WHERE project_key = ? AND state IN ('RUNNING', 'PAUSED', 'AWAITING_APPROVAL')",
        r ->
            splits
                .computeIfAbsent(r.getString(1), e -> new HashMap<>())
                .put(
                    r.getString(2),
                    RolloutSplit.rollout(
                        r.getString(3), r.getString(4), r.getString(5), r.getDouble(6))),
        project);
    return splits;
  }

  static Optional<Rollout> byId(Tx tx, String id) throws SQLException {
    return tx.one(
        "SELECT " + COLUMNS + " FROM rollouts WHERE rollout_id = ?", RolloutStore::read, id);
  }

  /** Rollouts the controller judges. */
  static List<Rollout> running(Tx tx) throws SQLException {
    return tx.list(
        "SELECT " + COLUMNS + " FROM rollouts WHERE state = 'RUNNING' ORDER BY rollout_id",
        RolloutStore::read);
  }

  /** A transition of {@code r} into its current state. */
  static void transition(
      Tx tx, Rollout r, long at, String actor, String action, RolloutState from, String comment)
      throws SQLException {
    long seq =
        tx.count(
                "SELECT COALESCE(MAX(seq), 0) FROM rollout_transitions WHERE rollout_id = ?",
                r.id())
            + 1;
    tx.update(
        "INSERT INTO rollout_transitions (rollout_id, seq, at, actor, action, from_state, to_state,"
            + " stage, percent, reason, comment, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        r.id(),
        (int) seq,
        at,
        actor,
        action,
        from == null ? null : from.name(),
        r.state().name(),
        r.stage(),
        r.percent(),
        r.reason(),
        comment,
        r.evidence() == null ? null : Json.write(r.evidence()));
  }

  /** The last transition's action and actor, for recognising a repeated request. */
  static Optional<String[]> lastTransition(Tx tx, String id) throws SQLException {
    return tx.one(
        "SELECT action, actor FROM rollout_transitions WHERE rollout_id = ?"
            + " ORDER BY seq DESC LIMIT 1",
        r -> new String[] {r.getString(1), r.getString(2)},
        id);
  }

  static List<Rollout.Transition> history(Tx tx, String id) throws SQLException {
    return tx.list(
        "SELECT seq, at, actor, action, from_state, to_state, stage, percent, reason, comment,"
            + " evidence FROM rollout_transitions WHERE rollout_id = ? ORDER BY seq",
        r -> {
          String evidence = r.getString(11);
          return new Rollout.Transition(
              r.getLong(1),
              Instant.ofEpochMilli(r.getLong(2)),
              r.getString(3),
              r.getString(4),
              r.getString(5),
              r.getString(6),
              r.getLong(7),
              r.getDouble(8),
              r.getString(9),
              r.getString(10),
              evidence == null ? null : Json.parse(evidence));
        },
        id);
  }

  @SuppressWarnings("unchecked")
  private static Rollout read(ResultSet r) throws SQLException {
    String evidence = r.getString(13);
    return new Rollout(
        r.getString(1),
        r.getString(2),
        r.getString(3),
        r.getString(4),
        r.getString(5),
        r.getString(6),
        RolloutPlan.fromJson((Map<String, Object>) Json.parse(r.getString(7))),
        RolloutState.valueOf(r.getString(8)),
        r.getInt(9),
        r.getLong(11),
        r.getLong(12),
        evidence == null ? null : Json.parse(evidence),
        r.getString(14),
        r.getLong(15),
        r.getLong(16),
        r.getLong(17));
  }
}

package dev.rollgate.server.triggers;

import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The flag_triggers table: secrets only as their hashes. */
final class TriggerStore {
  private TriggerStore() {}

  static void insert(Tx tx, Trigger t, String nameKey, String secretHash) throws SQLException {
    tx.update(
        "INSERT INTO flag_triggers (trigger_id, project_key, flag_key, environment_key, name,"
            + " name_key, description, action, on_resolved, secret_hash, author_id, author_name,"
            + " created_at, revoked_at, last_called_at, last_result, calls)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 0)",
        t.id(),
        t.project(),
        t.flag(),
        t.environment(),
        t.name(),
        nameKey,
        t.description(),
        t.action().label(),
        t.onResolved() == null ? Trigger.IGNORE : t.onResolved().label(),
        secretHash,
        t.createdBy().id(),
        t.createdBy().name(),
        t.createdAt().toEpochMilli());
  }

  /** The trigger whose secret hashes to {@code secretHash}, revoked or not, with that hash. */
  static Optional<Hashed> bySecretHash(Tx tx, String secretHash) throws SQLException {
    return tx.one(
        "SELECT * FROM flag_triggers WHERE secret_hash = ?",
        r -> new Hashed(row(r), r.getString("secret_hash")),
        secretHash);
  }

  /** A trigger and the hash of its secret, which never leaves this package. */
  record Hashed(Trigger trigger, String secretHash) {}

  static Optional<Trigger> find(Tx tx, String id) throws SQLException {
    return tx.one("SELECT * FROM flag_triggers WHERE trigger_id = ?", TriggerStore::row, id);
  }

  /** One flag's triggers in one environment, oldest first; revoked ones only when asked for. */
  static List<Trigger> of(
      Tx tx, String project, String flag, String environment, boolean withRevoked)
      throws SQLException {
    List<Object> args = new ArrayList<>(List.of(project, flag, environment));
    return tx.list(
        "SELECT * FROM flag_triggers WHERE project_key = ? AND flag_key = ? AND environment_key = ?"
            + (withRevoked ? "" : " AND revoked_at IS NULL")
            + " ORDER BY created_at, trigger_id LIMIT 1000",
        TriggerStore::row,
        args.toArray());
  }

  /** Active triggers of one flag in one environment. */
  static long active(Tx tx, String project, String flag, String environment) throws SQLException {
    return tx.count(
        "SELECT COUNT(*) FROM flag_triggers WHERE project_key = ? AND flag_key = ?"
            + " AND environment_key = ? AND revoked_at IS NULL",
        project,
        flag,
        environment);
  }

  /** Whether an active trigger of the flag in the environment has the name {@code nameKey}. */
  static boolean nameTaken(Tx tx, String project, String flag, String environment, String nameKey)
      throws SQLException {
    return tx.count(
            "SELECT COUNT(*) FROM flag_triggers WHERE project_key = ? AND flag_key = ?"
                + " AND environment_key = ? AND name_key = ? AND revoked_at IS NULL",
            project,
            flag,
            environment,
            nameKey)
        > 0;
  }

  /** Revokes an active trigger; false when it was revoked already. */
  static boolean revoke(Tx tx, String id, long at) throws SQLException {
    return tx.update(
            "UPDATE flag_triggers SET revoked_at = ? WHERE trigger_id = ? AND revoked_at IS NULL",
            at,
            id)
        > 0;
  }

  /** Records an accepted call of an active trigger; false when it is revoked (or gone). */
  static boolean called(Tx tx, String id, long at, Trigger.Result result) throws SQLException {
    return tx.update(
            "UPDATE flag_triggers SET last_called_at = ?, last_result = ?, calls = calls + 1"
                + " WHERE trigger_id = ? AND revoked_at IS NULL",
            at,
            result.label(),
            id)
        > 0;
  }

  private static Trigger row(ResultSet r) throws SQLException {
    long revoked = r.getLong("revoked_at");
    Instant revokedAt = r.wasNull() ? null : Instant.ofEpochMilli(revoked);
    long called = r.getLong("last_called_at");
    Instant calledAt = r.wasNull() ? null : Instant.ofEpochMilli(called);
    String onResolved = r.getString("on_resolved");
    return new Trigger(
        r.getString("trigger_id"),
        r.getString("project_key"),
        r.getString("flag_key"),
        r.getString("environment_key"),
        r.getString("name"),
        r.getString("description"),
        Trigger.Action.parse(r.getString("action")),
        Trigger.IGNORE.equals(onResolved) ? null : Trigger.Action.parse(onResolved),
        new Trigger.Author(r.getString("author_id"), r.getString("author_name")),
        Instant.ofEpochMilli(r.getLong("created_at")),
        revokedAt,
        calledAt,
        r.getString("last_result"),
        r.getLong("calls"));
  }
}

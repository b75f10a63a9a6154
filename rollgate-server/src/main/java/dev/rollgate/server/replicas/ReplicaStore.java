package dev.rollgate.server.replicas;

import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/** SQL for {@code replicas}: one row per server sharing the store, written by its heartbeat. */
final class ReplicaStore {
  private ReplicaStore() {}

  /** Writes a replica's row, created on its first heartbeat (or again after it was pruned). */
  static void beat(Tx tx, String id, long startedAt, long now, boolean leader, String version)
      throws SQLException {
    tx.update(
        "INSERT INTO replicas (replica_id, started_at, last_seen_at, leader, version)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (replica_id) DO UPDATE SET"
            + " last_seen_at = excluded.last_seen_at, leader = excluded.leader,"
            + " version = excluded.version",
        id,
        startedAt,
        now,
        leader,
        version);
  }

  /** The replicas whose row was written at {@code since} or later, the longest running first. */
  static List<ReplicaRegistry.Replica> seenSince(Tx tx, long since) throws SQLException {
    return tx.list(
        "SELECT replica_id, started_at, last_seen_at, leader, version FROM replicas"
            + " WHERE last_seen_at >= ? ORDER BY started_at, replica_id",
        r ->
            new ReplicaRegistry.Replica(
                r.getString(1),
                Instant.ofEpochMilli(r.getLong(2)),
                Instant.ofEpochMilli(r.getLong(3)),
                r.getShort(4) == 1,
                r.getString(5)),
        since);
  }

  /** Deletes the rows not written since {@code before} (replicas that stopped without a word). */
  static int prune(Tx tx, long before) throws SQLException {
    return tx.update("DELETE FROM replicas WHERE last_seen_at < ?", before);
  }

  static void delete(Tx tx, String id) throws SQLException {
    tx.update("DELETE FROM replicas WHERE replica_id = ?", id);
  }
}

package dev.rollgate.server.events;

import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** SQL for {@code event_offsets}: per Kafka topic partition, the next record to apply. */
final class EventOffsetStore {
  private EventOffsetStore() {}

  /**
   * The partition's next offset (0 when none was stored), its row locked until {@code tx} ends on
   * PostgreSQL: a replica that still applies a partition it lost holds the one that took it over
   * until it commits, and the latter then reads the offset after what was applied.
   */
  static long lock(Tx tx, Database.Dialect dialect, String topic, int partition)
      throws SQLException {
    tx.update(
        "INSERT INTO event_offsets (topic, partition_id, next_offset) VALUES (?, ?, 0)"
            + " ON CONFLICT (topic, partition_id) DO NOTHING",
        topic,
        partition);
    return tx.one(
            "SELECT next_offset FROM event_offsets WHERE topic = ? AND partition_id = ?"
                + (dialect == Database.Dialect.POSTGRES ? " FOR UPDATE" : ""),
            r -> r.getLong(1),
            topic,
            partition)
        .orElseThrow();
  }

  static void set(Tx tx, String topic, int partition, long next) throws SQLException {
    tx.update(
        "UPDATE event_offsets SET next_offset = ? WHERE topic = ? AND partition_id = ?",
        next,
        topic,
        partition);
  }

  /** Every stored partition's next offset. */
  static Map<Integer, Long> read(Tx tx, String topic) throws SQLException {
    Map<Integer, Long> out = new HashMap<>();
    for (long[] row :
        tx.list(
            "SELECT partition_id, next_offset FROM event_offsets WHERE topic = ?",
            r -> new long[] {r.getInt(1), r.getLong(2)},
            topic)) {
      out.put((int) row[0], row[1]);
    }
    return out;
  }
}

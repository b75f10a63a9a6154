package dev.rollgate.server.events;

import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.List;

/** SQL for {@code event_inbox}: one row per acknowledged request and stream. */
final class EventInboxStore {
  private EventInboxStore() {}

  record Row(String id, String project, String environment, String events) {}

  static void insert(
      Tx tx,
      String id,
      String stream,
      String project,
      String environment,
      long receivedAt,
      String events)
      throws SQLException {
    tx.update(
        "INSERT INTO event_inbox (batch_id, stream, project_key, environment_key, received_at,"
            + " events) VALUES (?, ?, ?, ?, ?, ?)",
        id,
        stream,
        project,
        environment,
        receivedAt,
        events);
  }

  /**
   * The oldest rows of a stream. On PostgreSQL they are locked, skipping rows another replica
   * holds, so two replicas never apply the same batch; SQLite has one writer.
   */
  static List<Row> oldest(Tx tx, Database.Dialect dialect, String stream, int limit)
      throws SQLException {
    return tx.list(
        "SELECT batch_id, project_key, environment_key, events FROM event_inbox WHERE stream = ?"
            + " ORDER BY received_at, batch_id LIMIT ?"
            + (dialect == Database.Dialect.POSTGRES ? " FOR UPDATE SKIP LOCKED" : ""),
        r -> new Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4)),
        stream,
        (long) limit);
  }

  static void delete(Tx tx, String id) throws SQLException {
    tx.update("DELETE FROM event_inbox WHERE batch_id = ?", id);
  }

  static long count(Tx tx) throws SQLException {
    return tx.count("SELECT COUNT(*) FROM event_inbox");
  }
}

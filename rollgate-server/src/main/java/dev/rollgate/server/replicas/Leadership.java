package dev.rollgate.server.replicas;

import dev.rollgate.server.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this replica is the one that runs the background jobs only one may run (the rollout
 * controller, webhook deliveries). On SQLite the single process always is. On PostgreSQL it is the
 * replica holding a session advisory lock on a connection of its own; when that connection breaks,
 * PostgreSQL releases the lock and another replica takes it at its next check.
 */
public final class Leadership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  /**
   * The advisory lock: "Roll" in ASCII, and the schema's name hashed, since advisory locks are per
   * database and several Rollgate installations may share one in different schemas.
   */
  static final String TRY_LOCK =
      "SELECT pg_try_advisory_lock(" + 0x526F6C6C + ", hashtext(current_schema()))";

  private final Database db;
  private Connection connection; // holds the lock; null while not leader
  private volatile boolean leading;

  public Leadership(Database db) {
    this.db = db;
  }

  /** True when this replica leads; tries to become leader when it does not. */
  public synchronized boolean isLeader() {
    leading = check();
    return leading;
  }

  /**
   * Whether this replica led at the last {@link #isLeader} (the controller asks every second),
   * without trying to become leader or waiting: for status pages.
   */
  public boolean leads() {
    return db.dialect() == Database.Dialect.SQLITE || leading;
  }

  private boolean check() {
    if (db.dialect() == Database.Dialect.SQLITE) {
      return true;
    }
    try {
      if (connection != null) {
        if (connection.isValid(2)) {
          return true;
        }
        log.warn("leadership: lost the connection holding the lock");
        release();
      }
      Connection c = db.dedicatedConnection();
      try (Statement s = c.createStatement();
          var rows = s.executeQuery(TRY_LOCK)) {
        if (rows.next() && rows.getBoolean(1)) {
          connection = c;
          log.info("leadership: this replica now runs the rollout controller and webhooks");
          return true;
        }
      }
      c.close();
      return false;
    } catch (SQLException e) {
      release();
      return false;
    }
  }

  private void release() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing a broken connection: the lock went with it
      }
      connection = null;
    }
  }

  @Override
  public synchronized void close() {
    leading = false;
    release();
  }
}

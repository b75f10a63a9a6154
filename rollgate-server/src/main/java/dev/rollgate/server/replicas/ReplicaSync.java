package dev.rollgate.server.replicas;

import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a replica in step with the others on one PostgreSQL: it LISTENs for the notifications
 * writers send on commit ({@code project:<key> <generation>}, {@code tokens}) and reloads what
 * changed (not its own writes); every period it also compares the store's generation with the one
 * it has seen, in case a notification was lost. When the store becomes unreachable it keeps serving
 * what it has, and catches up in full when the store returns.
 */
public final class ReplicaSync implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaSync.class);
  private static final long RETRY_MILLIS = 200;

  private final Database db;
  private final Catalog catalog;
  private final Runnable refreshTokens;
  private final Duration period;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile String problem; // null while connected
  private long lastSeenGeneration = -1;

  public ReplicaSync(Database db, Catalog catalog, Runnable refreshTokens, Duration period) {
    this.db = db;
    this.catalog = catalog;
    this.refreshTokens = refreshTokens;
    this.period = period;
    this.thread = Thread.ofPlatform().daemon().name("rollgate-replica-sync").start(this::run);
  }

  /** Null while the replica follows the store; otherwise why it does not. */
  public String problem() {
    return problem;
  }

  private void run() {
    while (running) {
      try (Connection connection = db.dedicatedConnection();
          Statement statement = connection.createStatement()) {
        statement.execute("LISTEN " + Database.CHANNEL);
        PGConnection pg = connection.unwrap(PGConnection.class);
        if (problem != null) {
          log.info("replica: the store is back; catching up");
        }
        // Whatever happened while we were not listening. After an outage of the whole store nothing
        // did, which this connection tells at once: the pool the catch-up reads through can take
        // seconds more to reconnect (HikariCP backs off up to 5 s), and readiness waits for us.
        if (Catalog.storedGeneration(connection) != lastSeenGeneration) {
          catchUp();
        }
        problem = null; // only now is what this replica serves current
        long nextCheck = System.nanoTime() + period.toNanos();
        while (running) {
          PGNotification[] notifications =
              pg.getNotifications((int) Math.max(1, period.toMillis()));
          if (notifications != null) {
            for (PGNotification n : notifications) {
              apply(n.getParameter());
            }
          }
          if (System.nanoTime() >= nextCheck) {
            if (catalog.storedGeneration() != lastSeenGeneration) {
              catchUp();
            }
            nextCheck = System.nanoTime() + period.toNanos();
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          return;
        }
        if (problem == null) {
          log.warn("replica: lost the store ({}); serving the last snapshot", e.getMessage());
        }
        problem = "store unreachable: " + e.getMessage();
        // Soon again: a refused connection costs little, and readiness waits for this replica.
        sleep(Math.min(RETRY_MILLIS, period.toMillis()));
      }
    }
  }

  private void apply(String payload) {
    if (payload.equals("tokens")) {
      refreshTokens.run();
    } else if (payload.startsWith("project:")) {
      // "project:<key>", or "project:<key> <generation>" from a write that says where it committed
      String rest = payload.substring("project:".length());
      int space = rest.indexOf(' ');
      if (space < 0) {
        catalog.reload(rest);
      } else {
        catalog.follow(rest.substring(0, space), parseGeneration(rest.substring(space + 1)));
      }
    }
  }

  private static Long parseGeneration(String text) {
    try {
      return Long.valueOf(text);
    } catch (NumberFormatException e) {
      return null; // reload, to be safe
    }
  }

  private void catchUp() {
    long generation = catalog.storedGeneration();
    catalog.reloadAll();
    refreshTokens.run();
    lastSeenGeneration = generation;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}

package dev.rollgate.server.replicas;

import dev.rollgate.server.store.Database;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The servers sharing the store, as their heartbeats tell: each writes its row when it starts and
 * at every {@link #beat} (the server's background scheduler, every few seconds), with whether it
 * leads ({@link Leadership}), and deletes it when it stops cleanly. A replica is listed while its
 * row was written within the window; a row left by a replica that crashed drops out of the list
 * after the window, and out of the table after ten.
 *
 * <p>Times are each replica's own clock; replicas whose clocks disagree by more than the window
 * drop out of each other's lists.
 */
public final class ReplicaRegistry implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ReplicaRegistry.class);

  /** Rows not written for this many windows are deleted. */
  private static final int PRUNE_WINDOWS = 10;

  /**
   * A replica as its row has it.
   *
   * @param leader whether it led at its last heartbeat
   */
  public record Replica(
      String id, Instant startedAt, Instant lastSeenAt, boolean leader, String version) {}

  /** This replica: its id, when it started, its version, and whether it leads now. */
  public record Self(String id, Instant startedAt, String version, boolean leader) {}

  private final Database db;
  private final Leadership leadership;
  private final Clock clock;
  private final String version;
  private final Duration window;
  private final String id = UUID.randomUUID().toString();
  private final long startedAt;
  private volatile boolean failing; // the last heartbeat did not reach the store

  /** Writes this replica's row at once, so that it is listed from its start. */
  public ReplicaRegistry(
      Database db, Leadership leadership, Clock clock, String version, Duration window) {
    this.db = db;
    this.leadership = leadership;
    this.clock = clock;
    this.version = version;
    this.window = window;
    this.startedAt = clock.millis();
    beat();
  }

  /**
   * Writes this replica's row, and deletes rows long unwritten. A store that does not answer is
   * logged once, not at every heartbeat; the next heartbeat that gets through lists the replica
   * again.
   */
  public void beat() {
    long now = clock.millis();
    boolean leader = leadership.leads();
    int pruned;
    try {
      pruned =
          db.inTransaction(tx -> {
            ReplicaStore.beat(tx, id, startedAt, now, leader, version);
            return ReplicaStore.prune(tx, now - PRUNE_WINDOWS * window.toMillis());
          });
    } catch (RuntimeException e) {
      if (!failing) {
        failing = true;
        log.warn("replicas: cannot write this replica's heartbeat ({})", e.getMessage());
      }
      return;
    }
    if (failing) {
      failing = false;
      log.info("replicas: this replica's heartbeat is written again");
    }
    if (pruned > 0) {
      log.info(
          "replicas: removed {} replicas unseen for {} s",
          pruned,
          PRUNE_WINDOWS * window.toSeconds());
    }
  }

  public Self self() {
    return new Self(id, Instant.ofEpochMilli(startedAt), version, leadership.leads());
  }

  /**
   * The replicas seen within the window, the longest running first. This one is always there, as it
   * is now (whether it leads), even when its row has not reached the store.
   */
  public List<Replica> seen() {
    List<Replica> rows =
        db.inTransaction(tx -> ReplicaStore.seenSince(tx, clock.millis() - window.toMillis()));
    List<Replica> out = new ArrayList<>();
    boolean found = false;
    for (Replica r : rows) {
      if (r.id().equals(id)) {
        found = true;
        out.add(new Replica(id, r.startedAt(), r.lastSeenAt(), leadership.leads(), version));
      } else {
        out.add(r);
      }
    }
    if (!found) {
      out.add(
          new Replica(
              id, Instant.ofEpochMilli(startedAt), clock.instant(), leadership.leads(), version));
    }
    return List.copyOf(out);
  }

  /** Deletes this replica's row: it stops cleanly. */
  @Override
  public void close() {
    try {
      db.inTransaction(tx -> {
        ReplicaStore.delete(tx, id);
        return null;
      });
    } catch (RuntimeException e) {
      log.warn("replicas: cannot remove this replica's row ({}); it ages out", e.getMessage());
    }
  }
}

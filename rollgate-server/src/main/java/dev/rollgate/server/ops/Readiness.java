package dev.rollgate.server.ops;

import dev.rollgate.server.store.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Whether the store answers, as a background probe last found it, so that {@code /ready} answers at
 * once instead of waiting out a connection timeout during an outage. A probe that has been waiting
 * longer than its timeout counts as no answer; the first probe that answers counts as the store
 * being back, with no hold-down.
 */
public final class Readiness implements AutoCloseable {
  /** One look at the store: true when it answered. May block, for about the timeout at most. */
  @FunctionalInterface
  public interface Probe extends AutoCloseable {
    boolean answers();

    /** Lets go of what the probe holds. */
    @Override
    default void close() {}
  }

  private final Probe probe;
  private final Clock clock;
  private final long timeoutMillis;
  private volatile boolean answered;
  private volatile long probingSince = -1; // when the probe under way began, or -1

  /**
   * Probes once now, then every {@code period} on {@code scheduler} (which the caller shuts down).
   */
  public Readiness(
      Probe probe,
      ScheduledExecutorService scheduler,
      Clock clock,
      Duration period,
      Duration timeout) {
    this.probe = probe;
    this.clock = clock;
    this.timeoutMillis = timeout.toMillis();
    probe();
    var unused =
        scheduler.scheduleWithFixedDelay(
            this::probe, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Looks at the store once (the scheduler calls this; tests may too). */
  public void probe() {
    probingSince = clock.millis();
    boolean ok;
    try {
      ok = probe.answers();
    } catch (RuntimeException e) {
      ok = false;
    }
    answered = ok;
    probingSince = -1;
  }

  /** Whether the last probe was answered and none has been waiting longer than the timeout. */
  public boolean storeAnswers() {
    long since = probingSince;
    if (since >= 0 && clock.millis() - since > timeoutMillis) {
      return false;
    }
    return answered;
  }

  /** Closes the probe; the scheduler is the caller's to stop first. */
  @Override
  public void close() {
    probe.close();
  }

  /**
   * Probes a store over a connection of its own, outside the pool: the pool waits its connection
   * timeout before failing, and after an outage may wait seconds more before it tries again,
   * whereas this connection tells within {@code timeout} and is opened again on the next probe.
   */
  public static Probe of(Database db, Duration timeout) {
    return new StoreProbe(db, (int) Math.max(1, timeout.toSeconds()));
  }

  private static final class StoreProbe implements Probe {
    private final Database db;
    private final int timeoutSeconds;
    private Connection connection;

    StoreProbe(Database db, int timeoutSeconds) {
      this.db = db;
      this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public synchronized boolean answers() {
      try {
        if (connection == null) {
          connection = db.dedicatedConnection();
        }
        if (connection.isValid(timeoutSeconds)) {
          return true;
        }
      } catch (SQLException e) {
        // unreachable: no answer
      }
      close();
      return false;
    }

    @Override
    public synchronized void close() {
      try {
        if (connection != null) {
          connection.close();
        }
      } catch (SQLException e) {
        // already broken
      } finally {
        connection = null;
      }
    }
  }
}

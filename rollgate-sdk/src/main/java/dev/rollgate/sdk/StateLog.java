package dev.rollgate.sdk;

import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/**
 * Logs a connection's health when it changes, not each time it is checked: a client retrying a dead
 * server every few seconds, or sending events to a server that refuses them, would otherwise fill
 * the application's log. The first failure after being healthy logs a warning; a failure of another
 * kind logs again; further failures of the same kind log nothing; recovery logs once.
 *
 * <p>The SDK logs through {@link System.Logger} so that it adds no dependency and never chooses a
 * logging backend for the application. Messages must never contain a token.
 */
final class StateLog {
  private final System.Logger logger;
  private String failure; // null while healthy; guarded by this

  StateLog(String loggerName) {
    this(System.getLogger(loggerName));
  }

  StateLog(System.Logger logger) {
    this.logger = logger;
  }

  /**
   * A failure of {@code kind} (a status code, an exception class): logged at WARNING unless the
   * last failure was of the same kind.
   */
  void failed(String kind, Supplier<String> message) {
    synchronized (this) {
      if (kind.equals(failure)) {
        return;
      }
      failure = kind;
    }
    logger.log(Level.WARNING, message);
  }

  /** Healthy again: logged at INFO when it was failing. */
  void recovered(Supplier<String> message) {
    synchronized (this) {
      if (failure == null) {
        return;
      }
      failure = null;
    }
    logger.log(Level.INFO, message);
  }
}

package dev.rollgate.server.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts requests in flight so that shutdown can let them finish: once {@link #close} is called,
 * new requests are refused with 503 and {@link #awaitIdle} waits for the running ones.
 */
public final class Drain {
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicBoolean closing = new AtomicBoolean();

  /** A request starts; false when the server is shutting down and it must be refused. */
  boolean enter() {
    inFlight.incrementAndGet();
    return !closing.get();
  }

  /** A request is done (called once for every {@link #enter}). */
  void exit() {
    if (inFlight.decrementAndGet() == 0 && closing.get()) {
      synchronized (this) {
        notifyAll(); // only shutdown waits; the hot path takes no lock
      }
    }
  }

  /** Requests running now. */
  public int inFlight() {
    return inFlight.get();
  }

  public void close() {
    closing.set(true);
  }

  /** Waits until no request is running, at most {@code timeout}; returns whether it got there. */
  public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (inFlight.get() > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}

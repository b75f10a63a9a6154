package dev.rollgate.server.events;

import dev.rollgate.core.health.LatencyHistogram;

/** An event an SDK sent, checked and accepted, as it waits in the {@link EventInbox}. */
public sealed interface Inbound {
  /** Epoch ms: the event's own time when plausible, else when it arrived. */
  long time();

  /** A unit saw {@code variant} of {@code flag}. */
  record Exposure(String flag, String variant, String unit, long time) implements Inbound {}

  /** A unit did {@code name}, worth {@code value} (0 when it has none). */
  record Track(String unit, String name, double value, long time) implements Inbound {}

  /**
   * {@code count} requests served with {@code variant} of {@code flag} in the second starting at
   * {@code time}, {@code errors} of them failed; {@code latency} null when not measured.
   */
  record Outcome(
      String flag,
      String variant,
      String route,
      long time,
      long count,
      long errors,
      LatencyHistogram latency)
      implements Inbound {}
}

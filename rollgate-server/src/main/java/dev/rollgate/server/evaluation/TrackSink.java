package dev.rollgate.server.evaluation;

/** Where SDKs' track events go (experiments implement it). */
public interface TrackSink {
  /** A unit sent a track event {@code name} ({@code value} 0 when it has none) at {@code time}. */
  void track(String project, String environment, String unit, String name, double value, long time);
}

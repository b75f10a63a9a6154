package dev.rollgate.server.evaluation;

/**
 * Where evaluations that a unit saw are reported (experiments implement it). The unit (targeting
 * key) or the variant may be null: such evaluations are not exposures, and the sink drops them.
 */
public interface ExposureSink {
  /** A unit saw {@code variant} of {@code flag} just now (a single-flag OFREP evaluation). */
  void exposure(String project, String environment, String flag, String variant, String unit);

  /**
   * Whether exposures of {@code flag} count for anything now (an experiment observes it): SDKs'
   * exposure events of other flags are not kept.
   */
  boolean observes(String project, String environment, String flag);
}

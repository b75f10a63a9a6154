package dev.rollgate.server.rollouts;

/** What one judged window says about the canary. */
public enum Verdict {
  /** Every check passed with enough data. */
  PASS,
  /** A check failed: the canary is worse than allowed. */
  FAIL,
  /** Nothing failed, but the canary is over a pause threshold: a person should look. */
  DEGRADED,
  /** Nothing failed, but the data cannot yet show the canary is within its limits. */
  INCONCLUSIVE,
  /** Too few requests in the window or the stage to judge. */
  INSUFFICIENT_DATA,
  /** The health data could not be read. */
  ERROR
}

package dev.rollgate.core;

/** Why a resolution has the value it has (the OpenFeature reasons Rollgate uses). */
public enum Reason {
  /** The flag has no targeting: its default variant is served to everyone. */
  STATIC,
  /** Targeting chose the variant. */
  TARGETING_MATCH,
  /** A fractional split (pseudorandom but sticky bucketing) chose the variant. */
  SPLIT,
  /** Targeting chose nothing, so the flag's default variant (or the caller's default) is served. */
  DEFAULT,
  /** The flag is switched off; the caller's default is served. */
  DISABLED,
  /**
   * A prerequisite flag did not serve one of the variants this flag requires of it, so the flag's
   * default variant (or the caller's default) is served without its rules being evaluated.
   */
  PREREQUISITE_FAILED,
  /** Evaluation failed; the caller's default is served and {@link ErrorCode} says why. */
  ERROR
}

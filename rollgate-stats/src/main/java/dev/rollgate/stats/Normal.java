package dev.rollgate.stats;

import org.apache.commons.statistics.distribution.NormalDistribution;

/** The standard normal distribution (from Apache Commons Statistics). */
public final class Normal {
  private static final NormalDistribution STANDARD = NormalDistribution.of(0, 1);

  private Normal() {}

  /** z such that P(Z ≤ z) = p. */
  public static double quantile(double p) {
    return STANDARD.inverseCumulativeProbability(p);
  }

  /** P(Z > z). */
  public static double survival(double z) {
    return STANDARD.survivalProbability(z);
  }
}

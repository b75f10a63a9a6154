package dev.rollgate.stats;

/**
 * Asymptotic confidence sequences: intervals that hold at every look at once, so data can be
 * checked as often as one likes without inflating the error rate.
 *
 * <p>Source: Waudby-Smith, Arbour, Sinha, Kennedy and Ramdas, "Time-uniform central limit theory
 * and asymptotic confidence sequences" (arXiv 2103.06476), the normal-mixture boundary of their
 * Theorem 2.2 (Robbins' mixture): after {@code t} observations with standard deviation σ, the mean
 * lies within
 *
 * <pre>σ · √( 2(tρ² + 1) / (t²ρ²) · ln( √(tρ² + 1) / α ) )</pre>
 *
 * of the running estimate at every t simultaneously with probability at least 1 − α
 * (asymptotically). Written with the estimator's variance {@code V = σ²/t} this is {@code √V · √(
 * 2(tρ² + 1)/(tρ²) · ln(√(tρ² + 1)/α) )}, which also serves a difference of two independent means,
 * with V the sum of the arms' variances of the mean and t their total size (as GrowthBook and Eppo
 * do).
 *
 * <p>ρ sets the sample size at which the boundary is tightest; their equation for the optimal ρ at
 * a planned size N* is {@code ρ² = (−2 ln α + ln(−2 ln α + 1)) / N*}.
 */
public final class ConfidenceSequence {
  private ConfidenceSequence() {}

  /** The mixture parameter ρ that makes the sequence tightest after {@code nStar} observations. */
  public static double rho(double nStar, double alpha) {
    checkAlpha(alpha);
    if (!(nStar > 0)) {
      throw new IllegalArgumentException("the tuning sample size must be positive");
    }
    double l = -2 * Math.log(alpha);
    return Math.sqrt((l + Math.log(l + 1)) / nStar);
  }

  /**
   * The half-width of the two-sided (1 − α) confidence sequence after {@code t} observations for an
   * estimator with variance {@code estimatorVariance}.
   */
  public static double halfWidth(double estimatorVariance, double t, double rho, double alpha) {
    checkAlpha(alpha);
    if (!(t > 0) || !(estimatorVariance >= 0)) {
      throw new IllegalArgumentException("need t > 0 and a variance of at least 0");
    }
    double trho2 = t * rho * rho;
    return Math.sqrt(estimatorVariance)
        * Math.sqrt(2 * (trho2 + 1) / trho2 * Math.log(Math.sqrt(trho2 + 1) / alpha));
  }

  static void checkAlpha(double alpha) {
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be between 0 and 1, not " + alpha);
    }
  }
}

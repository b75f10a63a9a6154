package dev.rollgate.stats;

/** Intervals for one proportion and for the difference of two. */
public final class Proportions {
  private Proportions() {}

  /** An interval: lower and upper bound. */
  public record Interval(double lower, double upper) {}

  /**
   * The Wilson score interval at confidence {@code 1 − alpha}: unlike the plain normal interval it
   * stays inside [0, 1] and does not collapse to a point at 0 or n successes. Source: Wilson
   * (1927), "Probable inference, the law of succession, and statistical inference", JASA 22(158).
   */
  public static Interval wilson(long successes, long n, double alpha) {
    ConfidenceSequence.checkAlpha(alpha);
    if (n <= 0) {
      return new Interval(0, 1);
    }
    double z = Normal.quantile(1 - alpha / 2);
    double p = (double) successes / n;
    double z2n = z * z / n;
    double centre = (p + z2n / 2) / (1 + z2n);
    double half = z / (1 + z2n) * Math.sqrt(p * (1 - p) / n + z2n / (4 * n));
    return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
  }

  /**
   * The variance of the difference of two observed proportions, each estimated with one success and
   * one failure added (Agresti and Caffo 2000, "Simple and effective confidence intervals for
   * proportions and differences of proportions result from adding two successes and two failures",
   * The American Statistician 54(4)), so that a cohort with no errors yet still has a variance.
   */
  public static double differenceVariance(long x1, long n1, long x2, long n2) {
    return adjustedVariance(x1, n1) + adjustedVariance(x2, n2);
  }

  private static double adjustedVariance(long x, long n) {
    double p = (x + 1.0) / (n + 2.0);
    return p * (1 - p) / (n + 2.0);
  }
}

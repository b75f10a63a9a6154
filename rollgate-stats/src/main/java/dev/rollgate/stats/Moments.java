package dev.rollgate.stats;

/**
 * The sufficient statistics of one sample: its size, the sum of its values and the sum of their
 * squares. Two samples merge by adding them, so they can be kept per window and rolled up.
 */
public record Moments(long n, double sum, double sumSquares) {
  public static final Moments EMPTY = new Moments(0, 0, 0);

  /** A 0/1 sample with {@code successes} ones: its sum of squares equals its sum. */
  public static Moments ofProportion(long successes, long n) {
    return new Moments(n, successes, successes);
  }

  public Moments plus(Moments other) {
    return new Moments(n + other.n, sum + other.sum, sumSquares + other.sumSquares);
  }

  /** The mean; 0 for an empty sample. */
  public double mean() {
    return n == 0 ? 0 : sum / n;
  }

  /**
   * The unbiased sample variance, {@code (Σx² − (Σx)²/n) / (n − 1)}; 0 below two values, and never
   * below 0 (rounding can make the difference slightly negative).
   */
  public double variance() {
    return variance(n, sum, sumSquares);
  }

  static double variance(long n, double sum, double sumSquares) {
    if (n < 2) {
      return 0;
    }
    return Math.max(0, (sumSquares - sum * sum / n) / (n - 1));
  }
}

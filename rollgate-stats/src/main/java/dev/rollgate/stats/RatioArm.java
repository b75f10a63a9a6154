package dev.rollgate.stats;

/**
 * One arm of a ratio metric (such as revenue per session): per unit a numerator a and a denominator
 * b, summed over the arm's n units with their squares and their products.
 */
public record RatioArm(
    long n,
    double numeratorSum,
    double numeratorSumSquares,
    double denominatorSum,
    double denominatorSumSquares,
    double crossSum) {

  public RatioArm {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative");
    }
  }

  /** Σa / Σb; 0 when Σb is 0. */
  public double ratio() {
    return denominatorSum == 0 ? 0 : numeratorSum / denominatorSum;
  }

  double numeratorVariance() {
    return Moments.variance(n, numeratorSum, numeratorSumSquares);
  }

  double denominatorVariance() {
    return Moments.variance(n, denominatorSum, denominatorSumSquares);
  }

  double covariance() {
    return n < 2 ? 0 : (crossSum - numeratorSum * denominatorSum / n) / (n - 1);
  }
}

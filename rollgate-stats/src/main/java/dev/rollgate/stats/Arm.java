package dev.rollgate.stats;

/**
 * The sufficient statistics of one arm (variant) for one metric: units, the sum of their values and
 * of their squares; for CUPED also the sum of the pre-period values, of their squares and of the
 * products of each unit's value and pre-period value (null when there is no pre-period data).
 */
public record Arm(
    long n, double sum, double sumSquares, Double preSum, Double preSumSquares, Double crossSum) {

  public Arm(long n, double sum, double sumSquares) {
    this(n, sum, sumSquares, null, null, null);
  }

  /** A 0/1 metric with {@code successes} ones. */
  public static Arm proportion(long successes, long n) {
    return new Arm(n, successes, successes);
  }

  public Arm {
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative");
    }
    if (!Double.isFinite(sum) || !Double.isFinite(sumSquares) || sumSquares < 0) {
      throw new IllegalArgumentException("sum and sumSquares must be finite, sumSquares ≥ 0");
    }
    boolean anyPre = preSum != null || preSumSquares != null || crossSum != null;
    boolean allPre = preSum != null && preSumSquares != null && crossSum != null;
    if (anyPre && !allPre) {
      throw new IllegalArgumentException("CUPED needs preSum, preSumSquares and crossSum together");
    }
  }

  public boolean hasPrePeriod() {
    return preSum != null;
  }

  public double mean() {
    return n == 0 ? 0 : sum / n;
  }

  /** The unbiased sample variance of the values (0 below two units). */
  public double variance() {
    return Moments.variance(n, sum, sumSquares);
  }

  double preMean() {
    return n == 0 ? 0 : preSum / n;
  }

  double preVariance() {
    return Moments.variance(n, preSum, preSumSquares);
  }

  /** The sample covariance of value and pre-period value. */
  double covariance() {
    return n < 2 ? 0 : (crossSum - sum * preSum / n) / (n - 1);
  }

  /** Both arms' statistics added: for pooled estimates. */
  Arm plus(Arm other) {
    return new Arm(
        n + other.n,
        sum + other.sum,
        sumSquares + other.sumSquares,
        hasPrePeriod() && other.hasPrePeriod() ? preSum + other.preSum : null,
        hasPrePeriod() && other.hasPrePeriod() ? preSumSquares + other.preSumSquares : null,
        hasPrePeriod() && other.hasPrePeriod() ? crossSum + other.crossSum : null);
  }
}

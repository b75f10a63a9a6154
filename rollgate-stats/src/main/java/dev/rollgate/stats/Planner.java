package dev.rollgate.stats;

/**
 * How many units an experiment needs, or what it can detect, for a two-sided comparison of two
 * equal arms of a metric with variance σ².
 *
 * <p>Fixed horizon: {@code n per arm = 2(z(1−α/2) + z(power))²σ² / MDE²}, rounded up. Sequential:
 * the confidence sequence is wider than the fixed interval, so the planner finds the smallest n at
 * which {@code halfWidth(t = 2n) + z(power)·SE ≤ MDE}, with SE = √(2σ²/n) and the sequence tuned to
 * N* (a normal approximation to the power of the sequential test at that n; looking earlier can
 * only stop sooner).
 */
public final class Planner {
  private static final long MAX_N = 1L << 40;

  private Planner() {}

  /** Units per arm to detect {@code mde} (absolute) with the given power. */
  public static long sampleSize(
      double mde, double variance, double alpha, double power, Double nStar) {
    check(variance, alpha, power);
    if (!(mde > 0)) {
      throw new IllegalArgumentException("the minimum detectable effect must be positive");
    }
    if (nStar == null) {
      double z = Normal.quantile(1 - alpha / 2) + Normal.quantile(power);
      return (long) Math.ceil(2 * z * z * variance / (mde * mde));
    }
    long low = 2;
    long high = 2;
    while (detectable(high, variance, alpha, power, nStar) > mde) {
      high *= 2;
      if (high > MAX_N) {
        throw new IllegalArgumentException("more than 2^40 units per arm");
      }
    }
    while (low < high) {
      long mid = (low + high) >>> 1;
      if (detectable(mid, variance, alpha, power, nStar) > mde) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  /** The smallest effect detectable with {@code n} units per arm. */
  public static double minimumDetectableEffect(
      long n, double variance, double alpha, double power, Double nStar) {
    check(variance, alpha, power);
    if (n < 2) {
      throw new IllegalArgumentException("need at least 2 units per arm");
    }
    return detectable(n, variance, alpha, power, nStar);
  }

  private static double detectable(
      long n, double variance, double alpha, double power, Double nStar) {
    double se = Math.sqrt(2 * variance / n);
    if (nStar == null) {
      return (Normal.quantile(1 - alpha / 2) + Normal.quantile(power)) * se;
    }
    double rho = ConfidenceSequence.rho(nStar, alpha);
    return ConfidenceSequence.halfWidth(se * se, 2.0 * n, rho, alpha) + Normal.quantile(power) * se;
  }

  private static void check(double variance, double alpha, double power) {
    ConfidenceSequence.checkAlpha(alpha);
    if (!(variance > 0)) {
      throw new IllegalArgumentException("the variance must be positive");
    }
    if (!(power > 0 && power < 1)) {
      throw new IllegalArgumentException("power must be between 0 and 1");
    }
  }
}

package dev.rollgate.stats;

import org.apache.commons.statistics.distribution.BinomialDistribution;

/**
 * A distribution-free confidence interval for a quantile: the order statistics whose ranks the
 * binomial distribution gives (Conover, "Practical Nonparametric Statistics", 3rd ed., section
 * 3.2). Of n independent draws, the number below the q-quantile is Binomial(n, q); the interval
 * [X_(l), X_(u)] holds the quantile with probability at least 1 − alpha whatever the distribution.
 */
public final class Quantiles {
  private Quantiles() {}

  /**
   * The 0-based ranks of the interval's ends among {@code n} sorted values; an end the sample is
   * too small to give is clamped to the first or last value (and {@link Ranks#exact} is false).
   */
  public record Ranks(long lower, long upper, boolean exact) {}

  public static Ranks rankInterval(long n, double q, double alpha) {
    ConfidenceSequence.checkAlpha(alpha);
    if (n < 1 || !(q > 0 && q < 1)) {
      throw new IllegalArgumentException("need n >= 1 and 0 < q < 1");
    }
    if (n > Integer.MAX_VALUE) {
      // Beyond int's range the normal approximation to the binomial is exact enough.
      double z = Normal.quantile(1 - alpha / 2);
      double sd = Math.sqrt(n * q * (1 - q));
      long lower = (long) Math.floor(n * q - z * sd);
      long upper = (long) Math.ceil(n * q + z * sd);
      return new Ranks(Math.max(0, lower), Math.min(n - 1, upper), true);
    }
    BinomialDistribution b = BinomialDistribution.of((int) n, q);
    long first = b.inverseCumulativeProbability(alpha / 2); // 1-based rank l: P(B < l) < alpha/2
    long last = b.inverseCumulativeProbability(1 - alpha / 2) + 1L; // P(B >= u) <= alpha/2
    boolean exact = first >= 1 && last <= n;
    return new Ranks(Math.max(0, first - 1), Math.min(n - 1, last - 1), exact);
  }
}

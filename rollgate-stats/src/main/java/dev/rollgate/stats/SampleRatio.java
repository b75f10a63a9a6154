package dev.rollgate.stats;

import org.apache.commons.statistics.distribution.ChiSquaredDistribution;

/**
 * Sample-ratio mismatch: do the arms' unit counts fit the planned weights? Pearson's chi-square
 * goodness of fit, {@code Σ (observed − expected)² / expected} with k − 1 degrees of freedom; a
 * p-value under 0.001 is a mismatch (the convention of Fabijan et al. 2019, "Diagnosing sample
 * ratio mismatch in online controlled experiments", KDD), and no winner should be declared.
 */
public final class SampleRatio {
  public static final double THRESHOLD = 0.001;

  private SampleRatio() {}

  /** The test's result; {@code pValue} is 1 and there is no mismatch when nothing was observed. */
  public record Result(double chiSquare, double pValue, boolean mismatch) {}

  public static Result test(long[] observed, double[] weights) {
    if (observed.length != weights.length || observed.length < 2) {
      throw new IllegalArgumentException("need one weight per arm and at least two arms");
    }
    long total = 0;
    double weightSum = 0;
    for (int i = 0; i < observed.length; i++) {
      if (observed[i] < 0 || !(weights[i] > 0) || !Double.isFinite(weights[i])) {
        throw new IllegalArgumentException("counts must be ≥ 0 and weights > 0");
      }
      total += observed[i];
      weightSum += weights[i];
    }
    if (total == 0) {
      return new Result(0, 1, false);
    }
    double chiSquare = 0;
    for (int i = 0; i < observed.length; i++) {
      double expected = total * weights[i] / weightSum;
      double d = observed[i] - expected;
      chiSquare += d * d / expected;
    }
    double p = ChiSquaredDistribution.of(observed.length - 1).survivalProbability(chiSquare);
    return new Result(chiSquare, p, p < THRESHOLD);
  }
}

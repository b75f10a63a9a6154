package dev.rollgate.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.stats.Comparison.Alternative;
import dev.rollgate.stats.Comparison.Metric;
import dev.rollgate.stats.Comparison.Options;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Seeded simulations of the properties the formulas promise. */
class SimulationTest {
  private static final double ALPHA = 0.05;

  /** Three binomial standard errors above alpha, for a rate estimated from {@code runs}. */
  private static double ceiling(int runs) {
    return ALPHA + 3 * Math.sqrt(ALPHA * (1 - ALPHA) / runs);
  }

  @Test
  void aaWithThirtyLooksTheSequentialTestHoldsAlphaAndRepeatedFixedTestsDoNot() {
    SplittableRandom random = new SplittableRandom(30);
    int runs = 400;
    int sequentialRejected = 0;
    int naiveRejected = 0;
    for (int run = 0; run < runs; run++) {
      double[] c = new double[3];
      double[] t = new double[3];
      boolean sequential = false;
      boolean naive = false;
      for (int look = 0; look < 30; look++) {
        for (int i = 0; i < 200; i++) {
          add(c, 5 + random.nextGaussian());
          add(t, 5 + random.nextGaussian());
        }
        Arm control = new Arm((long) c[0], c[1], c[2]);
        Arm treatment = new Arm((long) t[0], t[1], t[2]);
        sequential |=
            Comparison.compare(
                        control,
                        treatment,
                        new Options(Metric.MEAN, false, Alternative.TWO_SIDED, ALPHA, 5000.0))
                    .pValue()
                < ALPHA;
        naive |=
            Comparison.compare(control, treatment, Options.fixed(Metric.MEAN, false)).pValue()
                < ALPHA;
      }
      sequentialRejected += sequential ? 1 : 0;
      naiveRejected += naive ? 1 : 0;
    }
    double sequentialRate = (double) sequentialRejected / runs;
    double naiveRate = (double) naiveRejected / runs;
    System.out.printf(
        "A/A, 30 looks, %d runs: sequential false positives %.3f, fixed-horizon at every look %.3f%n",
        runs, sequentialRate, naiveRate);
    assertThat(sequentialRate).isLessThanOrEqualTo(ceiling(runs));
    assertThat(naiveRate).isGreaterThan(ceiling(runs));
  }

  private static void add(double[] acc, double x) {
    acc[0]++;
    acc[1] += x;
    acc[2] += x * x;
  }

  @Test
  void fixedHorizonIntervalsCoverTheTrueEffectAtTheNominalRate() {
    SplittableRandom random = new SplittableRandom(95);
    int runs = 2000;
    int covered = 0;
    int coveredRelative = 0;
    for (int run = 0; run < runs; run++) {
      double[] c = new double[3];
      double[] t = new double[3];
      for (int i = 0; i < 300; i++) {
        add(c, 10 + 3 * random.nextGaussian());
        add(t, 10.5 + 4 * random.nextGaussian());
      }
      Arm control = new Arm(300, c[1], c[2]);
      Arm treatment = new Arm(300, t[1], t[2]);
      Comparison.Result r =
          Comparison.compare(control, treatment, Options.fixed(Metric.MEAN, false));
      covered += r.lower() <= 0.5 && 0.5 <= r.upper() ? 1 : 0;
      Comparison.Result rel =
          Comparison.compare(control, treatment, Options.fixed(Metric.MEAN, true));
      coveredRelative += rel.lower() <= 0.05 && 0.05 <= rel.upper() ? 1 : 0;
    }
    double se = Math.sqrt(0.95 * 0.05 / runs);
    assertThat((double) covered / runs).isBetween(0.95 - 3 * se, 0.95 + 3 * se);
    assertThat((double) coveredRelative / runs).isBetween(0.95 - 3 * se, 0.95 + 3 * se);
  }

  @Test
  void cupedShrinksTheVarianceWhenThePrePeriodIsCorrelated() {
    SplittableRandom random = new SplittableRandom(7);
    double[] c = new double[6];
    double[] t = new double[6];
    for (int i = 0; i < 2000; i++) {
      addPaired(c, random, 0);
      addPaired(t, random, 0.2);
    }
    Arm control = new Arm(2000, c[0], c[1], c[2], c[3], c[4]);
    Arm treatment = new Arm(2000, t[0], t[1], t[2], t[3], t[4]);
    Comparison.Result cuped =
        Comparison.compare(control, treatment, Options.fixed(Metric.MEAN, false));
    Comparison.Result plain =
        Comparison.compare(
            new Arm(2000, c[0], c[1]),
            new Arm(2000, t[0], t[1]),
            Options.fixed(Metric.MEAN, false));
    // y = x + noise with var(x) = 4 and var(noise) = 1: correlation 0.894, so CUPED keeps
    // √(1 − 0.8) ≈ 0.45 of the standard error.
    double ratio = cuped.standardError() / plain.standardError();
    assertThat(ratio).isBetween(0.40, 0.50);
    assertThat(cuped.theta()).isBetween(0.9, 1.1);
  }

  /** y = x + shift + noise, x ~ N(10, 2²); sums of y, y², x, x², xy. */
  private static void addPaired(double[] acc, SplittableRandom random, double shift) {
    double x = 10 + 2 * random.nextGaussian();
    double y = x + shift + random.nextGaussian();
    acc[0] += y;
    acc[1] += y * y;
    acc[2] += x;
    acc[3] += x * x;
    acc[4] += x * y;
  }
}

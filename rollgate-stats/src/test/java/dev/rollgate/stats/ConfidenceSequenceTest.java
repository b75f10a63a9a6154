package dev.rollgate.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ConfidenceSequenceTest {

  @Test
  void rhoMakesTheBoundaryTightestAtTheTuningSize() {
    double alpha = 0.05;
    double nStar = 5000;
    double best = ConfidenceSequence.rho(nStar, alpha);
    double sigma2 = 1.0;
    double atBest = ConfidenceSequence.halfWidth(sigma2 / nStar, nStar, best, alpha);
    for (double factor : new double[] {0.5, 0.8, 0.95, 1.05, 1.25, 2}) {
      double other = ConfidenceSequence.halfWidth(sigma2 / nStar, nStar, best * factor, alpha);
      assertThat(other).as("rho × %s", factor).isGreaterThan(atBest);
    }
  }

  @Test
  void isWiderThanTheFixedHorizonIntervalAndNarrowsWithData() {
    double rho = ConfidenceSequence.rho(5000, 0.05);
    double at1000 = ConfidenceSequence.halfWidth(0.25 / 1000, 1000, rho, 0.05);
    double at10000 = ConfidenceSequence.halfWidth(0.25 / 10000, 10000, rho, 0.05);
    assertThat(at1000).isGreaterThan(1.96 * Math.sqrt(0.25 / 1000));
    assertThat(at10000).isLessThan(at1000);
  }

  /**
   * Time-uniform coverage: over 400 sequences of 2,000 fair coin flips each, looked at after every
   * 20 flips, the interval misses the true mean at some look in at most about alpha of them.
   */
  @Test
  void holdsAtEveryLookAtOnce() {
    SplittableRandom random = new SplittableRandom(7);
    double alpha = 0.05;
    double rho = ConfidenceSequence.rho(1000, alpha);
    int runs = 400;
    int everMissed = 0;
    int fixedEverMissed = 0;
    for (int run = 0; run < runs; run++) {
      long ones = 0;
      boolean missed = false;
      boolean fixedMissed = false;
      for (int n = 1; n <= 2000; n++) {
        ones += random.nextBoolean() ? 1 : 0;
        if (n % 20 == 0) {
          Moments m = Moments.ofProportion(ones, n);
          double v = m.variance() / n;
          missed |= Math.abs(m.mean() - 0.5) > ConfidenceSequence.halfWidth(v, n, rho, alpha);
          fixedMissed |= Math.abs(m.mean() - 0.5) > 1.959964 * Math.sqrt(v);
        }
      }
      everMissed += missed ? 1 : 0;
      fixedEverMissed += fixedMissed ? 1 : 0;
    }
    // alpha plus three binomial standard errors; a fixed-horizon interval looked at 100 times
    // misses far more often.
    assertThat((double) everMissed / runs).isLessThan(alpha + 3 * Math.sqrt(alpha * 0.95 / runs));
    assertThat((double) fixedEverMissed / runs).isGreaterThan(0.2);
  }

  @Test
  void rejectsParametersOutsideTheirRange() {
    assertThatThrownBy(() -> ConfidenceSequence.rho(5000, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfidenceSequence.rho(0, 0.05))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfidenceSequence.halfWidth(1, 0, 0.1, 0.05))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

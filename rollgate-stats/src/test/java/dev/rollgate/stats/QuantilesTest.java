package dev.rollgate.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class QuantilesTest {
  @Test
  void theMedianOfTwentyMatchesConoversTable() {
    // Conover's table A3 / the binomial: for n = 20, q = 0.5, 95%: X_(6) to X_(15) (1-based).
    Quantiles.Ranks r = Quantiles.rankInterval(20, 0.5, 0.05);
    assertThat(r.lower()).isEqualTo(5);
    assertThat(r.upper()).isEqualTo(14);
    assertThat(r.exact()).isTrue();
  }

  @Test
  void aSampleTooSmallForTheTailIsClampedAndSaysSo() {
    Quantiles.Ranks r = Quantiles.rankInterval(10, 0.95, 0.05);
    assertThat(r.upper()).isEqualTo(9);
    assertThat(r.exact()).isFalse();
  }

  @Test
  void coversTheTrueP95AtLeastNinetyFivePercentOfTheTime() {
    SplittableRandom random = new SplittableRandom(17);
    double trueP95 = -Math.log(0.05); // exponential(1)
    int covered = 0;
    int trials = 2000;
    for (int t = 0; t < trials; t++) {
      double[] x = new double[400];
      for (int i = 0; i < x.length; i++) {
        x[i] = -Math.log(1 - random.nextDouble());
      }
      Arrays.sort(x);
      Quantiles.Ranks r = Quantiles.rankInterval(x.length, 0.95, 0.05);
      if (x[(int) r.lower()] <= trueP95 && trueP95 <= x[(int) r.upper()]) {
        covered++;
      }
    }
    // At least 95% by construction; 2000 trials put a 94% floor over 3 standard errors away.
    assertThat(covered / (double) trials).isGreaterThan(0.94);
  }

  @Test
  void beyondIntsRangeTheNormalApproximationCentresOnTheQuantile() {
    long n = 3_000_000_000L;
    Quantiles.Ranks r = Quantiles.rankInterval(n, 0.95, 0.05);
    double sd = Math.sqrt(n * 0.95 * 0.05);
    assertThat(r.exact()).isTrue();
    assertThat(r.lower()).isBetween((long) (n * 0.95 - 2 * sd), (long) (n * 0.95 - 1.9 * sd));
    assertThat(r.upper()).isBetween((long) (n * 0.95 + 1.9 * sd), (long) (n * 0.95 + 2 * sd));
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> Quantiles.rankInterval(0, 0.5, 0.05))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Quantiles.rankInterval(10, 1, 0.05))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

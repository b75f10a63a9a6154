package dev.rollgate.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ProportionsTest {

  /**
   * Published values: 1/29 from Newcombe (1998), Statistics in Medicine 17, table I; 0/10 the
   * commonly tabulated 0 to 0.2775.
   */
  @Test
  void wilsonMatchesPublishedIntervals() {
    Proportions.Interval none = Proportions.wilson(0, 10, 0.05);
    assertThat(none.lower()).isEqualTo(0.0);
    assertThat(none.upper()).isCloseTo(0.2775, within(1e-4));
    Proportions.Interval one = Proportions.wilson(1, 29, 0.05);
    assertThat(one.lower()).isCloseTo(0.0061, within(1e-4));
    assertThat(one.upper()).isCloseTo(0.1718, within(1e-4));
  }

  @Test
  void anEmptySampleSaysNothing() {
    assertThat(Proportions.wilson(0, 0, 0.05)).isEqualTo(new Proportions.Interval(0, 1));
  }

  @Test
  void differenceVarianceIsPositiveEvenWithoutEvents() {
    // (1/102)(101/102)/102 twice
    double expected = 2 * (1.0 / 102) * (101.0 / 102) / 102;
    assertThat(Proportions.differenceVariance(0, 100, 0, 100)).isCloseTo(expected, within(1e-15));
  }

  @Test
  void momentsMergeAndGiveTheSampleVariance() {
    Moments a = new Moments(3, 6, 14); // 1, 2, 3
    Moments b = new Moments(2, 9, 41); // 4, 5
    Moments all = a.plus(b);
    assertThat(all.mean()).isEqualTo(3.0);
    assertThat(all.variance()).isCloseTo(2.5, within(1e-12));
    assertThat(Moments.EMPTY.variance()).isZero();
  }
}

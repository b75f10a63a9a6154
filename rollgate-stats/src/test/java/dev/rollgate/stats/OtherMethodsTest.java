package dev.rollgate.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** SRM, multiple testing, the Bayesian summary and the planner, against reference values. */
class OtherMethodsTest {

  @Test
  void holmMatchesTheReference() {
    assertThat(MultipleTesting.holm(new double[] {0.01, 0.04, 0.03, 0.005, 0.55, 0.6}))
        .containsExactly(new double[] {0.05, 0.12, 0.12, 0.03, 1, 1}, within(1e-12));
  }

  @Test
  void benjaminiHochbergMatchesTheReference() {
    assertThat(
            MultipleTesting.benjaminiHochberg(
                new double[] {0.898, 0.138, 0.007, 0.964, 0.538, 0.006, 0.138}))
        .containsExactly(
            new double[] {0.964, 0.2415, 0.0245, 0.964, 0.7532, 0.0245, 0.2415}, within(1e-4));
    assertThatThrownBy(() -> MultipleTesting.holm(new double[] {1.5}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sampleRatioMismatchMatchesSciPysChiSquare() {
    SampleRatio.Result two = SampleRatio.test(new long[] {5000, 5250}, new double[] {1, 1});
    assertThat(two.chiSquare()).isCloseTo(6.097560975609756, within(1e-9));
    assertThat(two.pValue()).isCloseTo(0.013536859346243508, within(1e-9));
    assertThat(two.mismatch()).isFalse();
    SampleRatio.Result three =
        SampleRatio.test(new long[] {1000, 2000, 1100}, new double[] {25, 50, 25});
    assertThat(three.pValue()).isCloseTo(0.025770197629651086, within(1e-9));
    assertThat(SampleRatio.test(new long[] {5000, 5500}, new double[] {50, 50}).mismatch())
        .isTrue();
    assertThat(SampleRatio.test(new long[] {0, 0}, new double[] {1, 1}).mismatch()).isFalse();
  }

  @Test
  void bayesianSummaryMatchesTheNormalPosterior() {
    Bayesian.Summary s = Bayesian.summarize(0.02, 0.01);
    assertThat(s.chanceToBeatControl()).isCloseTo(0.9772498680518208, within(1e-9));
    assertThat(s.expectedLoss()).isCloseTo(8.490702616829676e-05, within(1e-12));
  }

  @Test
  void theFixedHorizonPlannerAgreesWithTheClosedForm() {
    assertThat(Planner.sampleSize(0.3, 100, 0.05, 0.85, null)).isEqualTo(19_952);
    double mde = Planner.minimumDetectableEffect(19_952, 100, 0.05, 0.85, null);
    assertThat(mde).isLessThanOrEqualTo(0.3).isCloseTo(0.3, within(1e-4));
  }

  @Test
  void theSequentialPlannerNeedsMoreUnits() {
    long fixed = Planner.sampleSize(0.3, 100, 0.05, 0.85, null);
    long sequential = Planner.sampleSize(0.3, 100, 0.05, 0.85, 20_000.0);
    assertThat(sequential).isGreaterThan(fixed);
    // It is the smallest n that reaches the effect.
    assertThat(Planner.minimumDetectableEffect(sequential, 100, 0.05, 0.85, 20_000.0))
        .isLessThanOrEqualTo(0.3);
    assertThat(Planner.minimumDetectableEffect(sequential - 1, 100, 0.05, 0.85, 20_000.0))
        .isGreaterThan(0.3);
  }
}

package dev.rollgate.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.rollgate.stats.Comparison.Alternative;
import dev.rollgate.stats.Comparison.Metric;
import dev.rollgate.stats.Comparison.Options;
import dev.rollgate.stats.Comparison.Result;
import dev.rollgate.stats.Comparison.Status;
import org.junit.jupiter.api.Test;

/**
 * Published reference results, and values computed independently of this code: with SciPy 1.17 and
 * NumPy on the raw unit-level data (the sufficient statistics below were taken from the same data),
 * CUPED by adjusting each unit and running SciPy's Welch test on the adjusted values.
 */
class ComparisonTest {
  private static final double TIGHT = 1e-5;

  private static Options fixed(Metric metric, boolean relative, Alternative alternative) {
    return new Options(metric, relative, alternative, 0.05, null);
  }

  @Test
  void welchMatchesSpotifysConfidence() {
    Result r =
        Comparison.compare(
            new Arm(10, 24, 80),
            new Arm(150, 330, 1010),
            fixed(Metric.MEAN, false, Alternative.TWO_SIDED));
    assertThat(r.status()).isEqualTo(Status.OK);
    assertThat(r.effect()).isCloseTo(-0.2, within(TIGHT));
    assertThat(r.lower()).isCloseTo(-1.340533, within(TIGHT));
    assertThat(r.upper()).isCloseTo(0.940533, within(TIGHT));
    assertThat(r.pValue()).isCloseTo(0.704021, within(TIGHT));
    assertThat(r.degreesOfFreedom()).isCloseTo(9.940878, within(TIGHT));
  }

  @Test
  void proportionsUseTheirBinomialVariance() {
    // SciPy: a z-test with unpooled p(1-p)/n variances, 120/1000 against 150/1000.
    Result r =
        Comparison.compare(
            Arm.proportion(120, 1000),
            Arm.proportion(150, 1000),
            fixed(Metric.PROPORTION, false, Alternative.TWO_SIDED));
    assertThat(r.effect()).isCloseTo(0.03, within(TIGHT));
    assertThat(r.standardError()).isCloseTo(0.015267612779999369, within(TIGHT));
    assertThat(r.lower()).isCloseTo(7.602882129778554e-05, within(TIGHT));
    assertThat(r.upper()).isCloseTo(0.05992397117870221, within(TIGHT));
    assertThat(r.pValue()).isCloseTo(0.04942075065958091, within(TIGHT));
    assertThat(r.degreesOfFreedom()).isNull();
  }

  private static final Arm REL_CONTROL = new Arm(400, 3982.5789100799475, 43471.752691520065);
  private static final Arm REL_TREATMENT = new Arm(500, 5265.2021772847365, 60702.74525111507);

  @Test
  void relativeLiftUsesTheDeltaMethod() {
    Result r =
        Comparison.compare(
            REL_CONTROL, REL_TREATMENT, fixed(Metric.MEAN, true, Alternative.TWO_SIDED));
    assertThat(r.effect()).isCloseTo(0.057646775351209045, within(TIGHT));
    assertThat(r.standardError()).isCloseTo(0.021968977724763104, within(TIGHT));
    assertThat(r.lower()).isCloseTo(0.01452845604886887, within(TIGHT));
    assertThat(r.upper()).isCloseTo(0.10076509465354921, within(TIGHT));
    assertThat(r.pValue()).isCloseTo(0.008842255896283693, within(TIGHT));
  }

  @Test
  void oneSidedQuestionsHaveOneBoundAndOneTail() {
    Result greater =
        Comparison.compare(
            REL_CONTROL, REL_TREATMENT, fixed(Metric.MEAN, false, Alternative.GREATER));
    assertThat(greater.effect()).isCloseTo(0.5739570793696043, within(TIGHT));
    assertThat(greater.lower()).isCloseTo(0.22463819342058633, within(TIGHT));
    assertThat(greater.upper()).isNull();
    assertThat(greater.pValue()).isCloseTo(0.0034767536499177116, within(TIGHT));
    Result less =
        Comparison.compare(REL_CONTROL, REL_TREATMENT, fixed(Metric.MEAN, false, Alternative.LESS));
    assertThat(less.lower()).isNull();
    assertThat(less.pValue()).isCloseTo(1 - 0.0034767536499177116, within(TIGHT));
  }

  @Test
  void cupedMatchesAdjustingEachUnit() {
    Arm control =
        new Arm(
            600,
            9434.059102441708,
            160008.01963919605,
            11730.852006606638,
            243955.2544064134,
            195966.13970735692);
    Arm treatment =
        new Arm(
            600,
            9916.592423087703,
            176374.370012216,
            11916.086961830084,
            253106.65399341733,
            209864.57011063368);
    Result r =
        Comparison.compare(control, treatment, fixed(Metric.MEAN, false, Alternative.TWO_SIDED));
    assertThat(r.theta()).isCloseTo(0.7886295744421896, within(TIGHT));
    assertThat(r.effect()).isCloseTo(0.5607525945605207, within(TIGHT));
    assertThat(r.standardError()).isCloseTo(0.11698078462466609, within(TIGHT));
    assertThat(r.pValue()).isCloseTo(1.8446692970413922e-06, within(1e-8));
    // Without the pre-period the same data is far noisier.
    Result plain =
        Comparison.compare(
            new Arm(600, control.sum(), control.sumSquares()),
            new Arm(600, treatment.sum(), treatment.sumSquares()),
            fixed(Metric.MEAN, false, Alternative.TWO_SIDED));
    assertThat(plain.standardError()).isCloseTo(0.2592130743309758, within(TIGHT));
    // The relative lift divides the adjusted difference by the unadjusted control mean.
    Result relative =
        Comparison.compare(control, treatment, fixed(Metric.MEAN, true, Alternative.TWO_SIDED));
    assertThat(relative.effect()).isCloseTo(r.effect() / (control.sum() / 600), within(1e-12));
  }

  @Test
  void ratioMetricsUseTheDeltaMethod() {
    RatioArm control =
        new RatioArm(800, 31866.192535511207, 2208423.1641583564, 3288, 15918, 153928.38347793714);
    RatioArm treatment =
        new RatioArm(800, 37509.30909662158, 3202008.5818195897, 3203, 15347, 181205.3451886877);
    Result r =
        Comparison.compareRatio(
            control, treatment, fixed(Metric.MEAN, false, Alternative.TWO_SIDED));
    assertThat(r.effect()).isCloseTo(2.019015933439963, within(TIGHT));
    assertThat(r.standardError()).isCloseTo(0.41277474439378, within(TIGHT));
    // A bootstrap over units (2,000 resamples, NumPy) gave 0.41244: the approximation holds.
    assertThat(r.standardError()).isCloseTo(0.41244, within(0.01));
  }

  @Test
  void degenerateInputsGiveAStatusNotNaN() {
    Options o = fixed(Metric.MEAN, true, Alternative.TWO_SIDED);
    assertThat(Comparison.compare(new Arm(1, 3, 9), new Arm(10, 30, 100), o).status())
        .isEqualTo(Status.INSUFFICIENT_DATA);
    Result flat =
        Comparison.compare(
            new Arm(5, 10, 20),
            new Arm(5, 15, 45),
            fixed(Metric.MEAN, false, Alternative.TWO_SIDED));
    assertThat(flat.status()).isEqualTo(Status.ZERO_VARIANCE);
    assertThat(flat.effect()).isEqualTo(1.0);
    assertThat(flat.pValue()).isNull();
    Result zero = Comparison.compare(new Arm(5, 0, 10), new Arm(5, 5, 15), o);
    assertThat(zero.status()).isEqualTo(Status.CONTROL_MEAN_ZERO);
    assertThat(zero.effect()).isNull();
    Result none =
        Comparison.compare(
            Arm.proportion(0, 100),
            Arm.proportion(0, 100),
            fixed(Metric.PROPORTION, false, Alternative.TWO_SIDED));
    assertThat(none.status()).isEqualTo(Status.ZERO_VARIANCE);
    assertThat(
            Comparison.compareRatio(
                    new RatioArm(10, 5, 5, 0, 0, 0), new RatioArm(10, 5, 5, 3, 3, 3), o)
                .status())
        .isEqualTo(Status.CONTROL_MEAN_ZERO);
    assertThatThrownBy(() ->
            Comparison.compare(
                Arm.proportion(5, 10),
                new Arm(10, 11, 11),
                fixed(Metric.PROPORTION, false, Alternative.TWO_SIDED)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("count of successes");
  }

  @Test
  void theSequentialPValueAndIntervalAgree() {
    // p ≤ alpha exactly when the confidence sequence excludes 0.
    for (int extra = 0; extra <= 60; extra += 5) {
      Result r =
          Comparison.compare(
              Arm.proportion(100, 1000),
              Arm.proportion(100 + extra, 1000),
              new Options(Metric.PROPORTION, false, Alternative.TWO_SIDED, 0.05, 5000.0));
      boolean excludesZero = r.lower() > 0 || r.upper() < 0;
      assertThat(r.pValue() <= 0.05).as("extra %d", extra).isEqualTo(excludesZero);
      Result fixedHorizon =
          Comparison.compare(
              Arm.proportion(100, 1000),
              Arm.proportion(100 + extra, 1000),
              fixed(Metric.PROPORTION, false, Alternative.TWO_SIDED));
      assertThat(r.upper() - r.lower()).isGreaterThan(fixedHorizon.upper() - fixedHorizon.lower());
      assertThat(r.pValue()).isGreaterThanOrEqualTo(fixedHorizon.pValue());
    }
  }
}

package dev.rollgate.stats;

import org.apache.commons.statistics.distribution.TDistribution;

/**
 * Treatment against control on one metric, from each arm's sufficient statistics: the effect
 * (absolute, or relative to the control mean), its standard error, an interval and a p-value, fixed
 * horizon or sequential (always valid).
 *
 * <p>Formulas, per arm with n units, mean m and sample variance s²:
 *
 * <ul>
 *   <li>Means: the variance of the mean is s²/n; the test is Welch's t-test with the
 *       Welch–Satterthwaite degrees of freedom {@code (v_t + v_c)² / (v_t²/(n_t−1) + v_c²/(n_c−1))}
 *       (Welch 1947, Biometrika 34). Proportions use p(1−p)/n and the normal distribution.
 *   <li>Relative lift {@code (m_t − m_c) / |m_c|}, with the delta-method variance {@code
 *       Var(D)/m_c² + D²·Var(m_c)/m_c⁴ − 2·D·Cov(D, m_c)/m_c³} where D is the (adjusted)
 *       difference; without CUPED this is the familiar {@code v_t/m_c² + m_t²·v_c/m_c⁴} (Deng et
 *       al. 2018, "Applying the delta method in metric analytics", KDD).
 *   <li>CUPED (Deng, Xu, Kohavi and Walker 2013, WSDM): θ = Cov(Y, X)/Var(X) over both arms pooled,
 *       each arm's mean adjusted by {@code −θ(x̄_arm − x̄_pooled)} and its variance becoming {@code
 *       s²_y + θ²s²_x − 2θ·s_xy}; the relative lift divides by the unadjusted control mean.
 *   <li>Sequential: the asymptotic confidence sequence of {@link ConfidenceSequence} with t = n_t +
 *       n_c and ρ from N*; its p-value is the smallest alpha whose sequence excludes 0, {@code
 *       min(1, √(tρ²+1)·exp(−z²·tρ²/(2(tρ²+1))))} with z = effect/SE. A one-sided question takes
 *       one side of the two-sided sequence, which keeps it valid (and conservative).
 * </ul>
 *
 * <p>Degenerate inputs give a {@link Status} instead of NaN or an exception.
 */
public final class Comparison {
  /** A control mean smaller than this (in absolute value) makes a relative lift meaningless. */
  static final double NEAR_ZERO = 1e-12;

  private Comparison() {}

  public enum Metric {
    MEAN,
    PROPORTION
  }

  public enum Alternative {
    TWO_SIDED,
    GREATER,
    LESS
  }

  /** Why no comparison could be made; OK when it could. */
  public enum Status {
    OK("ok"),
    INSUFFICIENT_DATA("insufficient_data"),
    ZERO_VARIANCE("zero_variance"),
    CONTROL_MEAN_ZERO("control_mean_zero");

    private final String code;

    Status(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /**
   * How to compare.
   *
   * @param nStar the sequential tuning sample size, or null for a fixed-horizon analysis
   */
  public record Options(
      Metric metric, boolean relative, Alternative alternative, double alpha, Double nStar) {
    public Options {
      ConfidenceSequence.checkAlpha(alpha);
      if (nStar != null && !(nStar > 0)) {
        throw new IllegalArgumentException("nStar must be positive");
      }
    }

    public static Options fixed(Metric metric, boolean relative) {
      return new Options(metric, relative, Alternative.TWO_SIDED, 0.05, null);
    }
  }

  /**
   * The answer. Numbers that the status leaves undefined are null, never NaN.
   *
   * @param lower the interval's lower bound, null when open (a "less" question)
   * @param upper the interval's upper bound, null when open (a "greater" question)
   * @param theta CUPED's θ, null without pre-period data
   * @param degreesOfFreedom Welch's, null for proportions and sequential analyses
   */
  public record Result(
      Status status,
      Double effect,
      Double standardError,
      Double lower,
      Double upper,
      Double pValue,
      Double theta,
      Double degreesOfFreedom,
      double controlMean,
      double treatmentMean) {

    static Result degenerate(Status status, Double effect, Est c, Est t, Double theta) {
      return new Result(status, effect, null, null, null, null, theta, null, c.raw, t.raw);
    }
  }

  /**
   * One arm's estimate: its (adjusted) mean, the variance of that mean, the raw mean, and the
   * covariance of the adjusted mean with the raw mean (for the relative lift's delta method).
   */
  record Est(
      long n,
      double mean,
      double varianceOfMean,
      double raw,
      double rawVarianceOfMean,
      double covarianceWithRaw) {
    static Est empty(long n, double raw) {
      return new Est(n, 0, 0, raw, 0, 0);
    }
  }

  public static Result compare(Arm control, Arm treatment, Options options) {
    if (options.metric() == Metric.PROPORTION) {
      checkProportion(control, "control");
      checkProportion(treatment, "treatment");
    }
    if (control.n() < 2 || treatment.n() < 2) {
      return Result.degenerate(
          Status.INSUFFICIENT_DATA,
          null,
          Est.empty(control.n(), control.mean()),
          Est.empty(treatment.n(), treatment.mean()),
          null);
    }
    Double theta = null;
    Est c;
    Est t;
    if (control.hasPrePeriod() && treatment.hasPrePeriod()) {
      Arm pooled = control.plus(treatment);
      double preVariance = pooled.preVariance();
      theta = preVariance > 0 ? pooled.covariance() / preVariance : 0.0;
      double pooledPreMean = pooled.preMean();
      c = cuped(control, theta, pooledPreMean, options.metric());
      t = cuped(treatment, theta, pooledPreMean, options.metric());
    } else {
      c = plain(control, options.metric());
      t = plain(treatment, options.metric());
    }
    return compare(c, t, options, theta);
  }

  /** Ratio metrics (the ratio of two sums per arm), by the delta method. */
  public static Result compareRatio(RatioArm control, RatioArm treatment, Options options) {
    if (control.n() < 2 || treatment.n() < 2) {
      return Result.degenerate(
          Status.INSUFFICIENT_DATA,
          null,
          Est.empty(control.n(), control.ratio()),
          Est.empty(treatment.n(), treatment.ratio()),
          null);
    }
    if (Math.abs(control.denominatorSum()) < NEAR_ZERO
        || Math.abs(treatment.denominatorSum()) < NEAR_ZERO) {
      return Result.degenerate(
          Status.CONTROL_MEAN_ZERO,
          null,
          Est.empty(control.n(), 0),
          Est.empty(treatment.n(), 0),
          null);
    }
    Est c = ratio(control);
    Est t = ratio(treatment);
    return compare(
        c,
        t,
        new Options(
            Metric.MEAN,
            options.relative(),
            options.alternative(),
            options.alpha(),
            options.nStar()),
        null);
  }

  private static Est plain(Arm arm, Metric metric) {
    double variance = armVariance(arm, metric);
    double v = variance / arm.n();
    return new Est(arm.n(), arm.mean(), v, arm.mean(), v, v);
  }

  private static Est cuped(Arm arm, double theta, double pooledPreMean, Metric metric) {
    double sy2 = armVariance(arm, metric);
    double adjustedVariance =
        Math.max(0, sy2 + theta * theta * arm.preVariance() - 2 * theta * arm.covariance());
    double mean = arm.mean() - theta * (arm.preMean() - pooledPreMean);
    return new Est(
        arm.n(),
        mean,
        adjustedVariance / arm.n(),
        arm.mean(),
        sy2 / arm.n(),
        (sy2 - theta * arm.covariance()) / arm.n());
  }

  private static Est ratio(RatioArm arm) {
    double r = arm.ratio();
    double meanDenominator = arm.denominatorSum() / arm.n();
    double v =
        Math.max(
                0,
                arm.numeratorVariance()
                    - 2 * r * arm.covariance()
                    + r * r * arm.denominatorVariance())
            / (arm.n() * meanDenominator * meanDenominator);
    return new Est(arm.n(), r, v, r, v, v);
  }

  /** p(1−p) for proportions, the sample variance for means. */
  private static double armVariance(Arm arm, Metric metric) {
    if (metric == Metric.PROPORTION) {
      double p = arm.mean();
      return p * (1 - p);
    }
    return arm.variance();
  }

  private static void checkProportion(Arm arm, String which) {
    if (arm.sum() < 0 || arm.sum() > arm.n() || arm.sum() != Math.rint(arm.sum())) {
      throw new IllegalArgumentException(
          which + ": a proportion's sum is a count of successes from 0 to n");
    }
  }

  static Result compare(Est c, Est t, Options options, Double theta) {
    double difference = t.mean() - c.mean();
    double effect;
    double variance;
    if (options.relative()) {
      if (Math.abs(c.raw()) < NEAR_ZERO) {
        return Result.degenerate(Status.CONTROL_MEAN_ZERO, null, c, t, theta);
      }
      double m = c.raw();
      double covarianceDifferenceWithControl = -c.covarianceWithRaw();
      double varianceDifference = t.varianceOfMean() + c.varianceOfMean();
      variance =
          varianceDifference / (m * m)
              + difference * difference * c.rawVarianceOfMean() / (m * m * m * m)
              - 2 * difference * covarianceDifferenceWithControl / (m * m * m);
      effect = difference / Math.abs(m);
    } else {
      effect = difference;
      variance = t.varianceOfMean() + c.varianceOfMean();
    }
    if (!(variance > 0)) {
      return Result.degenerate(Status.ZERO_VARIANCE, effect, c, t, theta);
    }
    double se = Math.sqrt(variance);
    double alpha = options.alpha();
    Double lower;
    Double upper;
    double p;
    Double df = null;
    if (options.nStar() != null) {
      double n = c.n() + t.n();
      double rho = ConfidenceSequence.rho(options.nStar(), alpha);
      double half = ConfidenceSequence.halfWidth(variance, n, rho, alpha);
      double trho2 = n * rho * rho;
      double z = effect / se;
      double twoSided =
          Math.min(1, Math.sqrt(trho2 + 1) * Math.exp(-z * z * trho2 / (2 * (trho2 + 1))));
      switch (options.alternative()) {
        case GREATER -> {
          lower = effect - half;
          upper = null;
          p = effect > 0 ? twoSided : 1;
        }
        case LESS -> {
          lower = null;
          upper = effect + half;
          p = effect < 0 ? twoSided : 1;
        }
        default -> {
          lower = effect - half;
          upper = effect + half;
          p = twoSided;
        }
      }
    } else {
      Distribution d;
      if (options.metric() == Metric.MEAN) {
        df = welchDegreesOfFreedom(t, c);
        TDistribution student = TDistribution.of(df);
        d = new Distribution(student::inverseCumulativeProbability, student::survivalProbability);
      } else {
        d = new Distribution(Normal::quantile, Normal::survival);
      }
      double stat = effect / se;
      switch (options.alternative()) {
        case GREATER -> {
          lower = effect - d.quantile(1 - alpha) * se;
          upper = null;
          p = d.survival(stat);
        }
        case LESS -> {
          lower = null;
          upper = effect + d.quantile(1 - alpha) * se;
          p = d.survival(-stat);
        }
        default -> {
          double q = d.quantile(1 - alpha / 2);
          lower = effect - q * se;
          upper = effect + q * se;
          p = Math.min(1, 2 * d.survival(Math.abs(stat)));
        }
      }
    }
    return new Result(Status.OK, effect, se, lower, upper, p, theta, df, c.raw(), t.raw());
  }

  /** Welch–Satterthwaite, on the variances of the two means. */
  static double welchDegreesOfFreedom(Est t, Est c) {
    double vt = t.varianceOfMean();
    double vc = c.varianceOfMean();
    double denominator = vt * vt / (t.n() - 1) + vc * vc / (c.n() - 1);
    return denominator > 0 ? (vt + vc) * (vt + vc) / denominator : Double.MAX_VALUE;
  }

  private record Distribution(
      java.util.function.DoubleUnaryOperator quantileFunction,
      java.util.function.DoubleUnaryOperator survivalFunction) {
    double quantile(double p) {
      return quantileFunction.applyAsDouble(p);
    }

    double survival(double x) {
      return survivalFunction.applyAsDouble(x);
    }
  }
}

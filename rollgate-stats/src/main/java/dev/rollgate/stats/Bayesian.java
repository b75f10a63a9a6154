package dev.rollgate.stats;

/**
 * A Bayesian reading of an estimated effect under a normal approximation with a flat prior: the
 * effect's posterior is N(effect, se²). Chance to beat control is P(δ > 0) = Φ(effect/se); the
 * expected loss of shipping the treatment is E[max(−δ, 0)] = se·φ(effect/se) − effect·Φ(−effect/se)
 * (in the effect's units). For a metric where lower is better, pass the negated effect.
 */
public final class Bayesian {
  private Bayesian() {}

  public record Summary(double chanceToBeatControl, double expectedLoss) {}

  public static Summary summarize(double effect, double standardError) {
    if (!(standardError > 0)) {
      throw new IllegalArgumentException("the standard error must be positive");
    }
    double z = effect / standardError;
    double density = Math.exp(-z * z / 2) / Math.sqrt(2 * Math.PI);
    return new Summary(Normal.survival(-z), standardError * density - effect * Normal.survival(z));
  }
}

package dev.rollgate.server.catalog;

import java.util.List;
import java.util.Map;

/**
 * How a running rollout (or experiment) shows in the flag document it drives: the flag's own
 * targeting first, and where that gives no variant (the flag would serve its default), a split
 * between treatment and control.
 *
 * <pre>{"or": [targeting, {"if": [{"var": "targetingKey"},
 *     {"fractional": [{"cat": ["rollout-id:", {"var": "targetingKey"}]},
 *                     [treatment, basisPoints], [control, 10000 - basisPoints]]},
 *     null]}]}</pre>
 *
 * <p>The total weight is always 10,000, so a user's bucket never changes and raising the share only
 * moves the boundary: a user in the canary at one stage stays in it at every later stage. Bucketing
 * by the rollout's id keeps the canary independent of other rollouts of the same flag. Users
 * without a targeting key get the control. Targeting that always names a variant leaves no traffic
 * to split (the {@code or} never reaches the split).
 */
public final class RolloutSplit {
  static final int TOTAL_WEIGHT = 10_000;

  private RolloutSplit() {}

  /** The split of a rollout at {@code percent}: treatment and control in basis points. */
  public static SplitSource.Split rollout(
      String rolloutId, String treatment, String control, double percent) {
    long treatmentWeight = Math.round(percent * TOTAL_WEIGHT / 100);
    return SplitSource.Split.fractional(
        "a rollout",
        rolloutId,
        List.of(
            List.of(treatment, treatmentWeight), List.of(control, TOTAL_WEIGHT - treatmentWeight)));
  }

  /**
   * The flag's targeting with a split of the traffic it leaves to the default: {@code rule} names
   * the variant of users with a targeting key.
   */
  static Object compose(Object targeting, Object rule) {
    Map<String, Object> keyed =
        Map.of("if", java.util.Arrays.asList(Map.of("var", "targetingKey"), rule, null));
    return targeting == null ? keyed : Map.of("or", List.of(targeting, keyed));
  }
}

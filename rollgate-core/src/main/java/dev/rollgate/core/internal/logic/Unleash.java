package dev.rollgate.core.internal.logic;

import dev.rollgate.core.internal.hash.Murmur3;
import java.util.List;

/**
 * Unleash's bucketing, so that flags imported from Unleash keep every user where Unleash put them:
 *
 * <ul>
 *   <li>{@code unleash_rollout [percentage, groupId, stickiness]}: whether the unit is inside a
 *       gradual rollout, {@code murmur3_32(groupId + ":" + unit, seed 0) % 100 + 1 <= percentage}.
 *   <li>{@code unleash_variant [groupId, stickiness, [[variant, weight], ...]]}: the variant whose
 *       cumulative weight first reaches {@code murmur3_32(groupId + ":" + unit, seed 86028157) %
 *       totalWeight + 1}; weight-0 variants are never chosen.
 * </ul>
 *
 * <p>{@code stickiness} names the context field whose value is the unit: {@code default} is {@code
 * userId}, then {@code sessionId} (then {@code remoteAddress} for variants); {@code random} is the
 * default chain too. Unleash draws a random unit when the chain is empty, which no deterministic
 * engine can repeat: here a rollout without a unit is on only at 100%, and a variant split without
 * one serves its first variant of non-zero weight. A named field that is absent means no rollout
 * (as in Unleash). Fields are read as {@link UnleashContext} reads them.
 *
 * <p>All arguments are literals, resolved once; hashing concatenates nothing, so evaluation
 * allocates nothing for string units.
 */
final class Unleash {
  static final int VARIANT_SEED = 86028157;

  private Unleash() {}

  static Node rollout(LogicCompiler.Call call) {
    Object[] args = constants(call);
    if (args == null) {
      return new Invalid(call.path(), "unleash_rollout takes literal arguments");
    }
    if (!(args[0] instanceof Number percentage)) {
      call.issue(call.argPath(0), "unleash_rollout's percentage must be a number");
      return new Invalid(call.path(), "unleash_rollout's percentage must be a number");
    }
    if (!(args[1] instanceof String groupId) || !(args[2] instanceof String stickiness)) {
      call.issue(call.path(), "unleash_rollout takes [percentage, groupId, stickiness]");
      return new Invalid(call.path(), "unleash_rollout takes [percentage, groupId, stickiness]");
    }
    return new Rollout(call.path(), percentage.doubleValue(), groupId, stickiness);
  }

  static Node variant(LogicCompiler.Call call) {
    Object[] args = constants(call);
    String usage = "unleash_variant takes [groupId, stickiness, [[variant, weight], ...]]";
    if (args == null
        || !(args[0] instanceof String groupId)
        || !(args[1] instanceof String stickiness)
        || !(args[2] instanceof List<?> entries)
        || entries.isEmpty()) {
      call.issue(call.path(), usage);
      return new Invalid(call.path(), usage);
    }
    Object[] choices = new Object[entries.size()];
    long[] weights = new long[entries.size()];
    long total = 0;
    for (int i = 0; i < choices.length; i++) {
      if (!(entries.get(i) instanceof List<?> entry)
          || entry.size() != 2
          || !(entry.get(0) instanceof String name)
          || !(entry.get(1) instanceof Number weight)
          || weight.doubleValue() < 0
          || weight.doubleValue() != Math.rint(weight.doubleValue())) {
        call.issue(call.argPath(2), "an unleash_variant entry is [variant, whole weight >= 0]");
        return new Invalid(call.path(), usage);
      }
      choices[i] = name;
      weights[i] = weight.longValue();
      total += weights[i];
    }
    if (total <= 0 || total > Integer.MAX_VALUE) {
      call.issue(call.argPath(2), "unleash_variant weights must add up to 1.." + Integer.MAX_VALUE);
      return new Invalid(call.path(), usage);
    }
    return new Variant(
        call.path(), groupId, stickiness, choices, weights, total, call.resultPosition());
  }

  private static Object[] constants(LogicCompiler.Call call) {
    Node[] nodes = call.args();
    Object[] values = new Object[nodes.length];
    for (int i = 0; i < nodes.length; i++) {
      if (!nodes[i].isConstant()) {
        call.issue(call.argPath(i), "must be a literal");
        return null;
      }
      values[i] = nodes[i].constantValue();
    }
    return values;
  }

  /** The unit to bucket: the stickiness field's value, or null when there is none. */
  static String unit(Object data, String stickiness, boolean variants) {
    if (stickiness.equals("default") || stickiness.equals("random")) {
      String unit = UnleashContext.field(data, "userId");
      if (unit == null) {
        unit = UnleashContext.field(data, "sessionId");
      }
      if (unit == null && variants) {
        unit = UnleashContext.field(data, "remoteAddress");
      }
      return unit;
    }
    return UnleashContext.field(data, stickiness);
  }

  /** {@code murmur3_32(prefix + unit, seed) % modulus + 1}, the hash read as unsigned. */
  static long normalized(int seed, String prefix, String unit, long modulus) {
    return Integer.toUnsignedLong(Murmur3.hashUtf8(seed, prefix, unit)) % modulus + 1;
  }

  static final class Rollout extends Node {
    private final double percentage;
    private final String prefix;
    private final String stickiness;
    private final boolean namedField;

    Rollout(String path, double percentage, String groupId, String stickiness) {
      super(path);
      this.percentage = percentage;
      this.prefix = groupId + ":";
      this.stickiness = stickiness;
      this.namedField = !stickiness.equals("default") && !stickiness.equals("random");
    }

    @Override
    public Object eval(Object data, Trace trace) {
      String unit = unit(data, stickiness, false);
      if (unit == null) {
        boolean in = !namedField && percentage >= 100;
        if (trace != null) {
          trace.step(
              path,
              null,
              in,
              "unleash_rollout: no "
                  + (namedField ? stickiness : "userId or sessionId")
                  + (in ? ", and 100% are in" : ": not in the rollout"));
        }
        return Js.bool(in);
      }
      long bucket = normalized(0, prefix, unit, 100);
      boolean in = percentage > 0 && bucket <= percentage;
      if (trace != null) {
        trace.step(
            path,
            null,
            in,
            "unleash_rollout: \""
                + prefix
                + unit
                + "\" is at "
                + bucket
                + " of 1..100, "
                + (in ? "within " : "outside ")
                + Js.toJsString(percentage)
                + "%");
      }
      return Js.bool(in);
    }
  }

  static final class Variant extends Node {
    private final String prefix;
    private final String stickiness;
    private final Object[] choices;
    private final long[] weights;
    private final long total;
    private final boolean resultPosition;
    private final SplitChoice[] splits;

    Variant(
        String path,
        String groupId,
        String stickiness,
        Object[] choices,
        long[] weights,
        long total,
        boolean resultPosition) {
      super(path);
      this.prefix = groupId + ":";
      this.stickiness = stickiness;
      this.choices = choices;
      this.weights = weights;
      this.total = total;
      this.resultPosition = resultPosition;
      this.splits = new SplitChoice[choices.length];
      for (int i = 0; i < choices.length; i++) {
        splits[i] = new SplitChoice(choices[i]);
      }
    }

    @Override
    public Object eval(Object data, Trace trace) {
      String unit = unit(data, stickiness, true);
      int chosen = 0;
      long target = 0;
      if (unit == null) {
        while (weights[chosen] == 0) {
          chosen++;
        }
      } else {
        target = normalized(VARIANT_SEED, prefix, unit, total);
        long counter = 0;
        for (; chosen < weights.length; chosen++) {
          if (weights[chosen] == 0) {
            continue;
          }
          counter += weights[chosen];
          if (counter >= target) {
            break;
          }
        }
      }
      if (trace != null) {
        trace.step(
            path,
            null,
            choices[chosen],
            unit == null
                ? "unleash_variant: no unit to bucket: the first variant"
                : "unleash_variant: \""
                    + prefix
                    + unit
                    + "\" is at "
                    + target
                    + " of 1.."
                    + total
                    + ": "
                    + LogicCompiler.source(choices[chosen]));
      }
      return resultPosition ? splits[chosen] : choices[chosen];
    }
  }
}

package dev.rollgate.core.internal.logic;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.internal.hash.Murmur3;
import dev.rollgate.core.json.JsonPath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * flagd's {@code fractional}: sticky pseudorandom bucketing.
 *
 * <p>{@code fractional [bucketBy?, [name, weight?], ...]}. The input is {@code bucketBy} when it
 * evaluates to a string, else the flag key followed by the targeting key. Its MurmurHash3 x86_32
 * (seed 0, UTF-8), read as unsigned, picks {@code bucket = (hash * totalWeight) >>> 32}, and the
 * first entry whose cumulative weight exceeds the bucket wins. This is flagd's v2 ("high
 * precision") formula: every weight counts exactly, so raising a share only moves its boundary. A
 * missing weight is 1, a negative one counts as 0; no input, all-zero weights or a weight that is
 * not a whole number up to 2^31-1 yield null.
 *
 * <p>Entries known at compile time are resolved once, so bucketing with a string or implicit input
 * allocates nothing.
 */
final class Fractional extends Node {
  private static final long MAX_WEIGHT = Integer.MAX_VALUE;
  private static final String[] TARGETING_KEY_PATH = {EvaluationContext.TARGETING_KEY};

  private final Node bucketBy; // null: flag key + targeting key
  private final String bucketBySource;
  private final Node[] entries;
  private final String flagKey;
  private final Murmur3.Prefix flagKeyHash; // the flag key hashed once: only the targeting key is
  private final boolean resultPosition;
  // Resolved once when every entry is constant, else null.
  private final Object[] staticChoices;
  private final long[] staticWeights;
  private final long staticTotal;
  private final SplitChoice[] staticSplits;

  private Fractional(
      String path, Node bucketBy, String bucketBySource, Node[] entries, LogicCompiler.Call call) {
    super(path);
    this.bucketBy = bucketBy;
    this.bucketBySource = bucketBySource;
    this.entries = entries;
    this.flagKey = call.flagKey();
    this.flagKeyHash = Murmur3.Prefix.of(flagKey);
    this.resultPosition = call.resultPosition();
    Buckets buckets = constantBuckets(entries);
    this.staticChoices = buckets == null ? null : buckets.choices;
    this.staticWeights = buckets == null ? null : buckets.weights;
    this.staticTotal = buckets == null ? 0 : buckets.total;
    this.staticSplits = buckets == null ? null : new SplitChoice[buckets.choices.length];
    for (int i = 0; staticSplits != null && i < staticSplits.length; i++) {
      staticSplits[i] = new SplitChoice(staticChoices[i]);
    }
  }

  static Node create(LogicCompiler.Call call) {
    Node[] args = call.args();
    Node first = args[0];
    boolean firstIsEntry =
        first instanceof ArrayOps.Literal
            || (first.isConstant() && first.constantValue() instanceof List<?>);
    Node bucketBy = firstIsEntry ? null : first;
    int from = firstIsEntry ? 0 : 1;
    Node[] entries = Arrays.copyOfRange(args, from, args.length);
    if (entries.length == 0) {
      call.issue(call.path(), "fractional needs at least one [variant, weight] entry");
    }
    long total = 0;
    for (int i = 0; i < entries.length; i++) {
      if (!entries[i].isConstant()) {
        continue;
      }
      String at = call.argPath(from + i);
      Object entry = entries[i].constantValue();
      String problem = entryProblem(entry);
      if (problem != null) {
        call.issue(at, problem);
      } else if (weight(entry) < 0) {
        call.issue(at, "a fractional weight must not be negative (flagd counts it as 0)");
      } else {
        total += weight(entry);
      }
    }
    if (total > MAX_WEIGHT) {
      call.issue(call.path(), "fractional weights add up to more than " + MAX_WEIGHT);
    } else if (entries.length > 0 && total == 0 && constantBuckets(entries) != null) {
      call.issue(call.path(), "fractional weights are all zero");
    }
    if (bucketBy != null
        && bucketBy.isConstant()
        && !(bucketBy.constantValue() instanceof String || bucketBy.constantValue() == null)) {
      call.issue(
          call.argPath(0),
          "fractional's first argument is a bucketing input (a string) or an entry");
    }
    String source = bucketBy == null ? null : LogicCompiler.source(call.rawArgs().get(0));
    return new Fractional(call.path(), bucketBy, source, entries, call);
  }

  /** What makes an entry unusable, or null when it is a usable [variant, weight?]. */
  private static String entryProblem(Object entry) {
    if (!(entry instanceof List<?> list) || list.isEmpty() || list.size() > 2) {
      return "a fractional entry is [variant, weight]";
    }
    Object name = list.get(0);
    if (name instanceof List<?> || name instanceof Map<?, ?>) {
      return "a fractional entry's variant must be a string, boolean, number or null";
    }
    if (list.size() == 2 && list.get(1) != null) {
      if (!(list.get(1) instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        return "a fractional weight must be a whole number";
      }
      if (n.doubleValue() > MAX_WEIGHT) {
        return "a fractional weight must be at most " + MAX_WEIGHT;
      }
    }
    return null;
  }

  /** The weight of a usable entry as written: 1 when absent, possibly negative. */
  private static long weight(Object entry) {
    List<?> list = (List<?>) entry;
    return list.size() > 1 && list.get(1) != null ? (long) ((Number) list.get(1)).doubleValue() : 1;
  }

  @SuppressWarnings("ArrayRecordComponent") // never compared or hashed
  private record Buckets(Object[] choices, long[] weights, long total) {}

  /** Reads evaluated entries; null when one is unusable (fractional then yields null). */
  private static Buckets buckets(List<?> evaluated) {
    Object[] choices = new Object[evaluated.size()];
    long[] weights = new long[evaluated.size()];
    long total = 0;
    for (int i = 0; i < choices.length; i++) {
      Object entry = evaluated.get(i);
      if (entryProblem(entry) != null) {
        return null;
      }
      choices[i] = ((List<?>) entry).get(0);
      weights[i] = Math.max(0, weight(entry)); // flagd counts a negative weight as 0
      total += weights[i];
    }
    return total > MAX_WEIGHT ? null : new Buckets(choices, weights, total);
  }

  private static Buckets constantBuckets(Node[] entries) {
    List<Object> values = new ArrayList<>(entries.length);
    for (Node e : entries) {
      if (!e.isConstant()) {
        return null;
      }
      values.add(e.constantValue());
    }
    return buckets(values);
  }

  @Override
  @SuppressWarnings("ReferenceEquality") // identity tells the prepared entries from evaluated ones
  public Object eval(Object data, Trace trace) {
    String input = null;
    int hash;
    if (bucketBy != null) {
      Object by = bucketBy.eval(data, trace);
      if (by instanceof String s) {
        input = s;
      } else if (by != null) {
        return nothing(
            trace,
            "bucketBy " + bucketBySource + " gave " + JsonPath.typeName(by) + ", not a string");
      }
    }
    String targetingKey = null;
    if (input == null) {
      Object key =
          data instanceof EvaluationContext c
              ? c.targetingKey()
              : Js.lookup(data, TARGETING_KEY_PATH);
      if (!(key instanceof String k)) {
        return nothing(
            trace, "no bucketing input: bucketBy is absent and there is no targeting key");
      }
      targetingKey = k;
      hash = flagKeyHash.hashUtf8(k);
    } else {
      hash = Murmur3.hashUtf8(input);
    }

    Object[] choices = staticChoices;
    long[] weights = staticWeights;
    long total = staticTotal;
    if (choices == null) {
      List<Object> evaluated = new ArrayList<>(entries.length);
      for (Node e : entries) {
        evaluated.add(e.eval(data, trace));
      }
      Buckets b = buckets(evaluated);
      if (b == null) {
        return nothing(trace, "an entry is not [variant, whole-number weight]");
      }
      choices = b.choices;
      weights = b.weights;
      total = b.total;
    }
    if (total == 0) {
      return nothing(trace, "all weights are zero");
    }
    long bucket = (Integer.toUnsignedLong(hash) * total) >>> 32;
    long end = 0;
    int chosen = 0;
    for (; chosen < weights.length; chosen++) {
      end += weights[chosen];
      if (bucket < end) {
        break;
      }
    }
    Object choice = choices[chosen];
    if (trace != null) {
      explain(
          trace,
          input != null ? input : flagKey + targetingKey,
          hash,
          bucket,
          total,
          choices,
          weights,
          choice);
    }
    if (!resultPosition) {
      return choice;
    }
    return choices == staticChoices ? staticSplits[chosen] : new SplitChoice(choice);
  }

  private Object nothing(Trace trace, String why) {
    if (trace != null) {
      trace.step(path, bucketBySource, null, "fractional: " + why + ": yields null");
    }
    return null;
  }

  private void explain(
      Trace trace,
      String input,
      int hash,
      long bucket,
      long total,
      Object[] choices,
      long[] weights,
      Object choice) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("bucketBy", bucketBy == null ? "flag key + targeting key" : bucketBySource);
    details.put("input", input);
    details.put("hash", Integer.toUnsignedLong(hash));
    details.put("bucket", bucket);
    details.put("totalWeight", total);
    List<Object> split = new ArrayList<>();
    for (int i = 0; i < choices.length; i++) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("variant", choices[i]);
      entry.put("weight", weights[i]);
      split.add(entry);
    }
    details.put("entries", split);
    trace.step(
        path,
        null,
        choice,
        "bucketed \""
            + input
            + "\" into "
            + bucket
            + " of 0.."
            + (total - 1)
            + ": "
            + LogicCompiler.source(choice),
        details);
  }
}

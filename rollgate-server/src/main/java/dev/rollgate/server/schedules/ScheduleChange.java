package dev.rollgate.server.schedules;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.flags.FlagState;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a schedule does to a flag's configuration in one environment: a merge patch of its state,
 * default variant and targeting; or new weights for its fractional split; or a percentage step (a
 * two-way split between a variant and the default variant, as {@code rollgate flags set-rollout}
 * makes). Weights and percentages are worked out from the configuration when the change is applied,
 * so a schedule made long before still moves only the split's boundary.
 */
record ScheduleChange(
    FlagState state,
    boolean setsDefaultVariant,
    String defaultVariant,
    boolean setsTargeting,
    Object targeting,
    Map<String, Long> weights,
    BigDecimal percentage,
    String variant) {

  private static final Set<String> FIELDS =
      Set.of("state", "defaultVariant", "targeting", "weights", "percentage", "variant");
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  /** Reads the {@code change} member of a request; a 400 naming the field for anything wrong. */
  @SuppressWarnings("unchecked")
  static ScheduleChange read(Object raw, String path) {
    if (!(raw instanceof Map<?, ?> map) || map.isEmpty()) {
      throw Failure.invalidField(
          path,
          "is required: an object with state, defaultVariant and/or targeting, or weights, or"
              + " percentage (and variant)");
    }
    for (Object key : map.keySet()) {
      if (!FIELDS.contains(key)) {
        throw Failure.invalidField(
            JsonPath.member(path, (String) key),
            "unknown field (expected one of " + new TreeSet<>(FIELDS) + ")");
      }
    }
    Map<String, Object> c = (Map<String, Object>) map;
    FlagState state =
        c.containsKey("state")
            ? FlagState.parse(string(c, "state", path), JsonPath.member(path, "state"))
            : null;
    boolean setsDefault = c.containsKey("defaultVariant");
    String defaultVariant = setsDefault ? nullableString(c, "defaultVariant", path) : null;
    boolean setsTargeting = c.containsKey("targeting");
    Object targeting = c.get("targeting");
    if (targeting != null && !(targeting instanceof Map<?, ?>)) {
      throw Failure.invalidField(
          JsonPath.member(path, "targeting"), "must be a JsonLogic object or null");
    }
    Map<String, Long> weights = null;
    if (c.containsKey("weights")) {
      weights = weights(c.get("weights"), JsonPath.member(path, "weights"));
    }
    BigDecimal percentage = null;
    if (c.containsKey("percentage")) {
      percentage = percentage(c.get("percentage"), JsonPath.member(path, "percentage"));
    }
    String variant = c.containsKey("variant") ? string(c, "variant", path) : null;
    if (variant != null && percentage == null) {
      throw Failure.invalidField(
          JsonPath.member(path, "variant"), "goes with percentage: the variant it gets");
    }
    boolean patches = state != null || setsDefault || setsTargeting;
    int kinds = (patches ? 1 : 0) + (weights != null ? 1 : 0) + (percentage != null ? 1 : 0);
    if (kinds > 1) {
      throw Failure.invalidField(
          path,
          "one kind of change per schedule: state, defaultVariant and targeting together, or"
              + " weights, or percentage");
    }
    return new ScheduleChange(
        state, setsDefault, defaultVariant, setsTargeting, targeting, weights, percentage, variant);
  }

  /** The change as stored and shown: only what it sets. */
  Map<String, Object> json() {
    Map<String, Object> json = new LinkedHashMap<>();
    if (state != null) {
      json.put("state", state.name());
    }
    if (setsDefaultVariant) {
      json.put("defaultVariant", defaultVariant);
    }
    if (setsTargeting) {
      json.put("targeting", targeting);
    }
    if (weights != null) {
      json.put("weights", weights);
    }
    if (percentage != null) {
      json.put("percentage", percentage);
      if (variant != null) {
        json.put("variant", variant);
      }
    }
    return json;
  }

  /**
   * The patch this change makes to a configuration as it is now; a 400 when it cannot apply (the
   * split it reweights is gone, a variant it names was removed).
   */
  FlagService.ConfigPatch patchFor(
      String flag, String environment, FlagService.EnvironmentView now) {
    if (weights != null) {
      return targetingPatch(reweighted(flag, environment, now));
    }
    if (percentage != null) {
      return targetingPatch(percentageSplit(flag, environment, now));
    }
    return new FlagService.ConfigPatch(
        state, setsDefaultVariant, defaultVariant, setsTargeting, targeting, null);
  }

  private static FlagService.ConfigPatch targetingPatch(Object targeting) {
    return new FlagService.ConfigPatch(null, false, null, true, targeting, null);
  }

  /** The flag's plain split, {@code {"fractional": [...]}}, or null when its targeting is none. */
  private static List<?> plainSplit(String flag, String environment, Object targeting) {
    if (targeting == null) {
      return null;
    }
    if (targeting instanceof Map<?, ?> t
        && t.size() == 1
        && t.get("fractional") instanceof List<?> l) {
      return l;
    }
    throw Failure.invalid(
        "flag "
            + flag
            + " in "
            + environment
            + " has targeting other than a plain fractional split; schedule a targeting change"
            + " instead");
  }

  private Object reweighted(String flag, String environment, FlagService.EnvironmentView now) {
    List<?> entries = plainSplit(flag, environment, now.targeting());
    if (entries == null) {
      throw Failure.invalid(
          "flag " + flag + " in " + environment + " has no fractional split to reweight");
    }
    List<Object> out = new ArrayList<>();
    Set<String> found = new TreeSet<>();
    for (Object entry : entries) {
      if (entry instanceof List<?> pair && !pair.isEmpty() && pair.get(0) instanceof String name) {
        if (weights.containsKey(name)) {
          out.add(List.of(name, weights.get(name)));
          found.add(name);
          continue;
        }
      }
      out.add(entry); // the bucketing input, and entries the change leaves as they are
    }
    Set<String> missing = new TreeSet<>(weights.keySet());
    missing.removeAll(found);
    if (!missing.isEmpty()) {
      throw Failure.invalid(
          "the split of flag " + flag + " in " + environment + " has no entry for " + missing);
    }
    return Map.of("fractional", out);
  }

  private Object percentageSplit(String flag, String environment, FlagService.EnvironmentView now) {
    String treatment = variant;
    if (treatment == null) {
      treatment = now.variants().contains("on") ? "on" : null;
    }
    if (treatment == null || !now.variants().contains(treatment)) {
      throw Failure.invalid(
          "flag "
              + flag
              + (treatment == null
                  ? " has no variant \"on\": name the variant the percentage gets"
                  : " has no variant " + treatment));
    }
    String rest = now.defaultVariant();
    if (rest == null || rest.equals(treatment)) {
      throw Failure.invalid(
          "flag "
              + flag
              + " in "
              + environment
              + (rest == null
                  ? " has no default variant for the users outside the percentage"
                  : ": " + treatment + " is the default variant; name another with variant"));
    }
    List<?> split = plainSplit(flag, environment, now.targeting());
    BigInteger on = percentage.movePointRight(2).toBigIntegerExact();
    BigInteger off = BigInteger.valueOf(10_000).subtract(on);
    BigInteger gcd = on.gcd(off);
    List<Object> entries = new ArrayList<>();
    // A split bucketed by something else than the targeting key keeps its input, so the users it
    // placed stay where they are.
    if (split != null && !split.isEmpty() && !(split.getFirst() instanceof List<?>)) {
      entries.add(split.getFirst());
    }
    if (on.signum() > 0) {
      entries.add(List.of(treatment, on.divide(gcd).longValueExact()));
    }
    if (off.signum() > 0) {
      entries.add(List.of(rest, off.divide(gcd).longValueExact()));
    }
    return Map.of("fractional", entries);
  }

  private static Map<String, Long> weights(Object raw, String path) {
    if (!(raw instanceof Map<?, ?> map) || map.isEmpty()) {
      throw Failure.invalidField(path, "must be an object of variant name to whole weight");
    }
    Map<String, Long> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String at = JsonPath.member(path, (String) e.getKey());
      if (!(e.getValue() instanceof Number n)
          || n.doubleValue() != Math.rint(n.doubleValue())
          || n.doubleValue() < 0
          || n.doubleValue() > Integer.MAX_VALUE) {
        throw Failure.invalidField(at, "must be a whole weight from 0 to 2147483647");
      }
      out.put((String) e.getKey(), n.longValue());
    }
    return out;
  }

  private static BigDecimal percentage(Object raw, String path) {
    if (!(raw instanceof Number n)) {
      throw Failure.invalidField(path, "must be a number from 0 to 100");
    }
    BigDecimal p = new BigDecimal(n.toString()).stripTrailingZeros();
    if (p.signum() < 0 || p.compareTo(HUNDRED) > 0 || p.scale() > 2) {
      throw Failure.invalidField(path, "must be from 0 to 100 with at most two decimals");
    }
    return p.scale() < 0 ? p.setScale(0) : p;
  }

  private static String string(Map<String, Object> c, String name, String path) {
    if (!(c.get(name) instanceof String s) || s.isEmpty()) {
      throw Failure.invalidField(JsonPath.member(path, name), "must be a non-empty string");
    }
    return s;
  }

  private static String nullableString(Map<String, Object> c, String name, String path) {
    return c.get(name) == null ? null : string(c, name, path);
  }
}

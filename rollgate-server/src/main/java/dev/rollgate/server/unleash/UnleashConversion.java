package dev.rollgate.server.unleash;

import dev.rollgate.core.protocol.UnleashOperators;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * Unleash's client-features payload (what {@code /api/client/features} returns for one environment,
 * {@code segments} included) as Rollgate flags that give the same answers: pure, no storage, no
 * HTTP.
 *
 * <p>The mapping:
 *
 * <ul>
 *   <li>A feature without variants is a boolean flag ({@code on}/{@code off}): its value is
 *       Unleash's {@code isEnabled}. A feature with variants (its own or a strategy's) is an object
 *       flag whose values are Unleash's {@code getVariant} answers, {@code {"name", "enabled",
 *       "feature_enabled", "payload"}}: {@code feature_enabled} is {@code isEnabled}.
 *   <li>{@code enabled: false} is the environment's DISABLED state (the caller's default, which is
 *       Unleash's answer for a caller that passes false or the disabled variant).
 *   <li>Strategies are tried in order, as an {@code if} over their conditions (constraints and
 *       segments inlined, then the strategy's own test: {@code unleash_rollout} for the gradual and
 *       flexible rollouts, {@code unleash_constraint} for user ids, addresses and host names); the
 *       first that holds serves its variants, else the feature's, else "enabled".
 *   <li>Dependencies are prerequisites on the parent's variants that mean what the dependency asks.
 *       What Unleash answers as always off (a missing parent, a parent with dependencies of its
 *       own, a variant the parent cannot serve, a missing segment, an unknown constraint operator)
 *       converts to off, with a warning.
 * </ul>
 *
 * <p>Refused, with the feature's name: custom strategies (their code lives in Unleash's SDKs),
 * malformed features, and a feature whose flag already exists with a kind the conversion cannot
 * keep. Unleash names that are not Rollgate keys get a derived key ({@link #keyFor}).
 */
public final class UnleashConversion {
  /** Rollgate's flag key rule (the API's): the names Unleash allows beyond it get derived keys. */
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final Pattern COMMA = Pattern.compile("\\s*,\\s*");
  private static final Set<String> OPERATORS = UnleashOperators.CONSTRAINTS;

  /** A flag that exists already: its kind and variants, which a conversion keeps. */
  public record Existing(String kind, Map<String, Object> variants) {}

  /** A prerequisite: {@code flag} must serve one of {@code variants}. */
  public record Prerequisite(String flag, List<String> variants) {}

  /**
   * One feature as a flag.
   *
   * @param feature the Unleash name, kept as the flag's name
   * @param variants every variant the flag has: those it had, and those the conversion added
   * @param enabled the environment's state: false is DISABLED
   * @param targeting JsonLogic, or null for none
   */
  public record Converted(
      String feature,
      String key,
      String description,
      String kind,
      Map<String, Object> variants,
      boolean enabled,
      String defaultVariant,
      Object targeting,
      List<Prerequisite> prerequisites) {
    /** The flag in flagd's format, as one environment serves it. */
    public Map<String, Object> document() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("state", enabled ? "ENABLED" : "DISABLED");
      json.put("variants", variants);
      json.put("defaultVariant", defaultVariant);
      if (targeting != null) {
        json.put("targeting", targeting);
      }
      if (!prerequisites.isEmpty()) {
        List<Object> list = new ArrayList<>();
        for (Prerequisite p : prerequisites) {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("flag", p.flag());
          entry.put("variants", p.variants());
          list.add(entry);
        }
        json.put("prerequisites", list);
      }
      return json;
    }
  }

  /** Something converted to what Unleash answers, which may surprise: said, not refused. */
  public record Warning(String feature, String message) {}

  /** Why a feature (or the payload, when {@code feature} is null) cannot be converted. */
  public record Refusal(String feature, String reason) {}

  /** The flags, or (when {@code refused} is not empty) nothing to apply. */
  public record Result(List<Converted> flags, List<Warning> warnings, List<Refusal> refused) {
    /** The flags as a flagd document, as the environment serves them. */
    public Map<String, Object> document() {
      Map<String, Object> flagsJson = new LinkedHashMap<>();
      for (Converted c : flags) {
        flagsJson.put(c.key(), c.document());
      }
      return Map.of("flags", flagsJson);
    }
  }

  private UnleashConversion() {}

  /**
   * The Rollgate key of an Unleash feature: its name when that is a valid key, else the name with
   * every other character replaced by {@code _}, and {@code -} plus the CRC-32 of the name (so that
   * names differing only in those characters stay apart).
   */
  public static String keyFor(String name) {
    if (KEY.matcher(name).matches()) {
      return name;
    }
    StringBuilder key = new StringBuilder();
    for (int i = 0; i < name.length() && key.length() < 118; i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      key.append(ok ? c : '_');
    }
    if (key.isEmpty() || !Character.isLetterOrDigit(key.charAt(0))) {
      key.insert(0, 'u');
    }
    CRC32 crc = new CRC32();
    crc.update(name.getBytes(StandardCharsets.UTF_8));
    return key + "-" + String.format(Locale.ROOT, "%08x", crc.getValue());
  }

  /** The names of the features in a payload, for looking up the flags they would update. */
  public static List<String> featureNames(Object payload) {
    List<String> names = new ArrayList<>();
    if (payload instanceof Map<?, ?> p && p.get("features") instanceof List<?> features) {
      for (Object f : features) {
        if (f instanceof Map<?, ?> feature && feature.get("name") instanceof String name) {
          names.add(name);
        }
      }
    }
    return names;
  }

  /**
   * Converts a payload.
   *
   * @param payload the parsed JSON
   * @param existing the flags that exist already, by key (only those the payload names matter)
   */
  public static Result convert(Object payload, Map<String, Existing> existing) {
    return new Conversion(existing).run(payload);
  }

  /** Raised inside one feature's conversion: that feature is refused. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /** A feature's flag being built: its variants by key, and the keys of its fixed answers. */
  private static final class Draft {
    final Map<String, Object> feature;
    final String name;
    final String key;
    final boolean object;
    final Map<String, Object> variants;
    final String offKey;
    final String onKey; // object flags: enabled without a variant
    final boolean enabled;
    Object targeting;
    String defaultVariant;
    boolean unconditional; // serves defaultVariant whenever it is on, with no targeting

    Draft(
        Map<String, Object> feature,
        String name,
        String key,
        boolean object,
        Map<String, Object> variants,
        String offKey,
        String onKey,
        boolean enabled) {
      this.feature = feature;
      this.name = name;
      this.key = key;
      this.object = object;
      this.variants = variants;
      this.offKey = offKey;
      this.onKey = onKey;
      this.enabled = enabled;
    }

    /** The keys served when the feature is on; with {@code variantName}, those of that name. */
    List<String> onKeys(String variantName) {
      List<String> keys = new ArrayList<>();
      variants.forEach((k, v) -> {
        if (k.equals(offKey)) {
          return;
        }
        if (!object) {
          if (Boolean.TRUE.equals(v) && (variantName == null || variantName.equals("disabled"))) {
            keys.add(k);
          }
          return;
        }
        if (v instanceof Map<?, ?> m
            && Boolean.TRUE.equals(m.get("feature_enabled"))
            && (variantName == null || variantName.equals(m.get("name")))) {
          keys.add(k);
        }
      });
      return keys;
    }
  }

  private static final class Conversion {
    private final Map<String, Existing> existing;
    private final List<Warning> warnings = new ArrayList<>();
    private final List<Refusal> refused = new ArrayList<>();
    private Map<Object, List<Object>> segments = Map.of();

    Conversion(Map<String, Existing> existing) {
      this.existing = existing;
    }

    Result run(Object payload) {
      if (!(payload instanceof Map<?, ?> root) || !(root.get("features") instanceof List<?> list)) {
        refused.add(
            new Refusal(null, "an Unleash client-features payload is an object with \"features\""));
        return new Result(List.of(), List.of(), refused);
      }
      segments = segments(root.get("segments"));
      Map<String, Draft> drafts = new LinkedHashMap<>();
      Map<String, String> keys = new LinkedHashMap<>();
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof Map<?, ?> raw)
            || !(raw.get("name") instanceof String name)
            || name.isEmpty()) {
          refused.add(new Refusal(null, "features[" + i + "] has no name"));
          continue;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> feature = (Map<String, Object>) raw;
        String key = keyFor(name);
        String other = keys.putIfAbsent(key, name);
        if (other != null) {
          refused.add(
              new Refusal(
                  name,
                  other.equals(name)
                      ? "the payload holds it twice"
                      : "its key " + key + " is also that of feature " + other));
          continue;
        }
        try {
          drafts.put(name, draft(feature, name, key));
        } catch (Refused e) {
          refused.add(new Refusal(name, e.getMessage()));
        }
      }
      if (!refused.isEmpty()) {
        return new Result(List.of(), List.copyOf(warnings), List.copyOf(refused));
      }
      List<Converted> flags = new ArrayList<>();
      for (Draft d : drafts.values()) {
        try {
          flags.add(finish(d, drafts));
        } catch (Refused e) {
          refused.add(new Refusal(d.name, e.getMessage()));
        }
      }
      return new Result(
          refused.isEmpty() ? flags : List.of(), List.copyOf(warnings), List.copyOf(refused));
    }

    private static Map<Object, List<Object>> segments(Object raw) {
      Map<Object, List<Object>> byId = new LinkedHashMap<>();
      if (raw instanceof List<?> list) {
        for (Object s : list) {
          if (s instanceof Map<?, ?> segment && segment.get("id") instanceof Number id) {
            List<Object> constraints =
                segment.get("constraints") instanceof List<?> c ? new ArrayList<>(c) : List.of();
            byId.put(id.longValue(), constraints);
          }
        }
      }
      return byId;
    }

    /** The feature's kind and variants, and its targeting; dependencies come in {@link #finish}. */
    private Draft draft(Map<String, Object> feature, String name, String key) {
      if (feature.get("enabled") != null && !(feature.get("enabled") instanceof Boolean)) {
        throw new Refused("\"enabled\" must be true or false");
      }
      boolean enabled = !Boolean.FALSE.equals(feature.get("enabled"));
      List<Map<String, Object>> listed = maps(feature.get("strategies"), "strategies");
      // A strategy switched off in Unleash ("disabled": true) never applies; a feature whose
      // strategies are all off is off, while one with none at all is on for everyone.
      List<Map<String, Object>> strategies =
          listed.stream().filter(st -> !Boolean.TRUE.equals(st.get("disabled"))).toList();
      List<Map<String, Object>> featureVariants = maps(feature.get("variants"), "variants");
      boolean hasVariants = !featureVariants.isEmpty();
      for (Map<String, Object> s : strategies) {
        hasVariants |= !maps(s.get("variants"), "strategy variants").isEmpty();
      }
      Existing before = existing.get(key);
      if (before != null && !before.kind().equals("boolean") && !before.kind().equals("object")) {
        throw new Refused(
            "flag "
                + key
                + " exists as a "
                + before.kind()
                + " flag; Unleash features convert to"
                + " boolean or object flags");
      }
      boolean object = hasVariants || (before != null && before.kind().equals("object"));
      if (object && before != null && before.kind().equals("boolean")) {
        throw new Refused(
            "flag "
                + key
                + " exists as a boolean flag, and the feature's variants need an object"
                + " flag (the kind of a flag cannot change)");
      }
      Map<String, Object> variants =
          new LinkedHashMap<>(before == null ? Map.of() : before.variants());
      String offKey;
      String onKey;
      if (object) {
        offKey = allocate(variants, "disabled", answer("disabled", false, false, null));
        onKey = allocate(variants, "enabled", answer("disabled", false, true, null));
      } else {
        offKey = allocate(variants, "off", Boolean.FALSE);
        onKey = allocate(variants, "on", Boolean.TRUE);
      }
      Draft d = new Draft(feature, name, key, object, variants, offKey, onKey, enabled);
      Object featureServes =
          object && !featureVariants.isEmpty()
              ? variantsServed(d, featureVariants, name, stickiness(featureVariants, "default"))
              : onKey;
      List<Object> branches = new ArrayList<>();
      boolean unconditional = listed.isEmpty();
      for (int i = 0; i < strategies.size() && !unconditional; i++) {
        Map<String, Object> s = strategies.get(i);
        Object condition = condition(d, s, "strategies[" + i + "]");
        List<Map<String, Object>> own = maps(s.get("variants"), "strategy variants");
        Map<?, ?> params = s.get("parameters") instanceof Map<?, ?> p ? p : Map.of();
        String strategyStickiness =
            params.get("stickiness") instanceof String st && !st.isEmpty() ? st : "default";
        Object serves =
            object && !own.isEmpty()
                ? variantsServed(d, own, groupId(params, name), stickiness(own, strategyStickiness))
                : featureServes;
        if (condition == null) {
          branches.add(serves);
          unconditional = true;
        } else {
          branches.add(condition);
          branches.add(serves);
        }
      }
      if (listed.isEmpty()) {
        branches.add(featureServes);
      }
      if (!unconditional) {
        branches.add(offKey);
      }
      d.unconditional = unconditional && branches.size() == 1 && branches.get(0) instanceof String;
      d.targeting = branches.size() == 1 ? branches.get(0) : Map.of("if", branches);
      d.defaultVariant = offKey;
      return d;
    }

    /** The expression choosing among {@code variants}, or the on-key when they weigh nothing. */
    private Object variantsServed(
        Draft d, List<Map<String, Object>> variants, String groupId, String stickiness) {
      List<Object> entries = new ArrayList<>();
      List<Object> overrides = new ArrayList<>();
      long total = 0;
      String only = null;
      int nonZero = 0;
      for (int i = 0; i < variants.size(); i++) {
        Map<String, Object> v = variants.get(i);
        if (!(v.get("name") instanceof String vName) || vName.isEmpty()) {
          throw new Refused("variants[" + i + "] has no name");
        }
        long weight = weight(v.get("weight"), vName);
        Object payload = v.get("payload");
        if (payload != null && !(payload instanceof Map<?, ?>)) {
          throw new Refused("variant " + vName + "'s payload must be {\"type\", \"value\"}");
        }
        String k = allocate(d.variants, vName, answer(vName, true, true, payload));
        entries.add(List.of(k, weight));
        total += weight;
        if (weight > 0) {
          nonZero++;
          only = k;
        }
        for (Map<String, Object> o : maps(v.get("overrides"), "overrides")) {
          if (!(o.get("contextName") instanceof String field) || field.isEmpty()) {
            throw new Refused("variant " + vName + " has an override without contextName");
          }
          Map<String, Object> in = new LinkedHashMap<>();
          in.put("contextName", field);
          in.put("operator", "IN");
          in.put("values", strings(o.get("values"), "override values"));
          overrides.add(Map.of("unleash_constraint", List.of(in)));
          overrides.add(k);
        }
      }
      if (total <= 0) {
        return d.onKey; // Unleash serves no variant: "disabled", with the feature on
      }
      if (total > Integer.MAX_VALUE) {
        throw new Refused("variant weights add up to more than " + Integer.MAX_VALUE);
      }
      Object chosen =
          nonZero == 1 ? only : Map.of("unleash_variant", List.of(groupId, stickiness, entries));
      if (overrides.isEmpty()) {
        return chosen;
      }
      overrides.add(chosen);
      return Map.of("if", overrides);
    }

    /** Whether a strategy applies, as JsonLogic; null when it always does. */
    private Object condition(Draft d, Map<String, Object> s, String at) {
      if (!(s.get("name") instanceof String strategy)) {
        throw new Refused(at + " has no name");
      }
      Map<?, ?> params = s.get("parameters") instanceof Map<?, ?> p ? p : Map.of();
      List<Object> all = new ArrayList<>();
      for (Map<String, Object> c : maps(s.get("constraints"), "constraints")) {
        all.add(constraint(d, c));
      }
      if (s.get("segments") instanceof List<?> ids) {
        for (Object id : ids) {
          List<Object> constraints =
              id instanceof Number n ? segments.get(n.longValue()) : segments.get(id);
          if (constraints == null) {
            warnings.add(
                new Warning(
                    d.name,
                    "segment "
                        + id
                        + " is not in the payload: the strategy never applies, as in Unleash"));
            all.add(Boolean.FALSE);
            continue;
          }
          for (Object c : constraints) {
            if (!(c instanceof Map<?, ?> m)) {
              throw new Refused("segment " + id + " has a constraint that is not an object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> constraint = (Map<String, Object>) m;
            all.add(constraint(d, constraint));
          }
        }
      }
      Object own = strategyTest(d, strategy, params);
      if (own != null) {
        all.add(own);
      }
      if (all.isEmpty()) {
        return null;
      }
      return all.size() == 1 ? all.get(0) : Map.of("and", all);
    }

    private Object strategyTest(Draft d, String strategy, Map<?, ?> params) {
      return switch (strategy) {
        case "default" -> null;
        case "userWithId" -> in("userId", split(params.get("userIds")), false);
        // The legacy rollouts group by groupId or nothing; flexibleRollout by the feature name.
        case "gradualRolloutUserId" ->
            rollout(params.get("percentage"), groupId(params, ""), "userId");
        case "gradualRolloutSessionId" ->
            rollout(params.get("percentage"), groupId(params, ""), "sessionId");
        case "gradualRolloutRandom" ->
            rollout(params.get("percentage"), groupId(params, ""), "random");
        case "flexibleRollout" ->
            rollout(
                params.get("rollout"),
                groupId(params, d.name),
                params.get("stickiness") instanceof String st && !st.isEmpty() ? st : "default");
        case "remoteAddress" -> {
          Map<String, Object> c = new LinkedHashMap<>();
          c.put("contextName", "remoteAddress");
          c.put("operator", "IN_CIDR");
          c.put("values", split(params.get("IPs")));
          yield Map.of("unleash_constraint", List.of(c));
        }
        case "applicationHostname" -> {
          List<String> hosts = new ArrayList<>();
          for (String h : split(params.get("hostNames"))) {
            hosts.add(h.toLowerCase(Locale.ROOT));
          }
          yield in("hostname", hosts, true);
        }
        default ->
            throw new Refused(
                "strategy \""
                    + strategy
                    + "\" is a custom strategy: its code runs in Unleash's SDKs, and Rollgate"
                    + " cannot run it");
      };
    }

    private static Object in(String field, List<String> values, boolean caseInsensitive) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("contextName", field);
      c.put("operator", "IN");
      c.put("values", values);
      if (caseInsensitive) {
        c.put("caseInsensitive", true);
      }
      return Map.of("unleash_constraint", List.of(c));
    }

    private static Object rollout(Object percentage, String groupId, String stickiness) {
      double p = number(percentage, "percentage");
      Object whole = p == Math.rint(p) ? (Object) (long) p : (Object) p;
      return Map.of("unleash_rollout", List.of(whole, groupId, stickiness));
    }

    private Object constraint(Draft d, Map<String, Object> c) {
      if (!(c.get("contextName") instanceof String field) || field.isEmpty()) {
        throw new Refused("a constraint has no contextName");
      }
      if (!(c.get("operator") instanceof String operator)) {
        throw new Refused("the constraint on " + field + " has no operator");
      }
      if (!OPERATORS.contains(operator)) {
        warnings.add(
            new Warning(
                d.name,
                "constraint operator "
                    + operator
                    + " is unknown: the constraint never holds, as in Unleash"));
        return Boolean.FALSE;
      }
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("contextName", field);
      out.put("operator", operator);
      if (c.get("values") != null) {
        out.put("values", strings(c.get("values"), "the values of the constraint on " + field));
      }
      if (c.get("value") != null) {
        Object v = c.get("value");
        if (!(v instanceof String) && !(v instanceof Number)) {
          throw new Refused("the value of the constraint on " + field + " must be a string");
        }
        out.put("value", v instanceof String ? v : String.valueOf(v));
      }
      if (Boolean.TRUE.equals(c.get("inverted"))) {
        out.put("inverted", true);
      }
      // Unleash honours caseInsensitive for the string operators and REGEX only.
      if (Boolean.TRUE.equals(c.get("caseInsensitive"))
          && (operator.startsWith("STR_") || operator.equals("REGEX"))) {
        out.put("caseInsensitive", true);
      }
      return Map.of("unleash_constraint", List.of(out));
    }

    /** Adds the dependencies, checked against the other features. */
    private Converted finish(Draft d, Map<String, Draft> drafts) {
      List<Prerequisite> prerequisites = new ArrayList<>();
      boolean off = false;
      for (Map<String, Object> dep : maps(d.feature.get("dependencies"), "dependencies")) {
        if (!(dep.get("feature") instanceof String parentName) || parentName.isEmpty()) {
          throw new Refused("a dependency names no feature");
        }
        Draft parent = drafts.get(parentName);
        if (parent == null) {
          warnings.add(
              new Warning(
                  d.name,
                  "it depends on "
                      + parentName
                      + ", which the payload does not hold: it is off, as"
                      + " in Unleash"));
          off = true;
          continue;
        }
        if (!maps(parent.feature.get("dependencies"), "dependencies").isEmpty()) {
          warnings.add(
              new Warning(
                  d.name,
                  "its parent "
                      + parentName
                      + " has dependencies of its own, which Unleash does not follow: it is off,"
                      + " as in Unleash"));
          off = true;
          continue;
        }
        if (Boolean.FALSE.equals(dep.get("enabled"))) {
          if (!parent.enabled) {
            warnings.add(
                new Warning(
                    d.name,
                    "its dependency on "
                        + parentName
                        + " being off holds while that flag is DISABLED here; it is not re-checked"
                        + " if the parent is switched on"));
            continue;
          }
          prerequisites.add(new Prerequisite(parent.key, List.of(parent.offKey)));
          continue;
        }
        List<String> wanted = strings(dep.get("variants"), "dependency variants");
        List<String> accepted;
        if (wanted.isEmpty()) {
          accepted = parent.onKeys(null);
        } else {
          Set<String> keys = new LinkedHashSet<>();
          for (String name : wanted) {
            keys.addAll(parent.onKeys(name));
          }
          accepted = List.copyOf(keys);
        }
        if (accepted.isEmpty()) {
          warnings.add(
              new Warning(
                  d.name,
                  "it depends on variants "
                      + wanted
                      + " of "
                      + parentName
                      + ", which it cannot"
                      + " serve: it is off, as in Unleash"));
          off = true;
          continue;
        }
        prerequisites.add(new Prerequisite(parent.key, accepted));
      }
      off |= d.offKey.equals(d.targeting); // every strategy is switched off
      String description = d.feature.get("description") instanceof String s ? s : "";
      String kind = d.object ? "object" : "boolean";
      if (off) {
        return new Converted(
            d.name, d.key, description, kind, d.variants, d.enabled, d.offKey, null, List.of());
      }
      if (d.unconditional && prerequisites.isEmpty()) {
        return new Converted(
            d.name,
            d.key,
            description,
            kind,
            d.variants,
            d.enabled,
            (String) d.targeting,
            null,
            List.of());
      }
      // A flag with prerequisites serves its default when they fail: the default is off, and
      // targeting (a JsonLogic object, never a bare variant name) serves what it is on.
      Object targeting =
          d.targeting instanceof String key ? Map.of("if", List.of(true, key)) : d.targeting;
      return new Converted(
          d.name,
          d.key,
          description,
          kind,
          d.variants,
          d.enabled,
          d.defaultVariant,
          targeting,
          prerequisites);
    }
  }

  /** An Unleash variant answer: what {@code getVariant} returns. */
  private static Map<String, Object> answer(
      String name, boolean enabled, boolean featureEnabled, Object payload) {
    Map<String, Object> v = new LinkedHashMap<>();
    v.put("name", name);
    v.put("enabled", enabled);
    v.put("feature_enabled", featureEnabled);
    if (payload != null) {
      v.put("payload", payload);
    }
    return v;
  }

  /** The key holding {@code value}: one that holds it already, else {@code preferred} or next. */
  private static String allocate(Map<String, Object> variants, String preferred, Object value) {
    for (Map.Entry<String, Object> e : variants.entrySet()) {
      if (e.getValue().equals(value)) {
        return e.getKey();
      }
    }
    String key = preferred;
    for (int n = 2; variants.containsKey(key); n++) {
      key = preferred + "-" + n;
    }
    variants.put(key, value);
    return key;
  }

  private static String groupId(Map<?, ?> params, String featureName) {
    return params.get("groupId") instanceof String g && !g.isEmpty() ? g : featureName;
  }

  /** The stickiness a variant list declares (on its first variant), else {@code fallback}. */
  private static String stickiness(List<Map<String, Object>> variants, String fallback) {
    return variants.get(0).get("stickiness") instanceof String s && !s.isEmpty() ? s : fallback;
  }

  private static List<String> split(Object raw) {
    List<String> out = new ArrayList<>();
    if (raw instanceof String s) {
      for (String part : COMMA.split(s.strip(), -1)) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
    }
    return out;
  }

  private static double number(Object raw, String what) {
    if (raw instanceof Number n && Double.isFinite(n.doubleValue())) {
      return n.doubleValue();
    }
    if (raw instanceof String s && !s.isBlank()) {
      try {
        double parsed = Double.parseDouble(s.strip());
        if (Double.isFinite(parsed)) {
          return parsed;
        }
      } catch (NumberFormatException e) {
        // refused below
      }
    }
    throw new Refused(
        "the " + what + " must be a number, not " + (raw == null ? "absent" : "\"" + raw + "\""));
  }

  private static long weight(Object raw, String variant) {
    if (raw == null) {
      return 0;
    }
    if (!(raw instanceof Number n)
        || n.doubleValue() < 0
        || n.doubleValue() > Integer.MAX_VALUE
        || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new Refused(
          "variant " + variant + "'s weight must be a whole number from 0 to " + Integer.MAX_VALUE);
    }
    return n.longValue();
  }

  private static List<String> strings(Object raw, String what) {
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof List<?> list)) {
      throw new Refused(what + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      if (o instanceof String s) {
        out.add(s);
      } else if (o instanceof Number n) {
        out.add(String.valueOf(n));
      } else {
        throw new Refused(what + " must be an array of strings");
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Object raw, String what) {
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof List<?> list)) {
      throw new Refused(what + " must be an array");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object o : list) {
      if (!(o instanceof Map<?, ?> m)) {
        throw new Refused(what + " must be an array of objects");
      }
      out.add((Map<String, Object>) m);
    }
    return out;
  }
}

package dev.rollgate.core;

import dev.rollgate.core.internal.logic.Node;
import dev.rollgate.core.internal.logic.SplitChoice;
import dev.rollgate.core.internal.logic.Trace;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One flag, ready to evaluate: variants with prepared resolutions, compiled targeting, kill switch.
 */
final class CompiledFlag {
  final String key;
  private final boolean enabled;
  private final Map<String, CompiledVariant> variants;
  private final CompiledVariant defaultVariant; // null: the caller's default is served
  private final Node targeting; // null: the flag is static
  private final String targetingError; // set when targeting could not be compiled (flagd mode)
  private final Map<String, Object> metadata;
  private final KillSwitch killSwitch; // null when unset
  private final CompiledVariant killSwitchVariant;
  private final Prerequisite[] prerequisites; // empty when the flag requires none

  CompiledFlag(
      String key,
      boolean enabled,
      Map<String, CompiledVariant> variants,
      CompiledVariant defaultVariant,
      Node targeting,
      String targetingError,
      Map<String, Object> metadata,
      KillSwitch killSwitch) {
    this(
        key,
        enabled,
        variants,
        defaultVariant,
        targeting,
        targetingError,
        metadata,
        killSwitch,
        new Prerequisite[0]);
  }

  private CompiledFlag(
      String key,
      boolean enabled,
      Map<String, CompiledVariant> variants,
      CompiledVariant defaultVariant,
      Node targeting,
      String targetingError,
      Map<String, Object> metadata,
      KillSwitch killSwitch,
      Prerequisite[] prerequisites) {
    this.key = key;
    this.enabled = enabled;
    this.variants = variants;
    this.defaultVariant = defaultVariant;
    this.targeting = targeting;
    this.targetingError = targetingError;
    this.metadata = metadata;
    this.killSwitch = killSwitch;
    this.killSwitchVariant =
        killSwitch == null || killSwitch.isOff() ? null : variants.get(killSwitch.value());
    this.prerequisites = prerequisites;
  }

  /**
   * This flag requiring {@code required} (flags compiled before it: prerequisites form no cycle); a
   * non-null {@code error} makes it resolve with {@code PARSE_ERROR} (flagd mode).
   */
  CompiledFlag withPrerequisites(Prerequisite[] required, String error) {
    return new CompiledFlag(
        key,
        enabled,
        variants,
        defaultVariant,
        targeting,
        targetingError != null ? targetingError : error,
        metadata,
        killSwitch,
        required);
  }

  /** Whether {@code name} is one of this flag's variants. */
  boolean hasVariant(String name) {
    return variants.containsKey(name);
  }

  Resolution evaluate(ValueType type, Object defaultValue, EvaluationContext context, Trace trace) {
    if (killSwitch != null) {
      return overridden(type, defaultValue, trace);
    }
    if (!enabled) {
      if (trace != null) {
        trace.step(
            "state", null, "DISABLED", "the flag is switched off: the caller's default is served");
      }
      return disabled(defaultValue);
    }
    if (targetingError != null) {
      if (trace != null) {
        trace.step("targeting", null, null, "targeting cannot be evaluated: " + targetingError);
      }
      return Resolution.error(key, defaultValue, ErrorCode.PARSE_ERROR, targetingError, metadata);
    }
    for (int i = 0; i < prerequisites.length; i++) {
      Prerequisite required = prerequisites[i];
      // Prepared resolutions: a prerequisite that serves a variant allocates nothing.
      Resolution served = required.flag.evaluate(ValueType.ANY, null, context, null);
      if (!required.accepts(served.variant())) {
        if (trace != null) {
          prerequisiteStep(trace, i, required, served, false);
        }
        return serveDefault(Reason.PREREQUISITE_FAILED, type, defaultValue, trace);
      }
      if (trace != null) {
        prerequisiteStep(trace, i, required, served, true);
      }
    }
    if (targeting == null) {
      if (trace != null) {
        trace.step("targeting", null, null, "the flag has no targeting");
      }
      return serveDefault(Reason.STATIC, type, defaultValue, trace);
    }
    Object result;
    try {
      result = targeting.eval(context, trace);
    } catch (RuntimeException e) {
      String message = "targeting failed: " + e;
      return Resolution.error(key, defaultValue, ErrorCode.GENERAL, message, metadata);
    }
    Reason reason = Reason.TARGETING_MATCH;
    if (result instanceof SplitChoice split) {
      result = split.value();
      reason = Reason.SPLIT;
    }
    if (result == null) {
      if (trace != null) {
        trace.step("targeting", null, null, "targeting chose no variant");
      }
      return serveDefault(Reason.DEFAULT, type, defaultValue, trace);
    }
    String name =
        switch (result) {
          case String s -> s;
          case Boolean b -> b.toString();
          default -> null;
        };
    CompiledVariant variant = name == null ? null : variants.get(name);
    if (variant == null) {
      String message =
          name == null
              ? "targeting returned "
                  + JsonPath.typeName(result)
                  + " ("
                  + Json.write(result)
                  + "), not a variant name"
              : "targeting returned \""
                  + name
                  + "\", which is not a variant of flag \""
                  + key
                  + "\"";
      if (trace != null) {
        trace.step("targeting", null, result, message);
      }
      return Resolution.error(key, defaultValue, ErrorCode.GENERAL, message, metadata);
    }
    if (trace != null) {
      trace.step(
          "targeting", null, name, "targeting chose variant \"" + name + "\" (" + reason + ")");
    }
    return typed(variant, reason, type, defaultValue);
  }

  private static void prerequisiteStep(
      Trace trace, int index, Prerequisite required, Resolution served, boolean met) {
    String got =
        served.variant() == null
            ? "no variant (" + served.reason() + ")"
            : "variant \"" + served.variant() + "\" (" + served.reason() + ")";
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("flag", required.flag.key);
    details.put("required", required.variants());
    details.put("variant", served.variant());
    details.put("reason", served.reason().name());
    if (served.errorCode() != null) {
      details.put("errorCode", served.errorCode().name());
    }
    trace.step(
        "prerequisites[" + index + "]",
        null,
        met,
        "prerequisite \""
            + required.flag.key
            + "\" served "
            + got
            + (met
                ? ", one of " + required.variants()
                : ", not one of " + required.variants() + ": the prerequisite failed"),
        details);
  }

  private Resolution overridden(ValueType type, Object defaultValue, Trace trace) {
    if (killSwitch.isOff()) {
      if (trace != null) {
        trace.step(
            "env",
            null,
            killSwitch.value(),
            killSwitch + " overrides every other source: the flag is off");
      }
      return disabled(defaultValue);
    }
    if (killSwitchVariant == null) {
      String message =
          killSwitch
              + " names no variant of flag \""
              + key
              + "\" (use off or one of "
              + variants.keySet()
              + ")";
      if (trace != null) {
        trace.step("env", null, killSwitch.value(), message);
      }
      return Resolution.error(key, defaultValue, ErrorCode.GENERAL, message, metadata);
    }
    if (trace != null) {
      trace.step(
          "env",
          null,
          killSwitch.value(),
          killSwitch
              + " overrides every other source: serving variant \""
              + killSwitchVariant.name
              + "\"");
    }
    return typed(killSwitchVariant, Reason.STATIC, type, defaultValue);
  }

  private Resolution serveDefault(Reason reason, ValueType type, Object defaultValue, Trace trace) {
    if (defaultVariant == null) {
      if (trace != null) {
        trace.step(
            "defaultVariant",
            null,
            null,
            "the flag has no default variant: the caller's default is served");
      }
      Reason served = reason == Reason.PREREQUISITE_FAILED ? reason : Reason.DEFAULT;
      return new Resolution(key, defaultValue, null, served, null, null, metadata, null);
    }
    if (trace != null) {
      trace.step(
          "defaultVariant",
          null,
          defaultVariant.name,
          "serving the default variant \"" + defaultVariant.name + "\"");
    }
    return typed(defaultVariant, reason, type, defaultValue);
  }

  private Resolution disabled(Object defaultValue) {
    return new Resolution(key, defaultValue, null, Reason.DISABLED, null, null, metadata, null);
  }

  private Resolution typed(
      CompiledVariant variant, Reason reason, ValueType type, Object defaultValue) {
    Resolution prepared = variant.resolution(reason, type);
    if (prepared != null) {
      return prepared;
    }
    String message =
        "flag \""
            + key
            + "\" has "
            + CompiledVariant.kind(variant.value)
            + " variants; "
            + type.label()
            + " was asked for";
    return Resolution.error(key, defaultValue, ErrorCode.TYPE_MISMATCH, message, metadata);
  }
}

package dev.rollgate.core;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A variant with its resolutions built ahead: one per (reason, value type) it can be served as, so
 * serving it allocates nothing.
 */
final class CompiledVariant {
  /** The reasons under which a variant is served. */
  private static final Reason[] SERVED = {
    Reason.STATIC, Reason.TARGETING_MATCH, Reason.SPLIT, Reason.DEFAULT, Reason.PREREQUISITE_FAILED
  };

  final String name;
  final Object value;
  // One map per served reason, in the order of SERVED; a type is absent when the value is not one.
  private final List<EnumMap<ValueType, Resolution>> resolutions = new ArrayList<>();

  CompiledVariant(String flagKey, String name, Object value, Map<String, Object> metadata) {
    this.name = name;
    this.value = value;
    for (Reason reason : SERVED) {
      EnumMap<ValueType, Resolution> byType = new EnumMap<>(ValueType.class);
      for (ValueType type : ValueType.values()) {
        Object typed = as(type, value);
        if (typed != null) {
          byType.put(
              type, new Resolution(flagKey, typed, name, reason, null, null, metadata, null));
        }
      }
      resolutions.add(byType);
    }
  }

  /** The prepared resolution, or null when the value cannot be read as {@code type}. */
  Resolution resolution(Reason reason, ValueType type) {
    int r =
        switch (reason) {
          case STATIC -> 0;
          case TARGETING_MATCH -> 1;
          case SPLIT -> 2;
          case PREREQUISITE_FAILED -> 4;
          default -> 3;
        };
    return resolutions.get(r).get(type);
  }

  /** {@code value} as {@code type}, or null when it is not one. */
  static Object as(ValueType type, Object value) {
    return switch (type) {
      case ANY -> value;
      case BOOLEAN -> value instanceof Boolean ? value : null;
      case STRING -> value instanceof String ? value : null;
      case DOUBLE -> value instanceof Number n ? (Object) n.doubleValue() : null;
      case INTEGER -> {
        if (value instanceof Long) {
          yield value;
        }
        if (value instanceof Number n) {
          double d = n.doubleValue();
          boolean whole = d == Math.rint(d) && Math.abs(d) < 0x1p63;
          yield whole ? (Object) (long) d : null;
        }
        yield null;
      }
      case OBJECT -> value instanceof Map || value instanceof List ? value : null;
    };
  }

  /** What kind of JSON value a variant holds, for messages and the same-kind rule. */
  static String kind(Object value) {
    return switch (value) {
      case Boolean b -> "boolean";
      case String s -> "string";
      case Number n -> "number";
      case null -> "null";
      default -> "object";
    };
  }
}

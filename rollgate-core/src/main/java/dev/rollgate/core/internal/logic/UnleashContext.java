package dev.rollgate.core.internal.logic;

import dev.rollgate.core.EvaluationContext;
import java.util.Map;

/**
 * How the {@code unleash_*} operators read an Unleash context field from a Rollgate context: the
 * attribute of that name, else the member of that name in a {@code properties} attribute (a context
 * shaped as Unleash's); {@code userId} falls back to the targeting key, as Unleash's OpenFeature
 * provider maps it. Numbers and booleans read as their text; an empty string, a list or an object
 * is no value, as Unleash's SDKs treat a falsy one.
 */
final class UnleashContext {
  private static final String PROPERTIES = "properties";

  private UnleashContext() {}

  static String field(Object data, String name) {
    Object value = raw(data, name);
    if (value == null && name.equals("userId")) {
      value = raw(data, EvaluationContext.TARGETING_KEY);
    }
    if (value == null && raw(data, PROPERTIES) instanceof Map<?, ?> properties) {
      value = properties.get(name);
    }
    return switch (value) {
      case String s -> s.isEmpty() ? null : s;
      case Number n -> Js.toJsString(n);
      case Boolean b -> b.toString();
      case null, default -> null;
    };
  }

  private static Object raw(Object data, String name) {
    return switch (data) {
      case EvaluationContext c -> c.get(name);
      case Map<?, ?> m -> m.get(name);
      case null, default -> null;
    };
  }
}

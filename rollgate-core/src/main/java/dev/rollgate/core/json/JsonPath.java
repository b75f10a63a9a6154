package dev.rollgate.core.json;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds the human-readable paths that errors and explanations use: {@code
 * flags.a.targeting.if[0]}.
 */
public final class JsonPath {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_$@-]+");

  private JsonPath() {}

  /** The path of member {@code key} of the object at {@code parent} (empty for the root). */
  public static String member(String parent, String key) {
    String step =
        PLAIN.matcher(key).matches()
            ? key
            : "[\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"]";
    if (parent.isEmpty()) {
      return step;
    }
    return step.startsWith("[") ? parent + step : parent + "." + step;
  }

  /** The path of element {@code index} of the array at {@code parent}. */
  public static String element(String parent, int index) {
    return parent + "[" + index + "]";
  }

  /** Names a JSON value's type in error messages. */
  public static String typeName(Object value) {
    return switch (value) {
      case null -> "null";
      case String s -> "a string";
      case Boolean b -> "a boolean";
      case Number n -> "a number";
      case Map<?, ?> m -> "an object";
      case List<?> l -> "an array";
      default -> "a " + value.getClass().getSimpleName();
    };
  }
}

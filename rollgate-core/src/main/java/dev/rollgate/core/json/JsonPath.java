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

  /**
   * The key of the flag that a path of a flag document points into ({@code flags.a.targeting} is in
   * {@code a}, {@code flags["a.b"]} in {@code a.b}), or null for a path outside every flag.
   */
  public static String flagOf(String path) {
    if (path.startsWith("flags[\"")) {
      StringBuilder key = new StringBuilder();
      for (int i = "flags[\"".length(); i < path.length(); i++) {
        char c = path.charAt(i);
        if (c == '\\' && i + 1 < path.length()) {
          key.append(path.charAt(++i));
        } else if (c == '"') {
          return path.startsWith("]", i + 1) ? key.toString() : null;
        } else {
          key.append(c);
        }
      }
      return null;
    }
    if (!path.startsWith("flags.")) {
      return null;
    }
    int end = "flags.".length();
    while (end < path.length() && path.charAt(end) != '.' && path.charAt(end) != '[') {
      end++;
    }
    return end == "flags.".length() ? null : path.substring("flags.".length(), end);
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

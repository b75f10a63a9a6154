package dev.rollgate.core;

import java.util.Locale;

/** The type a caller asks a flag's value in. {@link #ANY} takes the value as the flag holds it. */
public enum ValueType {
  BOOLEAN,
  STRING,
  /**
   * A whole number, as {@link Long}; a variant such as {@code 10.0} qualifies, {@code 0.5} does
   * not.
   */
  INTEGER,
  /** A number, as {@link Double}. */
  DOUBLE,
  /** A JSON object or array, as an unmodifiable {@link java.util.Map} or {@link java.util.List}. */
  OBJECT,
  ANY;

  /**
   * Parses a type name as users write it: boolean, string, integer/int, double/float/number,
   * object, any.
   */
  public static ValueType parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "boolean", "bool" -> BOOLEAN;
      case "string" -> STRING;
      case "integer", "int", "long" -> INTEGER;
      case "double", "float", "number" -> DOUBLE;
      case "object", "structure", "json" -> OBJECT;
      case "any" -> ANY;
      default ->
          throw new IllegalArgumentException(
              "unknown value type '"
                  + name
                  + "' (expected boolean, string, integer, double, object or any)");
    };
  }

  /** The lower-case name used in messages and on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

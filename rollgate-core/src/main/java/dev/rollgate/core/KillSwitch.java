package dev.rollgate.core;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * The kill switch of last resort: {@code ROLLGATE_FLAG_<KEY>} in the process environment. {@code
 * off} disables the flag; a variant name serves that variant. It overrides every other source, so
 * an operator can act when everything else is down. Read once, when a snapshot is built.
 *
 * @param variable the environment variable's name
 * @param value its value, trimmed
 */
record KillSwitch(String variable, String value) {
  static final String PREFIX = "ROLLGATE_FLAG_";

  /** The switch set for {@code flagKey}, or null when its variable is unset or blank. */
  static KillSwitch lookup(String flagKey, UnaryOperator<String> environment) {
    String variable = variableName(flagKey);
    String value = environment.apply(variable);
    if (value == null || value.isBlank()) {
      return null;
    }
    return new KillSwitch(variable, value.strip());
  }

  /**
   * {@code ROLLGATE_FLAG_} + the key upper-cased, every character but A-Z and 0-9 made {@code _}.
   */
  static String variableName(String flagKey) {
    StringBuilder sb = new StringBuilder(PREFIX);
    for (char c : flagKey.toUpperCase(Locale.ROOT).toCharArray()) {
      sb.append((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? c : '_');
    }
    return sb.toString();
  }

  boolean isOff() {
    return value.equalsIgnoreCase("off");
  }

  @Override
  public String toString() {
    return variable + "=" + value;
  }
}

package dev.rollgate.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Applies the kill switches of one process ({@code ROLLGATE_FLAG_<KEY>}) to a flag document, so
 * that a server hands its SDKs the answer it gives itself: a client that compiles the result
 * without the server's environment evaluates every switched flag as the server does.
 */
public final class KillSwitches {
  private KillSwitches() {}

  /**
   * The document with every switched flag rewritten: {@code off} (or a variant the flag does not
   * have, which the server answers with its code default too) becomes {@code "state": "DISABLED"};
   * a variant name becomes that variant as the default, without targeting. Returns {@code document}
   * itself when no flag is switched.
   */
  public static Map<String, Object> apply(
      Map<String, Object> document, UnaryOperator<String> environment) {
    if (!(document.get("flags") instanceof Map<?, ?> flags)) {
      return document;
    }
    Map<String, Object> rewritten = null;
    for (Map.Entry<?, ?> entry : flags.entrySet()) {
      String key = String.valueOf(entry.getKey());
      KillSwitch ks = KillSwitch.lookup(key, environment);
      if (ks == null || !(entry.getValue() instanceof Map<?, ?> flag)) {
        continue;
      }
      if (rewritten == null) {
        rewritten = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : flags.entrySet()) {
          rewritten.put(String.valueOf(e.getKey()), e.getValue());
        }
      }
      rewritten.put(key, switched(flag, ks));
    }
    if (rewritten == null) {
      return document;
    }
    Map<String, Object> out = new LinkedHashMap<>(document);
    out.put("flags", rewritten);
    return out;
  }

  private static Map<String, Object> switched(Map<?, ?> flag, KillSwitch ks) {
    Map<String, Object> out = new LinkedHashMap<>();
    flag.forEach((k, v) -> out.put(String.valueOf(k), v));
    boolean known = flag.get("variants") instanceof Map<?, ?> v && v.containsKey(ks.value());
    if (ks.isOff() || !known) {
      out.put("state", "DISABLED");
    } else {
      out.put("state", "ENABLED");
      out.put("defaultVariant", ks.value());
      out.remove("targeting");
    }
    return out;
  }
}

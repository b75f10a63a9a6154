package dev.rollgate.sdk;

import dev.rollgate.core.json.Json;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which flags a new configuration changes. Flags are compared on their JSON text, so that a
 * configuration sent again unchanged (a reconnect, a poll) notifies no one, and a change to any
 * part of a flag (a rule, a variant, metadata) notifies its listeners.
 */
final class ChangeDiff {
  private ChangeDiff() {}

  /** Each flag's JSON by key; empty when the document has no {@code flags} object. */
  static Map<String, String> flagSources(String document) {
    Map<String, String> sources = new HashMap<>();
    if (Json.parse(document) instanceof Map<?, ?> doc
        && doc.get("flags") instanceof Map<?, ?> flags) {
      flags.forEach((k, v) -> sources.put((String) k, Json.write(v)));
    }
    return sources;
  }

  /** The keys of the flags added, removed or changed, sorted. */
  static Set<String> changed(Map<String, String> before, Map<String, String> after) {
    Set<String> changed = new TreeSet<>();
    for (String key : before.keySet()) {
      if (!Objects.equals(before.get(key), after.get(key))) {
        changed.add(key);
      }
    }
    for (String key : after.keySet()) {
      if (!before.containsKey(key)) {
        changed.add(key);
      }
    }
    return changed;
  }
}

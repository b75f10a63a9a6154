package dev.rollgate.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Who or what a flag is evaluated for: a targeting key (user, session or tenant id) and attributes.
 *
 * <p>Attribute values are JSON-like: strings, numbers, booleans, null, lists and maps. Targeting
 * reads the targeting key as the attribute {@code targetingKey}, as flagd does.
 */
public final class EvaluationContext {
  /** The attribute name under which targeting sees the targeting key. */
  public static final String TARGETING_KEY = "targetingKey";

  private static final EvaluationContext EMPTY = new EvaluationContext(null, Map.of());

  private final String targetingKey;
  private final Map<String, Object> attributes;

  private EvaluationContext(String targetingKey, Map<String, Object> attributes) {
    this.targetingKey = targetingKey;
    this.attributes = attributes;
  }

  public static EvaluationContext empty() {
    return EMPTY;
  }

  /** A context with a targeting key (may be null) and a copy of {@code attributes}. */
  public static EvaluationContext of(String targetingKey, Map<String, ?> attributes) {
    Objects.requireNonNull(attributes, "attributes");
    Map<String, Object> copy = new LinkedHashMap<>(attributes);
    copy.remove(TARGETING_KEY);
    return new EvaluationContext(targetingKey, Collections.unmodifiableMap(copy));
  }

  public static EvaluationContext of(String targetingKey) {
    return new EvaluationContext(targetingKey, Map.of());
  }

  /**
   * A context from a JSON object as users write it: {@code targetingKey} (a string, if present)
   * plus attributes.
   *
   * @throws IllegalArgumentException if {@code targetingKey} is present but not a string
   */
  public static EvaluationContext fromJson(Map<String, ?> json) {
    Object key = json.get(TARGETING_KEY);
    if (key != null && !(key instanceof String)) {
      throw new IllegalArgumentException("targetingKey must be a string");
    }
    return of((String) key, json);
  }

  /** The targeting key, or null when there is none. */
  public String targetingKey() {
    return targetingKey;
  }

  /** The attributes, without the targeting key. */
  public Map<String, Object> attributes() {
    return attributes;
  }

  /** The value targeting sees under {@code name}, or null when absent. */
  public Object get(String name) {
    return TARGETING_KEY.equals(name) ? targetingKey : attributes.get(name);
  }

  /** The context as one JSON-like map, targeting key included. */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    if (targetingKey != null) {
      map.put(TARGETING_KEY, targetingKey);
    }
    map.putAll(attributes);
    return Collections.unmodifiableMap(map);
  }

  @Override
  public String toString() {
    return "EvaluationContext" + asMap();
  }
}

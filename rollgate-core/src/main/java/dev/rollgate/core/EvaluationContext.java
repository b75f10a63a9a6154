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
 *
 * <p>A context is either a copy of a map ({@link #of}) or a {@link #view} over attributes that stay
 * where they are, such as another library's context: targeting then reads only the attributes it
 * needs, and building the context costs no map.
 */
public final class EvaluationContext {
  /** The attribute name under which targeting sees the targeting key. */
  public static final String TARGETING_KEY = "targetingKey";

  private static final EvaluationContext EMPTY = new EvaluationContext(null, Map.of(), null);

  private final String targetingKey;
  private Map<String, Object> attributes; // for a view: made from it when first asked for
  private final Attributes view; // null unless this is a view

  private EvaluationContext(String targetingKey, Map<String, Object> attributes, Attributes view) {
    this.targetingKey = targetingKey;
    this.attributes = attributes;
    this.view = view;
  }

  /** Attributes read one by one where they are, for {@link #view}. */
  public interface Attributes {
    /**
     * The attribute {@code name} as a JSON-like value (string, number, boolean, list or map), or
     * null when absent. It must not change while the context is in use.
     */
    Object get(String name);

    /** Every attribute, for what needs them all (explanations, printing); rarely called. */
    Map<String, ?> toMap();
  }

  public static EvaluationContext empty() {
    return EMPTY;
  }

  /** A context with a targeting key (may be null) and a copy of {@code attributes}. */
  public static EvaluationContext of(String targetingKey, Map<String, ?> attributes) {
    Objects.requireNonNull(attributes, "attributes");
    Map<String, Object> copy = new LinkedHashMap<>(attributes);
    copy.remove(TARGETING_KEY);
    return new EvaluationContext(targetingKey, Collections.unmodifiableMap(copy), null);
  }

  public static EvaluationContext of(String targetingKey) {
    return new EvaluationContext(targetingKey, Map.of(), null);
  }

  /**
   * A context with a targeting key (may be null) whose attributes are read from {@code attributes}
   * when targeting asks for them, without copying; an attribute named {@code targetingKey} is not
   * read (the targeting key is).
   */
  public static EvaluationContext view(String targetingKey, Attributes attributes) {
    return new EvaluationContext(
        targetingKey, null, Objects.requireNonNull(attributes, "attributes"));
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
    Map<String, Object> map = attributes;
    if (map == null) {
      Map<String, Object> copy = new LinkedHashMap<>(view.toMap());
      copy.remove(TARGETING_KEY);
      map = Collections.unmodifiableMap(copy);
      attributes = map; // a race only builds it twice
    }
    return map;
  }

  /** The value targeting sees under {@code name}, or null when absent. */
  public Object get(String name) {
    if (TARGETING_KEY.equals(name)) {
      return targetingKey;
    }
    return view != null ? view.get(name) : attributes.get(name);
  }

  /** The context as one JSON-like map, targeting key included. */
  public Map<String, Object> asMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    if (targetingKey != null) {
      map.put(TARGETING_KEY, targetingKey);
    }
    map.putAll(attributes());
    return Collections.unmodifiableMap(map);
  }

  @Override
  public String toString() {
    return "EvaluationContext" + asMap();
  }
}

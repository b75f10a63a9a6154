package dev.rollgate.server.http;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.core.json.JsonSyntaxException;
import dev.rollgate.server.domain.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A request body that must be a JSON object, read field by field: unknown fields and wrong types
 * are 400s that name the field.
 */
public final class JsonBody {
  /** Keys of projects, environments, flags and segments: safe in URLs and environment variables. */
  public static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private static final int MAX_TEXT = 10_000;

  private final Map<String, Object> fields;
  private final String prefix;

  private JsonBody(Map<String, Object> fields, String prefix) {
    this.fields = fields;
    this.prefix = prefix;
  }

  /** Parses a body; it must be one JSON object with only the {@code allowed} members. */
  public static JsonBody parse(String text, Set<String> allowed) {
    Object value;
    try {
      value = Json.parse(text);
    } catch (JsonSyntaxException e) {
      throw new Failure(Failure.Kind.INVALID_INPUT, "malformed_json", e.getMessage());
    }
    return of(value, "", allowed);
  }

  /** Reads a nested object found at {@code path}. */
  @SuppressWarnings("unchecked")
  public static JsonBody of(Object value, String path, Set<String> allowed) {
    if (!(value instanceof Map<?, ?> map)) {
      throw Failure.invalidField(
          path.isEmpty() ? "body" : path, "must be a JSON object, not " + JsonPath.typeName(value));
    }
    for (Object key : map.keySet()) {
      if (!allowed.contains(key)) {
        throw Failure.invalidField(
            JsonPath.member(path, (String) key),
            "unknown field (expected one of " + new TreeSet<>(allowed) + ")");
      }
    }
    return new JsonBody((Map<String, Object>) map, path);
  }

  public boolean has(String name) {
    return fields.containsKey(name);
  }

  public Object raw(String name) {
    return fields.get(name);
  }

  public String path(String name) {
    return JsonPath.member(prefix, name);
  }

  public String string(String name, boolean required) {
    Object v = fields.get(name);
    if (v == null) {
      if (required) {
        throw Failure.invalidField(path(name), "is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw Failure.invalidField(path(name), "must be a string, not " + JsonPath.typeName(v));
    }
    if (s.length() > MAX_TEXT) {
      throw Failure.invalidField(path(name), "is longer than " + MAX_TEXT + " characters");
    }
    return s;
  }

  /** A key field: required, matching {@link #KEY}. */
  public String key(String name) {
    String key = string(name, true);
    if (!KEY.matcher(key).matches()) {
      throw Failure.invalidField(
          path(name),
          "must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    return key;
  }

  public Boolean bool(String name) {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Boolean b)) {
      throw Failure.invalidField(path(name), "must be true or false, not " + JsonPath.typeName(v));
    }
    return b;
  }

  public List<String> strings(String name) {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof List<?> list)) {
      throw Failure.invalidField(path(name), "must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof String s) || s.isEmpty() || s.length() > 128) {
        throw Failure.invalidField(path(name), "must be an array of strings of 1-128 characters");
      }
      out.add(s);
    }
    return out;
  }

  /** A JSON object field, or null when absent. */
  @SuppressWarnings("unchecked")
  public Map<String, Object> object(String name) {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?>)) {
      throw Failure.invalidField(path(name), "must be a JSON object, not " + JsonPath.typeName(v));
    }
    return (Map<String, Object>) v;
  }

  /** A number field within [min, max], or null when absent. */
  public Double number(String name, double min, double max) {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Number n) || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
      throw Failure.invalidField(
          path(name), "must be a number from " + plain(min) + " to " + plain(max));
    }
    return n.doubleValue();
  }

  /** A whole-number field within [min, max], or null when absent. */
  public Long whole(String name, long min, long max) {
    Double v = number(name, (double) min, (double) max);
    if (v == null) {
      return null;
    }
    if (v != Math.rint(v)) {
      throw Failure.invalidField(path(name), "must be a whole number");
    }
    return v.longValue();
  }

  private static String plain(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}

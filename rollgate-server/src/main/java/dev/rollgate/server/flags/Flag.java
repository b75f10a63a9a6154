package dev.rollgate.server.flags;

import dev.rollgate.server.domain.Plain;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A flag: the project-wide definition and one configuration per environment.
 *
 * @param kind boolean, string, number or object: the type every variant has
 */
public record Flag(
    String project,
    String key,
    String name,
    String description,
    String kind,
    Map<String, Object> variants,
    List<String> tags,
    boolean archived,
    long version,
    long createdAt,
    long updatedAt,
    Map<String, EnvironmentConfig> environments)
    implements Plain.Shown {

  /**
   * A flag's configuration in one environment.
   *
   * @param state DISABLED is the kill switch
   * @param defaultVariant may be null: the caller's default is served
   * @param targeting JsonLogic, or null for none
   */
  public record EnvironmentConfig(
      FlagState state, String defaultVariant, Object targeting, Map<String, Object> metadata) {
    EnvironmentConfig withState(FlagState newState) {
      return new EnvironmentConfig(newState, defaultVariant, targeting, metadata);
    }
  }

  /** Its definition and configurations; the project is where it was asked for. */
  @Override
  public Object plain() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("key", key);
    json.put("name", name);
    json.put("description", description);
    json.put("kind", kind);
    json.put("tags", tags);
    json.put("variants", variants);
    json.put("archived", archived);
    json.put("version", version);
    json.put("createdAt", Instant.ofEpochMilli(createdAt).toString());
    json.put("updatedAt", Instant.ofEpochMilli(updatedAt).toString());
    Map<String, Object> envs = new LinkedHashMap<>();
    environments.forEach((env, config) -> envs.put(env, Plain.record(config)));
    json.put("environments", envs);
    return json;
  }

  /** The kind of a variant value, or null for null. */
  static String kindOf(Object value) {
    return switch (value) {
      case Boolean b -> "boolean";
      case String s -> "string";
      case Number n -> "number";
      case Map<?, ?> m -> "object";
      case List<?> l -> "object";
      case null, default -> null;
    };
  }
}

package dev.rollgate.server.flags;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
   * A flag that another requires: the dependent flag evaluates its rules only when {@code flag}
   * serves one of {@code variants} in the same context.
   */
  public record Prerequisite(String flag, List<String> variants) {
    private static final int MAX = 32;

    public Prerequisite {
      variants = List.copyOf(variants);
    }

    /**
     * {@code [{"flag": KEY, "variants": [NAME, ...]}, ...]} at {@code path}, null for none. What
     * they name is checked when the change compiles (a missing flag, a variant it does not have, a
     * cycle).
     */
    static List<Prerequisite> read(Object raw, String path) {
      if (raw == null) {
        return List.of();
      }
      if (!(raw instanceof List<?> list)) {
        throw Failure.invalidField(
            path, "must be an array of {\"flag\": key, \"variants\": [names]}");
      }
      if (list.size() > MAX) {
        throw Failure.invalidField(path, "at most " + MAX + " prerequisites");
      }
      List<Prerequisite> out = new ArrayList<>();
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String at = JsonPath.element(path, i);
        if (!(list.get(i) instanceof Map<?, ?> entry)) {
          throw Failure.invalidField(
              at, "must be an object {\"flag\": key, \"variants\": [names]}");
        }
        for (Object member : entry.keySet()) {
          if (!member.equals("flag") && !member.equals("variants")) {
            throw Failure.invalidField(
                JsonPath.member(at, (String) member), "unknown field (expected flag or variants)");
          }
        }
        if (!(entry.get("flag") instanceof String flag) || flag.isEmpty() || flag.length() > 128) {
          throw Failure.invalidField(
              JsonPath.member(at, "flag"), "is required: the key of the flag required");
        }
        if (!(entry.get("variants") instanceof List<?> names) || names.isEmpty()) {
          throw Failure.invalidField(
              JsonPath.member(at, "variants"), "is required: the variant names that satisfy it");
        }
        List<String> variants = new ArrayList<>();
        for (Object name : names) {
          if (!(name instanceof String variant) || variant.isEmpty()) {
            throw Failure.invalidField(
                JsonPath.member(at, "variants"), "must be an array of variant names");
          }
          variants.add(variant);
        }
        if (!seen.add(flag)) {
          throw Failure.invalidField(
              JsonPath.member(at, "flag"), "flag " + flag + " is listed twice");
        }
        out.add(new Prerequisite(flag, variants));
      }
      return out;
    }

    Map<String, Object> document() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("flag", flag);
      json.put("variants", variants);
      return json;
    }
  }

  /**
   * A flag's configuration in one environment.
   *
   * @param state DISABLED is the kill switch
   * @param defaultVariant may be null: the caller's default is served
   * @param targeting JsonLogic, or null for none
   * @param prerequisites the flags it requires, in the order they are checked; empty for none
   * @param lenient stored as flagd loads it (an import with {@code strict=false}): what does not
   *     compile is served as {@code PARSE_ERROR} until an edit replaces it
   * @param problems why it does not compile, as served now: null when not looked up (stored state),
   *     empty when it compiles
   */
  public record EnvironmentConfig(
      FlagState state,
      String defaultVariant,
      Object targeting,
      Map<String, Object> metadata,
      List<Prerequisite> prerequisites,
      boolean lenient,
      List<Map<String, Object>> problems)
      implements Plain.Shown {
    public EnvironmentConfig {
      prerequisites = prerequisites == null ? List.of() : List.copyOf(prerequisites);
    }

    public EnvironmentConfig(
        FlagState state, String defaultVariant, Object targeting, Map<String, Object> metadata) {
      this(state, defaultVariant, targeting, metadata, List.of(), false, null);
    }

    EnvironmentConfig withState(FlagState newState) {
      return new EnvironmentConfig(
          newState, defaultVariant, targeting, metadata, prerequisites, lenient, problems);
    }

    EnvironmentConfig withProblems(List<Map<String, Object>> found) {
      return new EnvironmentConfig(
          state, defaultVariant, targeting, metadata, prerequisites, lenient, found);
    }

    /** The prerequisites as the flag document holds them. */
    List<Map<String, Object>> prerequisitesDocument() {
      return prerequisites.stream().map(Prerequisite::document).toList();
    }

    @Override
    public Object plain() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("state", state);
      json.put("defaultVariant", defaultVariant);
      json.put("targeting", targeting);
      json.put("metadata", metadata);
      json.put("prerequisites", prerequisitesDocument());
      if (lenient) {
        json.put("strict", false);
      }
      if (problems != null) {
        json.put("valid", problems.isEmpty());
        if (!problems.isEmpty()) {
          json.put("problems", problems);
        }
      }
      return json;
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
    environments.forEach((env, config) -> envs.put(env, Plain.of(config)));
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

package dev.rollgate.server.flags;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Flags: definitions, per-environment configuration, the kill switch. */
public final class FlagService {
  static final Set<String> CREATE_FIELDS =
      Set.of("key", "name", "description", "tags", "variants", "defaultVariant", "environments");
  static final Set<String> UPDATE_FIELDS =
      Set.of("name", "description", "tags", "variants", "archived", "environments");
  static final Set<String> CONFIG_FIELDS =
      Set.of("state", "defaultVariant", "targeting", "metadata");

  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public FlagService(Catalog catalog, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  /** A page of flags and the cursor of the next page (null on the last). */
  public record Page(List<Map<String, Object>> items, String nextCursor) {}

  public Page list(
      String project,
      String tag,
      String prefix,
      boolean includeArchived,
      int limit,
      String cursor) {
    return catalog.read(tx -> {
      Projects.require(tx, project);
      List<Flag> chosen = new ArrayList<>();
      String after = cursor;
      String next = null;
      // Tags are filtered here rather than in SQL (they are stored as JSON text), a batch at a
      // time; the configurations of the page are then read in one query.
      while (next == null) {
        List<Flag> batch = FlagStore.page(tx, project, prefix, after, includeArchived, 200);
        for (Flag f : batch) {
          if (tag == null || f.tags().contains(tag)) {
            if (chosen.size() == limit) {
              next = chosen.getLast().key();
              break;
            }
            chosen.add(f);
          }
          after = f.key();
        }
        if (batch.size() < 200) {
          break;
        }
      }
      List<Map<String, Object>> items = new ArrayList<>();
      for (Flag f : FlagStore.withConfigs(tx, project, chosen)) {
        items.add(f.toJson());
      }
      return new Page(items, next);
    });
  }

  public Map<String, Object> get(String project, String key) {
    return catalog.read(tx -> FlagStore.get(tx, project, key).toJson());
  }

  /** One environment's configuration, with the flag's version (the ETag of both). */
  public Map<String, Object> getEnvironment(String project, String key, String environment) {
    return catalog.read(tx -> {
      Flag flag = FlagStore.get(tx, project, key);
      return environmentJson(flag, environment);
    });
  }

  private static Map<String, Object> environmentJson(Flag flag, String environment) {
    Flag.EnvironmentConfig config = flag.environments().get(environment);
    if (config == null) {
      throw Failure.notFound("flag " + flag.key() + " in environment " + environment);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("flag", flag.key());
    json.put("environment", environment);
    json.putAll(config.toJson());
    json.put("version", flag.version());
    return json;
  }

  public Map<String, Object> create(Actor actor, String project, JsonBody body) {
    String key = body.key("key");
    Map<String, Object> variants = variants(body);
    String kind = kind(variants, body.path("variants"));
    String defaultVariant =
        body.has("defaultVariant")
            ? body.string("defaultVariant", false)
            : variants.keySet().iterator().next();
    Map<String, Object> environments = body.object("environments");
    return catalog.write(
        project,
        null,
        tx -> {
          Projects.require(tx, project);
          if (FlagStore.find(tx, project, key).isPresent()) {
            throw Failure.conflict("flag " + project + "/" + key + " already exists");
          }
          Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>();
          for (String env : FlagStore.environments(tx, project)) {
            configs.put(
                env, new Flag.EnvironmentConfig("DISABLED", defaultVariant, null, Map.of()));
          }
          applyEnvironmentPatches(configs, environments, body.path("environments"));
          long now = clock.millis();
          Flag flag =
              new Flag(
                  project,
                  key,
                  orDefault(body.string("name", false), key),
                  orDefault(body.string("description", false), ""),
                  kind,
                  variants,
                  tagsOf(body),
                  false,
                  1,
                  now,
                  now,
                  configs);
          FlagStore.insert(tx, flag);
          Map<String, Object> after = flag.toJson();
          audit.append(tx, actor, "flag.create", resource(project, key), null, after);
          return after;
        });
  }

  public Map<String, Object> update(
      Actor actor, String project, String key, Long ifMatch, JsonBody body) {
    return catalog.write(
        project,
        ifMatch,
        tx -> {
          Flag before = FlagStore.get(tx, project, key);
          checkVersion(before, ifMatch);
          Map<String, Object> variants = before.variants();
          if (body.has("variants")) {
            variants = variants(body);
            String kind = kind(variants, body.path("variants"));
            if (!kind.equals(before.kind())) {
              throw Failure.invalidField(
                  body.path("variants"),
                  "must stay " + before.kind() + " (the flag's kind cannot change)");
            }
          }
          Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>(before.environments());
          applyEnvironmentPatches(configs, body.object("environments"), body.path("environments"));
          Boolean archived = body.bool("archived");
          Flag after =
              new Flag(
                  project,
                  key,
                  orDefault(body.string("name", false), before.name()),
                  orDefault(body.string("description", false), before.description()),
                  before.kind(),
                  variants,
                  body.has("tags") ? tagsOf(body) : before.tags(),
                  archived == null ? before.archived() : archived,
                  before.version() + 1,
                  before.createdAt(),
                  clock.millis(),
                  configs);
          return save(tx, actor, before, after, action(before, after));
        });
  }

  /** Changes one environment's configuration; {@code {"state": "DISABLED"}} is the kill switch. */
  public Map<String, Object> patchEnvironment(
      Actor actor, String project, String key, String environment, Long ifMatch, JsonBody body) {
    return catalog.write(
        project,
        ifMatch,
        tx -> {
          Flag before = FlagStore.get(tx, project, key);
          checkVersion(before, ifMatch);
          if (!FlagStore.environments(tx, project).contains(environment)) {
            throw Failure.notFound("environment " + project + "/" + environment);
          }
          // A flag that a replace import took out of this environment stays out until an import
          // or a flag update puts it back: a patch names a configuration that is not there.
          Flag.EnvironmentConfig current = before.environments().get(environment);
          if (current == null) {
            throw Failure.notFound("flag " + key + " in environment " + environment);
          }
          Flag after = saveEnvironment(tx, actor, before, environment, applyPatch(current, body));
          return environmentJson(after, environment);
        });
  }

  private Flag saveEnvironment(
      Tx tx, Actor actor, Flag before, String environment, Flag.EnvironmentConfig config)
      throws SQLException {
    Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>(before.environments());
    configs.put(environment, config);
    Flag after =
        new Flag(
            before.project(),
            before.key(),
            before.name(),
            before.description(),
            before.kind(),
            before.variants(),
            before.tags(),
            before.archived(),
            before.version() + 1,
            before.createdAt(),
            clock.millis(),
            configs);
    save(tx, actor, before, after, action(before, after));
    return after;
  }

  /** What a rollout needs of a flag in one environment. */
  public record EnvironmentView(Set<String> variants, String state, String defaultVariant) {}

  /** The flag's variants and its configuration in {@code environment}; 404 when either is not. */
  public static EnvironmentView view(Tx tx, String project, String key, String environment)
      throws SQLException {
    Flag flag = FlagStore.get(tx, project, key);
    Flag.EnvironmentConfig config = flag.environments().get(environment);
    if (config == null) {
      throw Failure.notFound("flag " + key + " in environment " + environment);
    }
    return new EnvironmentView(flag.variants().keySet(), config.state(), config.defaultVariant());
  }

  /**
   * Makes {@code variant} the flag's default in {@code environment}, inside the caller's write (a
   * rollout that completes).
   */
  public void setDefaultVariant(
      Tx tx, Actor actor, String project, String key, String environment, String variant)
      throws SQLException {
    Flag before = FlagStore.get(tx, project, key);
    Flag.EnvironmentConfig config = configFor(before, environment);
    saveEnvironment(
        tx,
        actor,
        before,
        environment,
        new Flag.EnvironmentConfig(config.state(), variant, config.targeting(), config.metadata()));
  }

  public void delete(Actor actor, String project, String key, Long ifMatch) {
    catalog.write(
        project,
        ifMatch,
        tx -> {
          Flag before = FlagStore.get(tx, project, key);
          checkVersion(before, ifMatch);
          int rows =
              tx.update(
                  "DELETE FROM flags WHERE project_key = ? AND flag_key = ? AND version = ?",
                  project,
                  key,
                  before.version());
          if (rows == 0) {
            throw new VersionConflict("flag " + project + "/" + key);
          }
          audit.append(tx, actor, "flag.delete", resource(project, key), before.toJson(), null);
          return null;
        });
  }

  private Map<String, Object> save(Tx tx, Actor actor, Flag before, Flag after, String action)
      throws SQLException {
    FlagStore.update(tx, after, before.version(), after.updatedAt());
    Map<String, Object> json = after.toJson();
    audit.append(
        tx, actor, action, resource(before.project(), before.key()), before.toJson(), json);
    return json;
  }

  /** The audit action; switching a flag on or off gets its own name, so it is easy to find. */
  private static String action(Flag before, Flag after) {
    if (before.archived() != after.archived()) {
      return after.archived() ? "flag.archive" : "flag.restore";
    }
    boolean sameDefinition =
        before.variants().equals(after.variants())
            && before.name().equals(after.name())
            && before.description().equals(after.description())
            && before.tags().equals(after.tags())
            && before.environments().keySet().equals(after.environments().keySet());
    List<String> changed =
        after.environments().keySet().stream()
            .filter(env -> !after.environments().get(env).equals(before.environments().get(env)))
            .toList();
    if (sameDefinition && changed.size() == 1) {
      Flag.EnvironmentConfig old = before.environments().get(changed.getFirst());
      Flag.EnvironmentConfig now = after.environments().get(changed.getFirst());
      if (old.withState(now.state()).equals(now)) {
        return now.state().equals("DISABLED") ? "flag.disable" : "flag.enable";
      }
    }
    return "flag.update";
  }

  static void checkVersion(Flag flag, Long ifMatch) {
    VersionConflict.check("flag " + flag.project() + "/" + flag.key(), ifMatch, flag.version());
  }

  private static Flag.EnvironmentConfig configFor(Flag flag, String environment) {
    Flag.EnvironmentConfig config = flag.environments().get(environment);
    return config != null
        ? config
        : new Flag.EnvironmentConfig(
            "DISABLED", flag.variants().keySet().iterator().next(), null, Map.of());
  }

  private static void applyEnvironmentPatches(
      Map<String, Flag.EnvironmentConfig> configs, Map<String, Object> patches, String path) {
    if (patches == null) {
      return;
    }
    for (Map.Entry<String, Object> e : patches.entrySet()) {
      String at = JsonPath.member(path, e.getKey());
      Flag.EnvironmentConfig base = configs.get(e.getKey());
      if (base == null) {
        throw Failure.invalidField(
            at, "there is no environment " + e.getKey() + " in this project");
      }
      configs.put(e.getKey(), applyPatch(base, JsonBody.of(e.getValue(), at, CONFIG_FIELDS)));
    }
  }

  static Flag.EnvironmentConfig applyPatch(Flag.EnvironmentConfig base, JsonBody patch) {
    String state = base.state();
    if (patch.has("state")) {
      state = patch.string("state", true);
      if (!state.equals("ENABLED") && !state.equals("DISABLED")) {
        throw Failure.invalidField(patch.path("state"), "must be ENABLED or DISABLED");
      }
    }
    String defaultVariant =
        patch.has("defaultVariant") ? patch.string("defaultVariant", false) : base.defaultVariant();
    Object targeting = base.targeting();
    if (patch.has("targeting")) {
      targeting = patch.raw("targeting");
      if (targeting != null && !(targeting instanceof Map<?, ?>)) {
        throw Failure.invalidField(patch.path("targeting"), "must be a JsonLogic object or null");
      }
    }
    Map<String, Object> metadata =
        patch.has("metadata") ? patch.object("metadata") : base.metadata();
    return new Flag.EnvironmentConfig(
        state, defaultVariant, targeting, metadata == null ? Map.of() : metadata);
  }

  private static Map<String, Object> variants(JsonBody body) {
    Map<String, Object> variants = body.object("variants");
    if (variants == null || variants.isEmpty()) {
      throw Failure.invalidField(
          body.path("variants"), "is required: an object of variant name to value");
    }
    return variants;
  }

  /** The kind all variants share; a 400 naming the first that differs. */
  static String kind(Map<String, Object> variants, String path) {
    String kind = null;
    for (Map.Entry<String, Object> e : variants.entrySet()) {
      String k = Flag.kindOf(e.getValue());
      String at = JsonPath.member(path, e.getKey());
      if (k == null) {
        throw Failure.invalidField(at, "a variant's value must not be null");
      }
      if (kind != null && !kind.equals(k)) {
        throw Failure.invalidField(
            at, "is a " + k + " but the other variants are " + kind + " values");
      }
      kind = k;
    }
    return kind;
  }

  private static List<String> tagsOf(JsonBody body) {
    List<String> tags = body.strings("tags");
    return tags == null ? List.of() : tags;
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }

  static String resource(String project, String key) {
    return "projects/" + project + "/flags/" + key;
  }
}

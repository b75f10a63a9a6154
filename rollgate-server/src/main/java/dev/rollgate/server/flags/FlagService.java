package dev.rollgate.server.flags;

import dev.rollgate.core.Problem;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.ServedEnvironment;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.store.Database;
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
  /** Where a split flag's own targeting is in the targeting served ({@code RolloutSplit}). */
  private static final String SPLIT_TARGETING = ".or[0]";

  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public FlagService(Catalog catalog, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  /** A page of flags and the cursor of the next page (null on the last). */
  public record Page(List<Flag> items, String nextCursor) {}

  /**
   * A change to one environment's configuration, as a JSON merge patch: a null {@code state} or
   * {@code metadata} stays as it is; {@code defaultVariant} and {@code targeting} change only when
   * their {@code sets...} flag is true, and may then be null (none).
   */
  public record ConfigPatch(
      FlagState state,
      boolean setsDefaultVariant,
      String defaultVariant,
      boolean setsTargeting,
      Object targeting,
      Map<String, Object> metadata,
      boolean setsPrerequisites,
      List<Flag.Prerequisite> prerequisites) {

    /** A patch that leaves the prerequisites as they are. */
    public ConfigPatch(
        FlagState state,
        boolean setsDefaultVariant,
        String defaultVariant,
        boolean setsTargeting,
        Object targeting,
        Map<String, Object> metadata) {
      this(
          state,
          setsDefaultVariant,
          defaultVariant,
          setsTargeting,
          targeting,
          metadata,
          false,
          null);
    }
  }

  /**
   * A flag to create. {@code defaultVariant} applies when {@code setsDefaultVariant} (null: none),
   * else the first variant; every environment starts disabled, then takes its patch, if any.
   */
  public record Create(
      String key,
      String name,
      String description,
      List<String> tags,
      Map<String, Object> variants,
      boolean setsDefaultVariant,
      String defaultVariant,
      Map<String, ConfigPatch> environments) {}

  /** Changes to a flag; null fields stay as they are. */
  public record Change(
      String name,
      String description,
      List<String> tags,
      Map<String, Object> variants,
      Boolean archived,
      Map<String, ConfigPatch> environments) {}

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
      return new Page(FlagStore.withConfigs(tx, project, chosen), next);
    });
  }

  /** {@link #list} with each configuration's problems as served now. */
  public Page listServed(
      String project,
      String tag,
      String prefix,
      boolean includeArchived,
      int limit,
      String cursor) {
    Page page = list(project, tag, prefix, includeArchived, limit, cursor);
    return new Page(page.items().stream().map(this::served).toList(), page.nextCursor());
  }

  public Flag get(String project, String key) {
    return catalog.read(tx -> FlagStore.get(tx, project, key));
  }

  /** {@link #get} with each configuration's problems as served now. */
  public Flag getServed(String project, String key) {
    return served(get(project, key));
  }

  /** {@code flag} with each configuration's problems as this replica serves it now. */
  private Flag served(Flag flag) {
    Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>();
    flag.environments()
        .forEach((env, config) ->
            configs.put(env, config.withProblems(problems(flag.project(), env, flag.key()))));
    return new Flag(
        flag.project(),
        flag.key(),
        flag.name(),
        flag.description(),
        flag.kind(),
        flag.variants(),
        flag.tags(),
        flag.archived(),
        flag.version(),
        flag.createdAt(),
        flag.updatedAt(),
        configs);
  }

  /**
   * Why {@code flag} does not compile in {@code environment} as served now (empty when it does), or
   * null when it is not served there (archived, or not configured).
   */
  private List<Map<String, Object>> problems(String project, String environment, String flag) {
    ServedEnvironment served = catalog.served(project, environment);
    if (served == null || !served.snapshot().flagKeys().contains(flag)) {
      return null;
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (Problem p : served.problems().getOrDefault(flag, List.of())) {
      Map<String, Object> problem = new LinkedHashMap<>();
      problem.put("path", p.path());
      problem.put("message", p.message());
      out.add(problem);
    }
    return out;
  }

  /** One environment's configuration of a flag, with the flag's version (the ETag of both). */
  public record Setting(
      String flag,
      String environment,
      FlagState state,
      String defaultVariant,
      Object targeting,
      Map<String, Object> metadata,
      List<Flag.Prerequisite> prerequisites,
      boolean strict,
      Boolean valid,
      List<Map<String, Object>> problems,
      long version) {}

  /** One environment's configuration, with the flag's version (the ETag of both). */
  public Setting getEnvironment(String project, String key, String environment) {
    return environmentJson(catalog.read(tx -> FlagStore.get(tx, project, key)), environment);
  }

  /** One environment's configuration of {@code flag}, with its problems as served now. */
  private Setting environmentJson(Flag flag, String environment) {
    Flag.EnvironmentConfig config = flag.environments().get(environment);
    if (config == null) {
      throw Failure.notFound("flag " + flag.key() + " in environment " + environment);
    }
    List<Map<String, Object>> problems = problems(flag.project(), environment, flag.key());
    return new Setting(
        flag.key(),
        environment,
        config.state(),
        config.defaultVariant(),
        config.targeting(),
        config.metadata(),
        config.prerequisites(),
        !config.lenient(),
        problems == null ? null : problems.isEmpty(),
        problems == null || problems.isEmpty() ? null : problems,
        flag.version());
  }

  public Flag create(Actor actor, String project, Create command) {
    return create(actor, project, command, false);
  }

  /**
   * Creates a flag; a {@code dryRun} makes every check and the compile, writes nothing and answers
   * the flag as it would be.
   */
  public Flag create(Actor actor, String project, Create command, boolean dryRun) {
    String key = command.key();
    Map<String, Object> variants = variants(command.variants());
    String kind = kind(variants, "variants");
    String defaultVariant =
        command.setsDefaultVariant()
            ? command.defaultVariant()
            : variants.keySet().iterator().next();
    Map<String, String> written = bodyPaths(command.environments());
    if (command.setsDefaultVariant()) {
      written.put("*.defaultVariant", "defaultVariant");
    }
    written.put("*.variants", "variants");
    return write(
        dryRun,
        project,
        null,
        key,
        written,
        tx -> {
          Projects.require(tx, project);
          if (FlagStore.find(tx, project, key).isPresent()) {
            throw Failure.conflict("flag " + project + "/" + key + " already exists");
          }
          Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>();
          for (String env : FlagStore.environments(tx, project)) {
            configs.put(
                env,
                new Flag.EnvironmentConfig(FlagState.DISABLED, defaultVariant, null, Map.of()));
          }
          applyEnvironmentPatches(configs, command.environments());
          long now = clock.millis();
          Flag flag =
              new Flag(
                  project,
                  key,
                  orDefault(command.name(), key),
                  orDefault(command.description(), ""),
                  kind,
                  variants,
                  command.tags() == null ? List.of() : command.tags(),
                  false,
                  1,
                  now,
                  now,
                  configs);
          FlagStore.insert(tx, flag);
          audit.append(tx, actor, "flag.create", resource(project, key), null, flag);
          return flag;
        });
  }

  public Flag update(Actor actor, String project, String key, Long ifMatch, Change change) {
    return update(actor, project, key, ifMatch, change, false);
  }

  /** Changes a flag; a {@code dryRun} makes every check and the compile, and writes nothing. */
  public Flag update(
      Actor actor, String project, String key, Long ifMatch, Change change, boolean dryRun) {
    Map<String, String> written = bodyPaths(change.environments());
    if (change.variants() != null) {
      written.put("*.variants", "variants");
    }
    return write(
        dryRun,
        project,
        ifMatch,
        key,
        written,
        tx -> {
          Flag before = FlagStore.get(tx, project, key);
          checkVersion(before, ifMatch);
          if (Boolean.TRUE.equals(change.archived()) && !before.archived()) {
            refuseIfRequired(tx, project, key, "archived");
          }
          Map<String, Object> variants = before.variants();
          if (change.variants() != null) {
            variants = variants(change.variants());
            String kind = kind(variants, "variants");
            if (!kind.equals(before.kind())) {
              throw Failure.invalidField(
                  "variants", "must stay " + before.kind() + " (the flag's kind cannot change)");
            }
          }
          Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>(before.environments());
          applyEnvironmentPatches(configs, change.environments());
          Flag after =
              new Flag(
                  project,
                  key,
                  orDefault(change.name(), before.name()),
                  orDefault(change.description(), before.description()),
                  before.kind(),
                  variants,
                  change.tags() == null ? before.tags() : change.tags(),
                  change.archived() == null ? before.archived() : change.archived(),
                  before.version() + 1,
                  before.createdAt(),
                  clock.millis(),
                  configs);
          return save(tx, actor, before, after, action(before, after));
        });
  }

  /** Changes one environment's configuration; {@code {"state": "DISABLED"}} is the kill switch. */
  public Setting patchEnvironment(
      Actor actor,
      String project,
      String key,
      String environment,
      Long ifMatch,
      ConfigPatch patch) {
    return patchEnvironment(actor, project, key, environment, ifMatch, patch, false);
  }

  /**
   * Changes one environment's configuration; a {@code dryRun} makes every check and the compile,
   * writes nothing and answers the configuration as it would be.
   */
  public Setting patchEnvironment(
      Actor actor,
      String project,
      String key,
      String environment,
      Long ifMatch,
      ConfigPatch patch,
      boolean dryRun) {
    Map<String, String> written = new LinkedHashMap<>();
    bodyPaths(written, environment, "", patch);
    Flag saved =
        write(
            dryRun,
            project,
            ifMatch,
            key,
            written,
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
              return saveEnvironment(tx, actor, before, environment, applyPatch(current, patch));
            });
    return environmentJson(saved, environment);
  }

  /**
   * A write of flag {@code key}, or its dry run (the catalog's rehearsal and compile, and nothing
   * written). When it would leave the flag invalid, each problem the request put there also gets a
   * {@code field}: its path in the request body, from {@code written} ({@link #bodyPaths}), so that
   * an editor can point at it; the problem's {@code path} stays the one in the environment's flag
   * document.
   */
  private <T> T write(
      boolean dryRun,
      String project,
      Long ifMatch,
      String key,
      Map<String, String> written,
      Database.Work<T> work) {
    try {
      return dryRun
          ? catalog.dryRun(project, ifMatch, work)
          : catalog.write(project, ifMatch, work);
    } catch (Failure f) {
      if (!f.code().equals("invalid_flag")) {
        throw f;
      }
      List<Map<String, Object>> details = new ArrayList<>();
      for (Map<String, Object> detail : f.details()) {
        String field =
            bodyField(
                project,
                key,
                (String) detail.get("environment"),
                (String) detail.get("path"),
                written);
        Map<String, Object> located = new LinkedHashMap<>(detail);
        if (field != null) {
          located.put("field", field);
        }
        details.add(located);
      }
      throw new Failure(f.kind(), f.code(), f.getMessage(), details);
    }
  }

  /**
   * Where the request body set each part of a flag's configuration, by "environment.member" ("*"
   * for every environment): {@code production.targeting} is {@code
   * environments.production.targeting} in a flag's body, {@code targeting} in an environment's.
   */
  private static Map<String, String> bodyPaths(Map<String, ConfigPatch> patches) {
    Map<String, String> paths = new LinkedHashMap<>();
    if (patches != null) {
      patches.forEach(
          (env, patch) -> bodyPaths(paths, env, JsonPath.member("environments", env), patch));
    }
    return paths;
  }

  private static void bodyPaths(
      Map<String, String> paths, String environment, String prefix, ConfigPatch patch) {
    if (patch.setsTargeting()) {
      paths.put(environment + ".targeting", JsonPath.member(prefix, "targeting"));
    }
    if (patch.setsDefaultVariant()) {
      paths.put(environment + ".defaultVariant", JsonPath.member(prefix, "defaultVariant"));
    }
    if (patch.metadata() != null) {
      paths.put(environment + ".metadata", JsonPath.member(prefix, "metadata"));
    }
    if (patch.setsPrerequisites()) {
      paths.put(environment + ".prerequisites", JsonPath.member(prefix, "prerequisites"));
    }
  }

  /** The body path of a problem at {@code path} of {@code environment}'s document, or null. */
  private String bodyField(
      String project, String key, String environment, String path, Map<String, String> written) {
    String flag = JsonPath.member("flags", key);
    if (path == null || !path.startsWith(flag + ".")) {
      return null;
    }
    String rest = path.substring(flag.length() + 1); // "targeting.if[0]..."
    int end = 0;
    while (end < rest.length() && rest.charAt(end) != '.' && rest.charAt(end) != '[') {
      end++;
    }
    String member = rest.substring(0, end);
    String inside = rest.substring(end);
    String at = written.get(environment + "." + member);
    if (at == null) {
      at = written.get("*." + member);
    }
    if (at == null) {
      return null;
    }
    // A running rollout or experiment serves {"or": [the flag's targeting, its split]}; the split
    // is the server's, not the request's.
    if (member.equals("targeting")
        && catalog.read(tx -> catalog.splitOwner(tx, project, environment, key)) != null) {
      if (!inside.startsWith(SPLIT_TARGETING)) {
        return null;
      }
      inside = inside.substring(SPLIT_TARGETING.length());
    }
    return at + inside;
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
  public record EnvironmentView(
      Set<String> variants, FlagState state, String defaultVariant, Object targeting) {}

  /** The flag's variants and its configuration in {@code environment}; 404 when either is not. */
  public static EnvironmentView view(Tx tx, String project, String key, String environment)
      throws SQLException {
    Flag flag = FlagStore.get(tx, project, key);
    Flag.EnvironmentConfig config = flag.environments().get(environment);
    if (config == null) {
      throw Failure.notFound("flag " + key + " in environment " + environment);
    }
    return new EnvironmentView(
        flag.variants().keySet(), config.state(), config.defaultVariant(), config.targeting());
  }

  /**
   * Applies {@code patch} to the flag's configuration in {@code environment}, inside the caller's
   * write (a scheduled change): audited as {@code actor}'s, checked when the write compiles.
   */
  public void patchInside(
      Tx tx, Actor actor, String project, String key, String environment, ConfigPatch patch)
      throws SQLException {
    Flag before = FlagStore.get(tx, project, key);
    Flag.EnvironmentConfig current = before.environments().get(environment);
    if (current == null) {
      throw Failure.notFound("flag " + key + " in environment " + environment);
    }
    saveEnvironment(tx, actor, before, environment, applyPatch(current, patch));
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
        new Flag.EnvironmentConfig(
            config.state(),
            variant,
            config.targeting(),
            config.metadata(),
            config.prerequisites(),
            config.lenient(),
            null));
  }

  public void delete(Actor actor, String project, String key, Long ifMatch) {
    catalog.write(
        project,
        ifMatch,
        tx -> {
          Flag before = FlagStore.get(tx, project, key);
          checkVersion(before, ifMatch);
          refuseIfRequired(tx, project, key, "deleted");
          VersionConflict.unlessWritten(
              FlagStore.delete(tx, project, key, before.version()), "flag " + project + "/" + key);
          audit.append(tx, actor, "flag.delete", resource(project, key), before, null);
          return null;
        });
  }

  /** A 409 naming the flags that require {@code key}, which would break without it. */
  private static void refuseIfRequired(Tx tx, String project, String key, String what)
      throws SQLException {
    Map<String, List<String>> dependents = FlagStore.dependents(tx, project, key);
    if (dependents.isEmpty()) {
      return;
    }
    List<String> named = new ArrayList<>();
    List<Map<String, Object>> details = new ArrayList<>();
    dependents.forEach((flag, envs) -> {
      named.add(flag + " (" + String.join(", ", envs) + ")");
      details.add(Map.of("flag", flag, "environments", envs));
    });
    throw new Failure(
        Failure.Kind.CONFLICT,
        "flag_required",
        "flag "
            + key
            + " cannot be "
            + what
            + ": it is a prerequisite of "
            + String.join(", ", named)
            + "; remove those prerequisites first",
        details);
  }

  private Flag save(Tx tx, Actor actor, Flag before, Flag after, String action)
      throws SQLException {
    VersionConflict.unlessWritten(
        FlagStore.update(tx, after, before.version(), after.updatedAt()),
        "flag " + before.project() + "/" + before.key());
    audit.append(tx, actor, action, resource(before.project(), before.key()), before, after);
    return after;
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
        return now.state() == FlagState.DISABLED ? "flag.disable" : "flag.enable";
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
            FlagState.DISABLED, flag.variants().keySet().iterator().next(), null, Map.of());
  }

  private static void applyEnvironmentPatches(
      Map<String, Flag.EnvironmentConfig> configs, Map<String, ConfigPatch> patches) {
    if (patches == null) {
      return;
    }
    for (Map.Entry<String, ConfigPatch> e : patches.entrySet()) {
      Flag.EnvironmentConfig base = configs.get(e.getKey());
      if (base == null) {
        throw Failure.invalidField(
            JsonPath.member("environments", e.getKey()),
            "there is no environment " + e.getKey() + " in this project");
      }
      configs.put(e.getKey(), applyPatch(base, e.getValue()));
    }
  }

  /**
   * {@code base} with {@code patch} applied. Replacing the targeting or the prerequisites of a flag
   * stored as flagd loads it makes it strict again: an edit through the API must compile.
   */
  static Flag.EnvironmentConfig applyPatch(Flag.EnvironmentConfig base, ConfigPatch patch) {
    boolean rewritten = patch.setsTargeting() || patch.setsPrerequisites();
    return new Flag.EnvironmentConfig(
        patch.state() == null ? base.state() : patch.state(),
        patch.setsDefaultVariant() ? patch.defaultVariant() : base.defaultVariant(),
        patch.setsTargeting() ? patch.targeting() : base.targeting(),
        patch.metadata() == null ? base.metadata() : patch.metadata(),
        patch.setsPrerequisites() ? patch.prerequisites() : base.prerequisites(),
        base.lenient() && !rewritten,
        null);
  }

  /** {@link Flag.Prerequisite#read}. */
  static List<Flag.Prerequisite> prerequisites(Object raw, String path) {
    return Flag.Prerequisite.read(raw, path);
  }

  private static Map<String, Object> variants(Map<String, Object> variants) {
    if (variants == null || variants.isEmpty()) {
      throw Failure.invalidField("variants", "is required: an object of variant name to value");
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

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }

  static String resource(String project, String key) {
    return "projects/" + project + "/flags/" + key;
  }
}

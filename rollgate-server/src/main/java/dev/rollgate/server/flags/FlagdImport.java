package dev.rollgate.server.flags;

import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Problem;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.core.json.JsonSyntaxException;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.segments.SegmentService;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * flagd documents in and out of one environment. Import is all or nothing: the document is checked
 * whole (with the project's segments as evaluators), then applied in one transaction that the
 * catalog validates again before commit.
 */
public final class FlagdImport {
  /** How an import treats the environment's flags that the document leaves out. */
  public enum Mode {
    /** They stay as they are. */
    MERGE,
    /** They are removed from this environment (the flags stay in the project). */
    REPLACE
  }

  private final Catalog catalog;
  private final AuditLog audit;
  private final SegmentService segments;
  private final Clock clock;

  public FlagdImport(Catalog catalog, AuditLog audit, SegmentService segments, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.segments = segments;
    this.clock = clock;
  }

  public Map<String, Object> export(String project, String environment) {
    return catalog.read(tx -> {
      Projects.requireEnvironment(tx, project, environment);
      return catalog.document(tx, project, environment);
    });
  }

  /** What an import did, flag by flag, and which segments it created or changed. */
  public record Summary(
      String mode,
      List<String> created,
      List<String> updated,
      List<String> unchanged,
      List<String> removed,
      List<String> segmentsChanged) {}

  /** Imports a flagd document (its text, as flagd reads it) into one environment, whole or not. */
  @SuppressWarnings("unchecked")
  public Summary importDocument(
      Actor actor, String project, String environment, String text, Mode mode) {
    Object tree;
    try {
      tree = Json.parse(text);
    } catch (JsonSyntaxException e) {
      throw new Failure(Failure.Kind.INVALID_INPUT, "malformed_json", e.getMessage());
    }
    if (!(tree instanceof Map<?, ?> document)) {
      throw Failure.invalidField("body", "a flagd document is a JSON object");
    }
    Map<String, Object> flags =
        document.get("flags") instanceof Map<?, ?> f ? (Map<String, Object>) f : Map.of();
    Map<String, Object> evaluators = evaluators(document.get("$evaluators"));
    flags.keySet().forEach(k -> checkKey(JsonPath.member("flags", k), k));
    // Compiled here, before the write and outside its transaction: the catalog compiles the
    // result again, but this names problems by the imported document's own paths.
    checkWhole(
        (Map<String, Object>) document,
        catalog.read(tx -> {
          Projects.requireEnvironment(tx, project, environment);
          return SegmentService.rulesByKey(tx, project);
        }));

    return catalog.write(
        project,
        null,
        tx -> {
          Projects.requireEnvironment(tx, project, environment);
          Map<String, Object> before = catalog.document(tx, project, environment);
          List<String> segmentsChanged = new ArrayList<>();
          for (Map.Entry<String, Object> e : evaluators.entrySet()) {
            if (segments.upsert(tx, actor, project, e.getKey(), e.getValue())) {
              segmentsChanged.add(e.getKey());
            }
          }
          List<String> created = new ArrayList<>();
          List<String> updated = new ArrayList<>();
          List<String> unchanged = new ArrayList<>();
          List<String> removed = new ArrayList<>();
          List<String> envs = FlagStore.environments(tx, project);
          long now = clock.millis();
          for (Map.Entry<String, Object> e : flags.entrySet()) {
            Map<String, Object> json = (Map<String, Object>) e.getValue();
            Map<String, Object> variants = (Map<String, Object>) json.get("variants");
            String at = JsonPath.member("flags", e.getKey());
            String kind = FlagService.kind(variants, JsonPath.member(at, "variants"));
            Flag.EnvironmentConfig config =
                new Flag.EnvironmentConfig(
                    FlagState.parse((String) json.get("state"), JsonPath.member(at, "state")),
                    (String) json.get("defaultVariant"),
                    json.get("targeting"),
                    json.get("metadata") instanceof Map<?, ?> m
                        ? (Map<String, Object>) m
                        : Map.of());
            var existing = FlagStore.find(tx, project, e.getKey());
            if (existing.isEmpty()) {
              Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>();
              for (String env : envs) {
                configs.put(
                    env, env.equals(environment) ? config : config.withState(FlagState.DISABLED));
              }
              Flag flag =
                  new Flag(
                      project,
                      e.getKey(),
                      e.getKey(),
                      "",
                      kind,
                      variants,
                      List.of(),
                      false,
                      1,
                      now,
                      now,
                      configs);
              FlagStore.insert(tx, flag);
              audit.append(
                  tx, actor, "flag.create", FlagService.resource(project, e.getKey()), null, flag);
              created.add(e.getKey());
              continue;
            }
            Flag old = existing.get();
            if (!kind.equals(old.kind())) {
              throw Failure.invalidField(
                  JsonPath.member(at, "variants"),
                  "must stay " + old.kind() + " (the flag's kind cannot change)");
            }
            Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>(old.environments());
            configs.put(environment, config);
            Flag flag =
                new Flag(
                    project,
                    old.key(),
                    old.name(),
                    old.description(),
                    kind,
                    variants,
                    old.tags(),
                    false,
                    old.version() + 1,
                    old.createdAt(),
                    now,
                    configs);
            if (sameContent(old, flag)) {
              unchanged.add(old.key());
              continue;
            }
            VersionConflict.unlessWritten(
                FlagStore.update(tx, flag, old.version(), now),
                "flag " + project + "/" + old.key());
            audit.append(
                tx, actor, "flag.update", FlagService.resource(project, old.key()), old, flag);
            updated.add(old.key());
          }
          if (mode == Mode.REPLACE) {
            for (String key : FlagStore.keysIn(tx, project, environment)) {
              if (!flags.containsKey(key)) {
                Flag old = FlagStore.get(tx, project, key);
                Map<String, Flag.EnvironmentConfig> configs =
                    new LinkedHashMap<>(old.environments());
                configs.remove(environment);
                Flag flag =
                    new Flag(
                        project,
                        key,
                        old.name(),
                        old.description(),
                        old.kind(),
                        old.variants(),
                        old.tags(),
                        old.archived(),
                        old.version() + 1,
                        old.createdAt(),
                        now,
                        configs);
                VersionConflict.unlessWritten(
                    FlagStore.update(tx, flag, old.version(), now),
                    "flag " + project + "/" + old.key());
                audit.append(
                    tx, actor, "flag.update", FlagService.resource(project, key), old, flag);
                removed.add(key);
              }
            }
          }
          boolean changed =
              !(created.isEmpty()
                  && updated.isEmpty()
                  && removed.isEmpty()
                  && segmentsChanged.isEmpty());
          if (changed) { // an import that changes nothing leaves no trace on the trail
            audit.append(
                tx,
                actor,
                "flagd.import",
                "projects/" + project + "/environments/" + environment + "/flagd",
                before,
                catalog.document(tx, project, environment));
          }
          return new Summary(
              mode.name().toLowerCase(java.util.Locale.ROOT),
              created,
              updated,
              unchanged,
              removed,
              segmentsChanged);
        });
  }

  private static boolean sameContent(Flag a, Flag b) {
    return a.variants().equals(b.variants())
        && a.environments().equals(b.environments())
        && !a.archived();
  }

  /**
   * The document's shared evaluators, which become segments: refused as the segments API refuses
   * them, so that an import cannot store what no segment may hold.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> evaluators(Object json) {
    if (json == null) {
      return Map.of();
    }
    if (!(json instanceof Map<?, ?> evaluators)) {
      throw Failure.invalidField("$evaluators", "must be an object of named JsonLogic expressions");
    }
    evaluators.forEach((k, rules) -> {
      String path = JsonPath.member("$evaluators", (String) k);
      checkKey(path, (String) k);
      SegmentService.checkRules(path, rules);
    });
    return (Map<String, Object>) evaluators;
  }

  private static void checkKey(String path, String key) {
    if (!JsonBody.KEY.matcher(key).matches()) {
      throw Failure.invalidField(
          path, "keys are 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }

  /** The document as flagd would read it, with the project's segments available to {@code $ref}. */
  private static void checkWhole(
      Map<String, Object> document, Map<String, Object> projectSegments) {
    Map<String, Object> merged = new LinkedHashMap<>(document);
    Map<String, Object> evaluators = new LinkedHashMap<>(projectSegments);
    if (document.get("$evaluators") instanceof Map<?, ?> own) {
      own.forEach((k, v) -> evaluators.put((String) k, v));
    }
    if (!evaluators.isEmpty()) {
      merged.put("$evaluators", evaluators);
    }
    try {
      FlagSnapshot.parse(Json.write(merged), ParseOptions.defaults().withEnvironment(Map.of()));
    } catch (InvalidFlagDocumentException e) {
      List<Map<String, Object>> details = new ArrayList<>();
      for (Problem p : e.problems()) {
        details.add(Map.of("path", p.path(), "message", p.message()));
      }
      throw new Failure(
          Failure.Kind.INVALID_INPUT, "invalid_flag_document", e.getMessage(), details);
    }
  }
}

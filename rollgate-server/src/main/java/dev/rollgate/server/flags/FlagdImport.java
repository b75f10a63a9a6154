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

  /**
   * The key under which a flagd export keeps a flag's prerequisites, as JSON text: flagd's metadata
   * holds only strings, numbers and booleans, and flagd ignores it; an import reads it back.
   */
  static final String PREREQUISITES_METADATA = "rollgate.prerequisites";

  /**
   * The environment as a flagd document: what the server serves, but with each flag's prerequisites
   * (which flagd does not know) moved into its metadata.
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> export(String project, String environment) {
    Map<String, Object> document =
        catalog.read(tx -> {
          Projects.requireEnvironment(tx, project, environment);
          return catalog.document(tx, project, environment);
        });
    for (Object flag : ((Map<String, Object>) document.get("flags")).values()) {
      Map<String, Object> json = (Map<String, Object>) flag;
      Object prerequisites = json.remove("prerequisites");
      if (prerequisites != null) {
        Map<String, Object> metadata = new LinkedHashMap<>();
        if (json.get("metadata") instanceof Map<?, ?> m) {
          m.forEach((k, v) -> metadata.put((String) k, v));
        }
        metadata.put(PREREQUISITES_METADATA, Json.write(prerequisites));
        json.put("metadata", metadata);
      }
    }
    return document;
  }

  /** What an import did, flag by flag, and which segments it created or changed. */
  public record Summary(
      String mode,
      List<String> created,
      List<String> updated,
      List<String> unchanged,
      List<String> removed,
      List<String> segmentsChanged,
      List<Warning> warnings) {}

  /** A flag stored as flagd loads it, and why it does not compile: at a path of the document. */
  public record Warning(String flag, String path, String message) {}

  /** Imports a flagd document strictly. */
  public Summary importDocument(
      Actor actor, String project, String environment, String text, Mode mode) {
    return importDocument(actor, project, environment, text, mode, true);
  }

  /**
   * Imports a flagd document (its text, as flagd reads it) into one environment, whole or not.
   * {@code strict} false takes what flagd takes: flags whose targeting cannot compile are stored as
   * written, serve as flagd would ({@code PARSE_ERROR}), and come back as warnings.
   */
  @SuppressWarnings("unchecked")
  public Summary importDocument(
      Actor actor, String project, String environment, String text, Mode mode, boolean strict) {
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
    Map<String, List<Flag.Prerequisite>> prerequisites = new LinkedHashMap<>();
    Map<String, Map<String, Object>> metadata = new LinkedHashMap<>();
    flags.forEach((key, json) -> {
      if (json instanceof Map<?, ?> flag) {
        String at = JsonPath.member("flags", key);
        Map<String, Object> own =
            flag.get("metadata") instanceof Map<?, ?> m
                ? new LinkedHashMap<>((Map<String, Object>) m)
                : new LinkedHashMap<>();
        Object kept = own.remove(PREREQUISITES_METADATA);
        prerequisites.put(key, prerequisites(flag.get("prerequisites"), kept, at));
        metadata.put(key, own);
      }
    });
    // Compiled here, before the write and outside its transaction: the catalog compiles the
    // result again, but this names problems by the imported document's own paths.
    List<Warning> warnings =
        checkWhole(
            (Map<String, Object>) document,
            catalog.read(tx -> {
              Projects.requireEnvironment(tx, project, environment);
              return SegmentService.rulesByKey(tx, project);
            }),
            strict);
    java.util.Set<String> lenient = new java.util.HashSet<>();
    warnings.forEach(w -> lenient.add(w.flag()));

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
          List<String> removed = new ArrayList<>();
          long now = clock.millis();
          List<ImportedFlags.Imported> imported = new ArrayList<>();
          for (Map.Entry<String, Object> e : flags.entrySet()) {
            Map<String, Object> json = (Map<String, Object>) e.getValue();
            String at = JsonPath.member("flags", e.getKey());
            imported.add(
                new ImportedFlags.Imported(
                    e.getKey(),
                    e.getKey(),
                    "",
                    (Map<String, Object>) json.get("variants"),
                    new Flag.EnvironmentConfig(
                        FlagState.parse((String) json.get("state"), JsonPath.member(at, "state")),
                        (String) json.get("defaultVariant"),
                        json.get("targeting"),
                        metadata.get(e.getKey()),
                        prerequisites.get(e.getKey()),
                        lenient.contains(e.getKey()),
                        null)));
          }
          ImportedFlags.Applied applied =
              ImportedFlags.apply(tx, audit, actor, project, environment, imported, now);
          List<String> created = applied.created();
          List<String> updated = applied.updated();
          List<String> unchanged = applied.unchanged();
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
              segmentsChanged,
              warnings);
        });
  }

  /**
   * A flag's prerequisites: its {@code prerequisites} member, or else what an export kept in its
   * metadata.
   */
  private static List<Flag.Prerequisite> prerequisites(Object member, Object kept, String at) {
    if (member != null || kept == null) {
      return FlagService.prerequisites(member, JsonPath.member(at, "prerequisites"));
    }
    String path = JsonPath.member(JsonPath.member(at, "metadata"), PREREQUISITES_METADATA);
    if (!(kept instanceof String text)) {
      throw Failure.invalidField(path, "must be the JSON text of the flag's prerequisites");
    }
    try {
      return FlagService.prerequisites(Json.parse(text), path);
    } catch (JsonSyntaxException e) {
      throw Failure.invalidField(path, "must be the JSON text of the flag's prerequisites");
    }
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

  /**
   * Checks the document as flagd would read it, with the project's segments available to {@code
   * $ref}; prerequisites, which may name flags of the environment that the document leaves out, are
   * checked when the catalog compiles the result. Strictly, any problem is a 400; otherwise only
   * those outside flags' targeting are (the document's structure, shared evaluators), and the flags
   * that do not compile are answered as warnings.
   */
  @SuppressWarnings("unchecked")
  private static List<Warning> checkWhole(
      Map<String, Object> document, Map<String, Object> projectSegments, boolean strict) {
    Map<String, Object> merged = new LinkedHashMap<>(document);
    if (document.get("flags") instanceof Map<?, ?> flags) {
      Map<String, Object> without = new LinkedHashMap<>();
      flags.forEach((k, v) -> {
        if (v instanceof Map<?, ?> flag && flag.containsKey("prerequisites")) {
          Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) flag);
          copy.remove("prerequisites");
          without.put((String) k, copy);
        } else {
          without.put((String) k, v);
        }
      });
      merged.put("flags", without);
    }
    Map<String, Object> evaluators = new LinkedHashMap<>(projectSegments);
    if (document.get("$evaluators") instanceof Map<?, ?> own) {
      own.forEach((k, v) -> evaluators.put((String) k, v));
    }
    if (!evaluators.isEmpty()) {
      merged.put("$evaluators", evaluators);
    }
    String text = Json.write(merged);
    ParseOptions options = ParseOptions.defaults().withEnvironment(Map.of());
    if (!strict) {
      parse(text, options.withStrictness(ParseOptions.Strictness.FLAGD)); // what flagd refuses
    }
    try {
      FlagSnapshot.parse(text, options);
      return List.of();
    } catch (InvalidFlagDocumentException e) {
      List<Warning> warnings = new ArrayList<>();
      for (Problem p : e.problems()) {
        String flag = JsonPath.flagOf(p.path());
        if (strict || flag == null) {
          throw invalid(e);
        }
        warnings.add(new Warning(flag, p.path(), p.message()));
      }
      return warnings;
    }
  }

  private static void parse(String text, ParseOptions options) {
    try {
      FlagSnapshot.parse(text, options);
    } catch (InvalidFlagDocumentException e) {
      throw invalid(e);
    }
  }

  private static Failure invalid(InvalidFlagDocumentException e) {
    List<Map<String, Object>> details = new ArrayList<>();
    for (Problem p : e.problems()) {
      details.add(Map.of("path", p.path(), "message", p.message()));
    }
    return new Failure(
        Failure.Kind.INVALID_INPUT, "invalid_flag_document", e.getMessage(), details);
  }
}

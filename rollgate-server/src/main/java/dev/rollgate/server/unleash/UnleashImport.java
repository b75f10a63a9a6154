package dev.rollgate.server.unleash;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonSyntaxException;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.flags.Flag;
import dev.rollgate.server.flags.FlagState;
import dev.rollgate.server.flags.ImportedFlags;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.store.Database;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An Unleash client-features payload into one environment, all or nothing: converted ({@link
 * UnleashConversion}) against the flags as stored, then written in one transaction that the catalog
 * compiles before commit. A payload with any feature that cannot be converted changes nothing and
 * is answered with every such feature and why.
 */
public final class UnleashImport {
  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public UnleashImport(Catalog catalog, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  /** A feature whose name is not a Rollgate key, and the key its flag has. */
  public record Renamed(String feature, String key) {}

  /** What an import did, flag by flag, and what it converted in ways worth knowing. */
  public record Summary(
      List<String> created,
      List<String> updated,
      List<String> unchanged,
      List<Renamed> renamed,
      List<UnleashConversion.Warning> warnings) {}

  public Summary importPayload(Actor actor, String project, String environment, String text) {
    return importPayload(actor, project, environment, text, false);
  }

  /**
   * Imports {@code text}; with {@code dryRun}, every check and the compile of the result run and
   * the answer is what the import would do, but nothing is written.
   */
  public Summary importPayload(
      Actor actor, String project, String environment, String text, boolean dryRun) {
    Object payload;
    try {
      payload = Json.parse(text);
    } catch (JsonSyntaxException e) {
      throw new Failure(Failure.Kind.INVALID_INPUT, "malformed_json", e.getMessage());
    }
    List<String> keys = new ArrayList<>();
    List<Renamed> renamed = new ArrayList<>();
    for (String name : UnleashConversion.featureNames(payload)) {
      String key = UnleashConversion.keyFor(name);
      keys.add(key);
      if (!key.equals(name)) {
        renamed.add(new Renamed(name, key));
      }
    }
    long now = clock.millis();
    Database.Work<Summary> work =
        tx -> {
          Projects.requireEnvironment(tx, project, environment);
          Map<String, UnleashConversion.Existing> existing = new LinkedHashMap<>();
          ImportedFlags.definitions(tx, project, keys)
              .forEach((k, d) ->
                  existing.put(k, new UnleashConversion.Existing(d.kind(), d.variants())));
          UnleashConversion.Result result = UnleashConversion.convert(payload, existing);
          if (!result.refused().isEmpty()) {
            throw refused(result.refused());
          }
          Map<String, Object> before = catalog.document(tx, project, environment);
          List<ImportedFlags.Imported> flags = new ArrayList<>();
          for (UnleashConversion.Converted c : result.flags()) {
            flags.add(imported(c));
          }
          ImportedFlags.Applied applied =
              ImportedFlags.apply(tx, audit, actor, project, environment, flags, now);
          if (!applied.created().isEmpty() || !applied.updated().isEmpty()) {
            audit.append(
                tx,
                actor,
                "unleash.import",
                "projects/" + project + "/environments/" + environment + "/unleash",
                before,
                catalog.document(tx, project, environment));
          }
          return new Summary(
              applied.created(),
              applied.updated(),
              applied.unchanged(),
              renamed,
              result.warnings());
        };
    return dryRun ? catalog.dryRun(project, null, work) : catalog.write(project, null, work);
  }

  @SuppressWarnings("unchecked")
  private static ImportedFlags.Imported imported(UnleashConversion.Converted c) {
    List<Flag.Prerequisite> prerequisites = new ArrayList<>();
    for (UnleashConversion.Prerequisite p : c.prerequisites()) {
      prerequisites.add(new Flag.Prerequisite(p.flag(), p.variants()));
    }
    // As stored and read back, so that importing the same payload again changes nothing.
    Object targeting = c.targeting() == null ? null : Json.parse(Json.write(c.targeting()));
    Map<String, Object> variants = (Map<String, Object>) Json.parse(Json.write(c.variants()));
    Flag.EnvironmentConfig config =
        new Flag.EnvironmentConfig(
            c.enabled() ? FlagState.ENABLED : FlagState.DISABLED,
            c.defaultVariant(),
            targeting,
            Map.of(),
            prerequisites,
            false,
            null);
    return new ImportedFlags.Imported(c.key(), c.feature(), c.description(), variants, config);
  }

  private static Failure refused(List<UnleashConversion.Refusal> refused) {
    List<Map<String, Object>> details = new ArrayList<>();
    StringBuilder message = new StringBuilder();
    for (UnleashConversion.Refusal r : refused) {
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("feature", r.feature());
      detail.put("reason", r.reason());
      details.add(detail);
      message.append(message.isEmpty() ? "" : "; ");
      message.append(r.feature() == null ? "payload" : "feature " + r.feature());
      message.append(": ").append(r.reason());
    }
    return new Failure(
        Failure.Kind.INVALID_INPUT,
        "unleash_not_convertible",
        "nothing imported: " + message,
        details);
  }
}

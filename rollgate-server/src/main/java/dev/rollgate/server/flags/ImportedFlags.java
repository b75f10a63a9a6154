package dev.rollgate.server.flags;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flags that an import from another system writes into one environment, inside the caller's
 * transaction: created (every other environment DISABLED), or updated in that environment alone,
 * each audited as an ordinary create or update. The caller's catalog write compiles the result
 * before commit, so an import that leaves the environment invalid stores nothing.
 */
public final class ImportedFlags {
  private ImportedFlags() {}

  /** A stored flag's kind and variants, which an import must keep. */
  public record Definition(String kind, Map<String, Object> variants) {}

  /**
   * One flag to write.
   *
   * @param name used when the flag is created; an existing flag keeps its own
   * @param description likewise
   * @param variants the flag's variants after the import (an import may add some); they give its
   *     kind, which an existing flag must keep
   */
  public record Imported(
      String key,
      String name,
      String description,
      Map<String, Object> variants,
      Flag.EnvironmentConfig config) {}

  /** What the write did, flag by flag. */
  public record Applied(List<String> created, List<String> updated, List<String> unchanged) {}

  /** The stored definitions of those of {@code keys} that exist. */
  public static Map<String, Definition> definitions(Tx tx, String project, Collection<String> keys)
      throws SQLException {
    Map<String, Definition> found = new LinkedHashMap<>();
    for (String key : keys) {
      FlagStore.find(tx, project, key)
          .ifPresent(f -> found.put(key, new Definition(f.kind(), f.variants())));
    }
    return found;
  }

  public static Applied apply(
      Tx tx,
      AuditLog audit,
      Actor actor,
      String project,
      String environment,
      List<Imported> flags,
      long now)
      throws SQLException {
    List<String> created = new ArrayList<>();
    List<String> updated = new ArrayList<>();
    List<String> unchanged = new ArrayList<>();
    List<String> envs = FlagStore.environments(tx, project);
    for (Imported imported : flags) {
      String at = JsonPath.member("flags", imported.key());
      String kind = FlagService.kind(imported.variants(), JsonPath.member(at, "variants"));
      var existing = FlagStore.find(tx, project, imported.key());
      if (existing.isEmpty()) {
        Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>();
        for (String env : envs) {
          configs.put(
              env,
              env.equals(environment)
                  ? imported.config()
                  : imported.config().withState(FlagState.DISABLED));
        }
        Flag flag =
            new Flag(
                project,
                imported.key(),
                imported.name(),
                imported.description(),
                kind,
                imported.variants(),
                List.of(),
                false,
                1,
                now,
                now,
                configs);
        FlagStore.insert(tx, flag);
        audit.append(
            tx, actor, "flag.create", FlagService.resource(project, imported.key()), null, flag);
        created.add(imported.key());
        continue;
      }
      Flag old = existing.get();
      if (!kind.equals(old.kind())) {
        throw Failure.invalidField(
            JsonPath.member(at, "variants"),
            "must stay " + old.kind() + " (the flag's kind cannot change)");
      }
      Map<String, Flag.EnvironmentConfig> configs = new LinkedHashMap<>(old.environments());
      configs.put(environment, imported.config());
      Flag flag =
          new Flag(
              project,
              old.key(),
              old.name(),
              old.description(),
              kind,
              imported.variants(),
              old.tags(),
              false,
              old.version() + 1,
              old.createdAt(),
              now,
              configs);
      if (old.variants().equals(flag.variants())
          && old.environments().equals(flag.environments())
          && !old.archived()) {
        unchanged.add(old.key());
        continue;
      }
      VersionConflict.unlessWritten(
          FlagStore.update(tx, flag, old.version(), now), "flag " + project + "/" + old.key());
      audit.append(tx, actor, "flag.update", FlagService.resource(project, old.key()), old, flag);
      updated.add(old.key());
    }
    return new Applied(created, updated, unchanged);
  }
}

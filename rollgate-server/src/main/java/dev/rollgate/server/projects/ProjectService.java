package dev.rollgate.server.projects;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/** Projects and their environments. */
public final class ProjectService {
  /** What a fresh server starts with. */
  public static final String DEFAULT_PROJECT = "default";

  static final List<String> DEFAULT_ENVIRONMENTS = List.of("development", "staging", "production");

  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public ProjectService(Catalog catalog, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * A new project or environment; {@code name} and {@code description} may be null (the key, and
   * empty). {@code environments} (projects only) null means development, staging and production.
   */
  public record Create(String key, String name, String description, List<String> environments) {}

  /** A new name or description for a project or an environment; null fields stay as they are. */
  public record Change(String name, String description) {}

  /** On first start: the project {@code default} with development, staging and production. */
  public void ensureDefaultProject() {
    if (!catalog.read(ProjectStore::any)) {
      create(Actor.SYSTEM, new Create(DEFAULT_PROJECT, "Default project", "", null));
    }
  }

  public List<Project> list() {
    return catalog.read(ProjectStore::list);
  }

  public Project get(String key) {
    return catalog.read(tx -> project(tx, key));
  }

  public Project create(Actor actor, Create command) {
    String key = command.key();
    List<String> environments =
        command.environments() == null ? DEFAULT_ENVIRONMENTS : command.environments();
    return catalog.write(
        key,
        null,
        tx -> {
          if (ProjectStore.exists(tx, key)) {
            throw Failure.conflict("project " + key + " already exists");
          }
          long now = clock.millis();
          ProjectStore.insert(
              tx, key, orDefault(command.name(), key), orDefault(command.description(), ""), now);
          for (String env : environments) {
            ProjectStore.insertEnvironment(tx, key, env, env, "", now);
          }
          Project after = project(tx, key);
          audit.append(tx, actor, "project.create", "projects/" + key, null, after);
          return after;
        });
  }

  /**
   * Changes a project's name or description. A change that leaves both as they are writes nothing:
   * the project comes back as it is, with its version, and no audit event.
   */
  public Project update(Actor actor, String key, Long ifMatch, Change change) {
    return catalog.writeIfChanged(
        key,
        ifMatch,
        tx -> {
          Project before = project(tx, key);
          VersionConflict.check("project " + key, ifMatch, before.version());
          String name = orDefault(change.name(), before.name());
          String description = orDefault(change.description(), before.description());
          if (Objects.equals(name, before.name())
              && Objects.equals(description, before.description())) {
            return new Catalog.Written<>(before, false);
          }
          VersionConflict.unlessWritten(
              ProjectStore.update(tx, key, name, description, clock.millis(), before.version()),
              "project " + key);
          Project after = project(tx, key);
          audit.append(tx, actor, "project.update", "projects/" + key, before, after);
          return new Catalog.Written<>(after, true);
        });
  }

  /** Deletes a project; one with flags or segments only with {@code force}. */
  public void delete(Actor actor, String key, Long ifMatch, boolean force) {
    catalog.write(
        null,
        ifMatch,
        tx -> {
          Project before = project(tx, key);
          VersionConflict.check("project " + key, ifMatch, before.version());
          long[] contents = ProjectStore.contents(tx, key);
          if ((contents[0] > 0 || contents[1] > 0) && !force) {
            throw new Failure(
                Failure.Kind.CONFLICT,
                "not_empty",
                "project "
                    + key
                    + " has "
                    + contents[0]
                    + " flag(s) and "
                    + contents[1]
                    + " segment(s); delete with ?force=true to remove them too");
          }
          ProjectStore.delete(tx, key);
          catalog.announce(tx, key);
          audit.append(tx, actor, "project.delete", "projects/" + key, before, null);
          return null;
        });
    catalog.forget(key);
  }

  // Environments

  public List<Environment> environments(String project) {
    return catalog.read(tx -> {
      project(tx, project);
      return ProjectStore.environments(tx, project);
    });
  }

  public Environment environment(String project, String key) {
    return catalog.read(tx -> environment(tx, project, key));
  }

  public Environment createEnvironment(Actor actor, String project, Create command) {
    String key = command.key();
    return catalog.write(
        project,
        null,
        tx -> {
          project(tx, project);
          if (ProjectStore.environment(tx, project, key).isPresent()) {
            throw Failure.conflict("environment " + project + "/" + key + " already exists");
          }
          ProjectStore.insertEnvironment(
              tx,
              project,
              key,
              orDefault(command.name(), key),
              orDefault(command.description(), ""),
              clock.millis());
          Environment after = environment(tx, project, key);
          audit.append(tx, actor, "environment.create", resource(project, key), null, after);
          return after;
        });
  }

  /**
   * Changes an environment's name or description; like {@link #update}, no change writes nothing.
   */
  public Environment updateEnvironment(
      Actor actor, String project, String key, Long ifMatch, Change change) {
    return catalog.writeIfChanged(
        project,
        ifMatch,
        tx -> {
          Environment before = environment(tx, project, key);
          VersionConflict.check("environment " + project + "/" + key, ifMatch, before.version());
          String name = orDefault(change.name(), before.name());
          String description = orDefault(change.description(), before.description());
          if (Objects.equals(name, before.name())
              && Objects.equals(description, before.description())) {
            return new Catalog.Written<>(before, false);
          }
          VersionConflict.unlessWritten(
              ProjectStore.updateEnvironment(
                  tx, project, key, name, description, clock.millis(), before.version()),
              "environment " + project + "/" + key);
          Environment after = environment(tx, project, key);
          audit.append(tx, actor, "environment.update", resource(project, key), before, after);
          return new Catalog.Written<>(after, true);
        });
  }

  public void deleteEnvironment(Actor actor, String project, String key, Long ifMatch) {
    catalog.write(
        project,
        ifMatch,
        tx -> {
          Environment before = environment(tx, project, key);
          VersionConflict.check("environment " + project + "/" + key, ifMatch, before.version());
          VersionConflict.unlessWritten(
              ProjectStore.deleteEnvironment(tx, project, key, before.version()),
              "environment " + project + "/" + key);
          audit.append(tx, actor, "environment.delete", resource(project, key), before, null);
          return null;
        });
  }

  private static Project project(Tx tx, String key) throws SQLException {
    return ProjectStore.find(tx, key).orElseThrow(() -> Projects.projectNotFound(key));
  }

  private static Environment environment(Tx tx, String project, String key) throws SQLException {
    project(tx, project);
    return ProjectStore.environment(tx, project, key)
        .orElseThrow(() -> Projects.environmentNotFound(project, key));
  }

  private static String resource(String project, String environment) {
    return "projects/" + project + "/environments/" + environment;
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }
}

package dev.rollgate.server.segments;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Segments: named, reusable targeting, served to flagd as shared evaluators and referred to from
 * targeting with {@code {"$ref": key}}. Every change goes through the catalog, so a change that
 * would break a flag that refers to the segment is refused whole.
 */
public final class SegmentService {
  private final Catalog catalog;
  private final AuditLog audit;
  private final Clock clock;

  public SegmentService(Catalog catalog, AuditLog audit, Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.clock = clock;
  }

  /** A new segment; {@code name} and {@code description} may be null (the key, and empty). */
  public record Create(String key, String name, String description, Object rules) {}

  /** Changes to a segment; null fields stay as they are. */
  public record Change(String name, String description, Object rules) {}

  public List<Segment> list(String project) {
    return catalog.read(tx -> {
      Projects.require(tx, project);
      return SegmentStore.list(tx, project);
    });
  }

  public Segment get(String project, String key) {
    return catalog.read(tx -> require(tx, project, key));
  }

  public Segment create(Actor actor, String project, Create command) {
    checkRules(command.rules(), true);
    return catalog.write(
        project,
        null,
        tx -> {
          Projects.require(tx, project);
          if (SegmentStore.find(tx, project, command.key()).isPresent()) {
            throw Failure.conflict("segment " + project + "/" + command.key() + " already exists");
          }
          Instant now = Instant.ofEpochMilli(clock.millis()); // stored in milliseconds
          Segment segment =
              new Segment(
                  command.key(),
                  orDefault(command.name(), command.key()),
                  orDefault(command.description(), ""),
                  command.rules(),
                  1,
                  now,
                  now);
          SegmentStore.insert(tx, project, segment);
          audit.append(
              tx, actor, "segment.create", resource(project, segment.key()), null, segment);
          return segment;
        });
  }

  public Segment update(Actor actor, String project, String key, Long ifMatch, Change change) {
    return catalog.write(
        project,
        ifMatch,
        tx -> {
          Segment before = require(tx, project, key);
          VersionConflict.check(name(project, key), ifMatch, before.version());
          checkRules(change.rules(), false);
          Segment after =
              write(
                  tx,
                  project,
                  before,
                  orDefault(change.name(), before.name()),
                  orDefault(change.description(), before.description()),
                  change.rules() == null ? before.rules() : change.rules());
          audit.append(tx, actor, "segment.update", resource(project, key), before, after);
          return after;
        });
  }

  /** Deletes a segment; refused as a conflict while flags or other segments still refer to it. */
  public void delete(Actor actor, String project, String key, Long ifMatch) {
    catalog.write(
        project,
        ifMatch,
        tx -> {
          Segment before = require(tx, project, key);
          VersionConflict.check(name(project, key), ifMatch, before.version());
          List<Map<String, Object>> users = SegmentStore.referrers(tx, project, key);
          if (!users.isEmpty()) {
            throw new Failure(
                Failure.Kind.CONFLICT,
                "segment_in_use",
                "segment " + key + " is still used by " + describe(users),
                users);
          }
          VersionConflict.unlessWritten(
              SegmentStore.delete(tx, project, key, before.version()), name(project, key));
          audit.append(tx, actor, "segment.delete", resource(project, key), before, null);
          return null;
        });
  }

  /**
   * Creates or replaces a segment's rules inside another change (flagd import); returns whether
   * anything changed.
   */
  public boolean upsert(Tx tx, Actor actor, String project, String key, Object rules)
      throws SQLException {
    Optional<Segment> existing = SegmentStore.find(tx, project, key);
    if (existing.isEmpty()) {
      Instant now = Instant.ofEpochMilli(clock.millis()); // stored in milliseconds
      Segment created = new Segment(key, key, "", rules, 1, now, now);
      SegmentStore.insert(tx, project, created);
      audit.append(tx, actor, "segment.create", resource(project, key), null, created);
      return true;
    }
    Segment before = existing.get();
    if (before.rules().equals(rules)) {
      return false;
    }
    Segment after = write(tx, project, before, before.name(), before.description(), rules);
    audit.append(tx, actor, "segment.update", resource(project, key), before, after);
    return true;
  }

  /** Every segment of a project: key to rules. */
  public static Map<String, Object> rulesByKey(Tx tx, String project) throws SQLException {
    return SegmentStore.rulesByKey(tx, project);
  }

  private Segment write(
      Tx tx, String project, Segment before, String name, String description, Object rules)
      throws SQLException {
    Segment after =
        new Segment(
            before.key(),
            name,
            description,
            rules,
            before.version() + 1,
            before.createdAt(),
            Instant.ofEpochMilli(clock.millis()));
    VersionConflict.unlessWritten(
        SegmentStore.update(tx, project, after, before.version()), name(project, before.key()));
    return after;
  }

  private static void checkRules(Object rules, boolean required) {
    if (rules != null || required) {
      checkRules("rules", rules);
    }
  }

  /** A 400 unless {@code rules}, found at {@code path}, can be a segment's rules. */
  public static void checkRules(String path, Object rules) {
    if (rules == null) {
      throw Failure.invalidField(path, "is required: a JsonLogic expression");
    }
    if (!(rules instanceof Map<?, ?>)) {
      throw Failure.invalidField(path, "must be a JsonLogic object");
    }
  }

  private static String describe(List<Map<String, Object>> users) {
    List<String> names = new ArrayList<>();
    for (Map<String, Object> u : users) {
      names.add(
          u.containsKey("flag")
              ? "flag " + u.get("flag") + " (" + u.get("environment") + ")"
              : "segment " + u.get("segment"));
    }
    return String.join(", ", names);
  }

  private static Segment require(Tx tx, String project, String key) throws SQLException {
    Projects.require(tx, project);
    return SegmentStore.find(tx, project, key)
        .orElseThrow(() -> Failure.notFound(name(project, key)));
  }

  private static String name(String project, String key) {
    return "segment " + project + "/" + key;
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }

  static String resource(String project, String key) {
    return "projects/" + project + "/segments/" + key;
  }
}

package dev.rollgate.server.schedules;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.IdSource;
import dev.rollgate.server.flags.FlagAttachments;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.replicas.Leadership;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled changes to flags: made, listed and cancelled by people; applied by the leading replica
 * ({@link #runDue}, every quarter second), once each, as the actor {@code scheduler} on behalf of
 * whoever scheduled it. A change is checked when it is scheduled and again when it applies; one
 * that no longer applies (its variant was removed, its split is gone) ends FAILED with the reason,
 * which is audited and sent to webhooks like an application.
 */
public final class ScheduleService implements FlagAttachments {
  private static final Logger log = LoggerFactory.getLogger(ScheduleService.class);

  /** How far ahead a change may be scheduled. */
  static final Duration HORIZON = Duration.ofDays(366);

  /** A schedule applied this long after its time was missed (no replica ran): it says so. */
  static final Duration LATE = Duration.ofSeconds(60);

  /** Pending schedules one flag may have in one environment. */
  static final int MAX_PENDING = 100;

  private static final int COMMENT_LIMIT = 1000;
  private static final int BATCH = 50;

  private final Catalog catalog;
  private final FlagService flags;
  private final AuditLog audit;
  private final Leadership leadership;
  private final Clock clock;
  private final IdSource ids;

  public ScheduleService(
      Catalog catalog,
      FlagService flags,
      AuditLog audit,
      Leadership leadership,
      Clock clock,
      IdSource ids) {
    this.catalog = catalog;
    this.flags = flags;
    this.audit = audit;
    this.leadership = leadership;
    this.clock = clock;
    this.ids = ids;
  }

  /** A change to schedule: {@code change} as the request gave it. */
  public record Create(Instant at, Object change, String comment) {}

  /**
   * Schedules a change; a 400 when it is not in the future (within a year), or would not apply to
   * the flag as it is now.
   */
  public Schedule create(
      Actor actor, String project, String flag, String environment, Create command) {
    long now = clock.millis();
    Instant at = command.at();
    if (at == null || at.toEpochMilli() <= now) {
      throw Failure.invalidField(
          "at", "must be in the future (it is " + Instant.ofEpochMilli(now) + ")");
    }
    if (at.toEpochMilli() - now > HORIZON.toMillis()) {
      throw Failure.invalidField("at", "must be within " + HORIZON.toDays() + " days");
    }
    String comment = command.comment() != null ? command.comment() : actor.comment();
    if (comment != null && comment.length() > COMMENT_LIMIT) {
      throw Failure.invalidField("comment", "at most " + COMMENT_LIMIT + " characters");
    }
    ScheduleChange change = ScheduleChange.read(command.change(), "change");
    // Would it apply now? The same checks and compile as the change itself, writing nothing.
    FlagService.EnvironmentView view =
        catalog.read(tx -> FlagService.view(tx, project, flag, environment));
    flags.patchEnvironment(
        actor, project, flag, environment, null, change.patchFor(flag, environment, view), true);
    Supplier<String> id = ids.once();
    return catalog.writeIfChanged(
        project,
        null,
        tx -> {
          FlagService.view(tx, project, flag, environment); // 404s
          if (ScheduleStore.pending(tx, project, flag, environment) >= MAX_PENDING) {
            throw Failure.conflict(
                "flag "
                    + flag
                    + " has "
                    + MAX_PENDING
                    + " pending schedules in "
                    + environment
                    + "; cancel some first");
          }
          Schedule schedule =
              new Schedule(
                  id.get(),
                  project,
                  flag,
                  environment,
                  at,
                  change.json(),
                  comment,
                  Schedule.State.PENDING,
                  new Schedule.Author(actor.id(), actor.name()),
                  Instant.ofEpochMilli(now),
                  null,
                  false,
                  null,
                  1);
          ScheduleStore.insert(tx, schedule);
          audit.append(
              tx,
              actor.withComment(comment),
              "flag.schedule.create",
              schedule.resource(),
              null,
              schedule);
          return new Catalog.Written<>(schedule, false);
        });
  }

  public List<Schedule> list(
      String project, String flag, String environment, Schedule.State state) {
    return catalog.read(tx -> {
      FlagService.view(tx, project, flag, environment); // 404s
      return ScheduleStore.of(tx, project, flag, environment, state);
    });
  }

  public Schedule get(String project, String flag, String environment, String id) {
    return catalog.read(tx -> ScheduleStore.get(tx, project, flag, environment, id));
  }

  /** Cancels a pending schedule; a 409 once it has been applied, failed or been cancelled. */
  public Schedule cancel(
      Actor actor, String project, String flag, String environment, String id, Long ifMatch) {
    return catalog.writeIfChanged(
        project,
        ifMatch,
        tx -> {
          Schedule before = ScheduleStore.get(tx, project, flag, environment, id);
          VersionConflict.check("schedule " + id, ifMatch, before.version());
          if (before.state() != Schedule.State.PENDING) {
            throw Failure.conflict(
                "schedule "
                    + id
                    + " is "
                    + before.state()
                    + "; only a PENDING one can be cancelled");
          }
          Schedule after = before.finished(Schedule.State.CANCELLED, clock.millis(), false, null);
          VersionConflict.unlessWritten(
              ScheduleStore.finish(tx, after, before.version()), "schedule " + id);
          audit.append(tx, actor, "flag.schedule.cancel", before.resource(), before, after);
          return new Catalog.Written<>(after, false);
        });
  }

  /** The flag's pending schedules in every environment, for its GET. */
  @Override
  public Map<String, Object> of(String project, String flag) {
    return Map.of(
        "schedules",
        catalog.read(tx -> ScheduleStore.of(tx, project, flag, null, Schedule.State.PENDING)));
  }

  /**
   * Applies every schedule that is due, on the leading replica only; returns how many it looked at.
   * Each is applied in a write of its own that ends it, so none is applied twice, even by two
   * replicas that both believed they led.
   */
  public int runDue() {
    if (!leadership.isLeader()) {
      return 0;
    }
    long now = clock.millis();
    List<Schedule> due = catalog.read(tx -> ScheduleStore.due(tx, now, BATCH));
    for (Schedule schedule : due) {
      apply(schedule, now);
    }
    return due.size();
  }

  private void apply(Schedule schedule, long now) {
    boolean late = now - schedule.at().toEpochMilli() > LATE.toMillis();
    String note =
        late
            ? "applied late: due at "
                + schedule.at()
                + ", applied at "
                + Instant.ofEpochMilli(now)
                + " when a replica ran again"
            : null;
    Actor actor =
        new Actor(
            "scheduler",
            "scheduler for " + schedule.createdBy().name(),
            note == null
                ? schedule.comment()
                : (schedule.comment() == null ? "" : schedule.comment() + " ") + "(" + note + ")");
    try {
      catalog.writeIfChanged(
          schedule.project(),
          null,
          tx -> {
            Schedule current = ScheduleStore.find(tx, schedule.id()).orElse(null);
            if (current == null || current.state() != Schedule.State.PENDING) {
              return new Catalog.Written<>(null, false); // cancelled or applied meanwhile
            }
            FlagService.EnvironmentView view =
                FlagService.view(tx, current.project(), current.flag(), current.environment());
            ScheduleChange change = ScheduleChange.read(current.change(), "change");
            flags.patchInside(
                tx,
                actor,
                current.project(),
                current.flag(),
                current.environment(),
                change.patchFor(current.flag(), current.environment(), view));
            Schedule done = current.finished(Schedule.State.APPLIED, now, late, note);
            VersionConflict.unlessWritten(
                ScheduleStore.finish(tx, done, current.version()), "schedule " + current.id());
            audit.append(tx, actor, "flag.schedule.applied", done.resource(), current, done);
            return new Catalog.Written<>(null, true);
          });
    } catch (Failure f) {
      if (f.kind() == Failure.Kind.INVALID_INPUT || f.kind() == Failure.Kind.NOT_FOUND) {
        fail(schedule, actor, now, late, f.getMessage());
      } else {
        log.warn("schedule {}: not applied yet, retrying: {}", schedule.id(), f.getMessage());
      }
    }
  }

  /** Ends a schedule whose change no longer applies, visibly: audited, and sent to webhooks. */
  private void fail(Schedule schedule, Actor actor, long now, boolean late, String reason) {
    catalog.writeIfChanged(
        schedule.project(),
        null,
        tx -> {
          Schedule current = ScheduleStore.find(tx, schedule.id()).orElse(null);
          if (current == null || current.state() != Schedule.State.PENDING) {
            return new Catalog.Written<>(null, false);
          }
          Schedule done = current.finished(Schedule.State.FAILED, now, late, reason);
          VersionConflict.unlessWritten(
              ScheduleStore.finish(tx, done, current.version()), "schedule " + current.id());
          audit.append(tx, actor, "flag.schedule.failed", done.resource(), current, done);
          return new Catalog.Written<>(null, false);
        });
    log.warn("schedule {} of flag {} failed: {}", schedule.id(), schedule.flag(), reason);
  }
}

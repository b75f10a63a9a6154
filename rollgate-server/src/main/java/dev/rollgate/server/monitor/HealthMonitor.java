package dev.rollgate.server.monitor;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.IdSource;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.flags.FlagState;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.replicas.Leadership;
import dev.rollgate.server.store.Tx;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The health monitor: checks defined per project, run on their intervals by the leading replica,
 * their results, and the violations they open and resolve.
 *
 * <p>A check that fails {@code failuresToOpen} times in a row opens a violation: audited as {@code
 * health.violation_opened} (and so sent to webhooks), its action taken in the same write (a flag
 * switched off, or the releases and rollouts that list the check paused). The next run that passes
 * resolves it ({@code health.violation_resolved}). Runs happen on their own threads, at most
 * {@value #MAX_RUNNING} at a time, each bounded by its timeout: a target that hangs delays no other
 * check.
 */
public final class HealthMonitor implements AutoCloseable, dev.rollgate.server.rollouts.HealthGate {
  private static final Logger log = LoggerFactory.getLogger(HealthMonitor.class);

  /** Checks running at once on the leading replica. */
  static final int MAX_RUNNING = 16;

  /** Results a history answer holds at most. */
  static final int MAX_RESULTS = 500;

  private static final long GAUGE_REFRESH_MS = 15_000;

  /** The actor of what the monitor does by itself. */
  public static final Actor MONITOR = Actor.HEALTH_MONITOR;

  /**
   * What pauses when a check with a {@code pause} action opens a violation: the releases and
   * rollouts whose plans list it. Called inside the violation's write; answers what it paused, in
   * words.
   */
  @FunctionalInterface
  public interface Pauser {
    List<String> pauseListing(Tx tx, String project, String checkId, String reason)
        throws SQLException;
  }

  private final Catalog catalog;
  private final AuditLog audit;
  private final FlagService flags;
  private final Probe probe;
  private final Leadership leadership;
  private final Clock clock;
  private final IdSource ids;
  private final List<Pauser> pausers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ExecutorService runs = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore slots = new Semaphore(MAX_RUNNING);
  private final Set<String> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final MultiGauge passing;
  private final AtomicLong openViolations = new AtomicLong();
  private volatile long gaugesAt = Long.MIN_VALUE;

  public HealthMonitor(
      Catalog catalog,
      AuditLog audit,
      FlagService flags,
      Probe probe,
      Leadership leadership,
      Clock clock,
      IdSource ids,
      MeterRegistry meters) {
    this.catalog = catalog;
    this.audit = audit;
    this.flags = flags;
    this.probe = probe;
    this.leadership = leadership;
    this.clock = clock;
    this.ids = ids;
    this.passing =
        MultiGauge.builder("rollgate.health.check.passing")
            .description("Whether each health check's last run passed (1) or failed (0)")
            .register(meters);
    Gauge.builder("rollgate.health.violations.open", openViolations, AtomicLong::get)
        .description("Health check violations open, all projects together")
        .register(meters);
  }

  /** Adds what pauses when a check whose action pauses opens a violation (releases, rollouts). */
  public void addPauser(Pauser pauser) {
    pausers.add(pauser);
  }

  /** A check's definition, as a request gives it. */
  public record Definition(
      String name,
      String description,
      CheckSpec spec,
      long intervalMs,
      int failuresToOpen,
      CheckAction action) {

    public static final Set<String> FIELDS;

    static {
      Set<String> fields =
          new java.util.HashSet<>(
              Set.of(
                  "name", "description", "intervalSeconds", "failuresToOpen", "action", "comment"));
      fields.addAll(CheckSpec.ALL_FIELDS);
      FIELDS = Set.copyOf(fields);
    }

    /** Reads a definition from a request body. */
    public static Definition parse(JsonBody body) {
      String name = body.key("name");
      String description = body.string("description", false);
      if (description != null && description.length() > 2000) {
        throw Failure.invalidField(body.path("description"), "must be at most 2000 characters");
      }
      Long interval = body.whole("intervalSeconds", 10, 7L * 86400);
      Long failures = body.whole("failuresToOpen", 1, 100);
      return new Definition(
          name,
          description == null ? "" : description,
          CheckSpec.parse(body),
          interval == null ? HealthCheck.DEFAULT_INTERVAL_MS : interval * 1000,
          failures == null ? 1 : failures.intValue(),
          CheckAction.parse(body.raw("action"), body.path("action")));
    }
  }

  public Map<String, Object> create(Actor actor, String project, Definition d) {
    Supplier<String> id = ids.once();
    Map<String, Object> view =
        catalog.writeIfChanged(
            project,
            null,
            tx -> {
              validate(tx, project, d, null);
              long now = clock.millis();
              HealthCheck c =
                  new HealthCheck(
                      id.get(),
                      project,
                      d.name(),
                      d.description(),
                      d.spec(),
                      d.intervalMs(),
                      d.failuresToOpen(),
                      d.action(),
                      now, // the first run is due at once
                      0,
                      null,
                      null,
                      null,
                      1,
                      now,
                      now);
              HealthCheckStore.insert(tx, c);
              Map<String, Object> json = c.toJson(null);
              audit.append(tx, actor, "health.check.create", c.resource(), null, json);
              return new Catalog.Written<>(json, false);
            });
    refreshGauges();
    return view;
  }

  public Map<String, Object> update(
      Actor actor, String project, String id, Long ifMatch, Definition d) {
    requireVersion(ifMatch);
    return catalog.writeIfChanged(
        project,
        ifMatch,
        tx -> {
          HealthCheck before = find(tx, project, id);
          VersionConflict.check("health check " + before.name(), ifMatch, before.version());
          validate(tx, project, d, id);
          long now = clock.millis();
          HealthCheck after =
              new HealthCheck(
                  id,
                  project,
                  d.name(),
                  d.description(),
                  d.spec(),
                  d.intervalMs(),
                  d.failuresToOpen(),
                  d.action(),
                  Math.min(before.nextRunAt(), now + d.intervalMs()),
                  before.consecutiveFailures(),
                  before.firstFailureAt(),
                  before.lastRunAt(),
                  before.lastOk(),
                  before.version() + 1,
                  before.createdAt(),
                  now);
          VersionConflict.unlessWritten(
              HealthCheckStore.update(tx, after, before.version()),
              "health check " + before.name());
          String open = HealthCheckStore.openViolation(tx, id).map(Violation::id).orElse(null);
          Map<String, Object> json = after.toJson(open);
          audit.append(
              tx, actor, "health.check.update", after.resource(), before.toJson(open), json);
          return new Catalog.Written<>(json, false);
        });
  }

  public void delete(Actor actor, String project, String id, Long ifMatch) {
    requireVersion(ifMatch);
    catalog.writeIfChanged(
        project,
        ifMatch,
        tx -> {
          HealthCheck before = find(tx, project, id);
          VersionConflict.check("health check " + before.name(), ifMatch, before.version());
          VersionConflict.unlessWritten(
              HealthCheckStore.delete(tx, id, before.version()), "health check " + before.name());
          audit.append(
              tx, actor, "health.check.delete", before.resource(), before.toJson(null), null);
          return new Catalog.Written<>(null, false);
        });
    refreshGauges();
  }

  public List<Map<String, Object>> list(String project) {
    return catalog.read(tx -> {
      Projects.require(tx, project);
      List<Map<String, Object>> out = new ArrayList<>();
      for (HealthCheck c : HealthCheckStore.list(tx, project)) {
        out.add(
            c.toJson(HealthCheckStore.openViolation(tx, c.id()).map(Violation::id).orElse(null)));
      }
      return out;
    });
  }

  public Map<String, Object> get(String project, String id) {
    return catalog.read(tx -> {
      HealthCheck c = find(tx, project, id);
      return c.toJson(HealthCheckStore.openViolation(tx, id).map(Violation::id).orElse(null));
    });
  }

  /** The check's latest results, newest first. */
  public List<ProbeResult> results(String project, String id, int limit) {
    return catalog.read(tx -> {
      find(tx, project, id);
      return HealthCheckStore.results(tx, id, Math.min(limit, MAX_RESULTS));
    });
  }

  /** The project's violations, newest first: {@code state} open, resolved, or null for both. */
  public List<Violation> violations(String project, String state, String checkId, int limit) {
    if (state != null && !state.equals("open") && !state.equals("resolved")) {
      throw Failure.invalidField("state", "must be open or resolved");
    }
    return catalog.read(tx -> {
      Projects.require(tx, project);
      return HealthCheckStore.violations(tx, project, state, checkId, limit);
    });
  }

  /** Which of {@code checkIds} have an open violation now, with its evidence; for releases. */
  public Map<String, Violation> openViolations(Tx tx, List<String> checkIds) throws SQLException {
    Map<String, Violation> open = new LinkedHashMap<>();
    for (String id : checkIds) {
      HealthCheckStore.openViolation(tx, id).ifPresent(v -> open.put(id, v));
    }
    return open;
  }

  @Override
  public List<String> failing(Tx tx, List<String> checkIds) throws SQLException {
    return openViolations(tx, checkIds).values().stream().map(Violation::checkName).toList();
  }

  /** Not found unless each of {@code checkIds} is a check of {@code project}; for plans. */
  @Override
  public void requireChecks(Tx tx, String project, List<String> checkIds, String path)
      throws SQLException {
    for (String id : checkIds) {
      if (HealthCheckStore.get(tx, project, id).isEmpty()) {
        throw Failure.invalidField(path, "no health check " + id + " in project " + project);
      }
    }
  }

  /** Runs an inline check (a release's pre- or post-check) once, now, recording nothing. */
  public ProbeResult probe(String project, CheckSpec spec) {
    return probe.run(project, spec);
  }

  /** Refuses a spec the monitor could never run (a refused URL). */
  public void validateSpec(CheckSpec spec, String path) {
    String refusal = probe.refusal(spec);
    if (refusal != null) {
      throw Failure.invalidField(path, refusal);
    }
  }

  /** Runs the check now, whatever its schedule, and records the result as a scheduled run's. */
  public Map<String, Object> runNow(String project, String id) {
    HealthCheck c = catalog.read(tx -> find(tx, project, id));
    ProbeResult result = probe.run(project, c.spec());
    record(c.id(), result);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("result", result.toJson());
    json.put("check", get(project, id));
    return json;
  }

  /**
   * Starts every check whose run is due, on the leading replica only, as far as free slots allow;
   * what does not fit waits for the next call. Returns how many it started.
   */
  public int runDue() {
    long now = clock.millis();
    if (now - gaugesAt >= GAUGE_REFRESH_MS) {
      refreshGauges();
    }
    if (!leadership.isLeader()) {
      return 0;
    }
    int free = slots.availablePermits();
    if (free == 0) {
      return 0;
    }
    List<HealthCheck> due = catalog.read(tx -> HealthCheckStore.due(tx, now, free));
    int started = 0;
    for (HealthCheck c : due) {
      if (running.contains(c.id()) || !slots.tryAcquire()) {
        continue;
      }
      boolean claimed =
          catalog.read(tx -> HealthCheckStore.claim(tx, c.id(), c.nextRunAt(), nextRun(c, now)));
      if (!claimed) {
        slots.release();
        continue;
      }
      running.add(c.id());
      started++;
      runs.execute(() -> {
        try {
          record(c.id(), probe.run(c.project(), c.spec()));
        } catch (RuntimeException e) {
          log.warn("health check {}: cannot record its run: {}", c.id(), e.getMessage());
        } finally {
          running.remove(c.id());
          slots.release();
        }
      });
    }
    return started;
  }

  /** The next run after one due at {@code c.nextRunAt()}: on the interval, never in the past. */
  private static long nextRun(HealthCheck c, long now) {
    long next = c.nextRunAt() + c.intervalMs();
    return next <= now ? now + c.intervalMs() : next;
  }

  /**
   * Records a run: the result, where the check stands, and a violation opened (with its action) or
   * resolved, in one write. A check deleted meanwhile records nothing.
   */
  private void record(String id, ProbeResult result) {
    HealthCheck seen = catalog.read(tx -> HealthCheckStore.byId(tx, id)).orElse(null);
    if (seen == null) {
      return;
    }
    Supplier<String> violationId = ids.once();
    catalog.writeIfChanged(
        seen.project(),
        null,
        tx -> {
          HealthCheck before = HealthCheckStore.byId(tx, id).orElse(null);
          if (before == null) {
            return new Catalog.Written<>(null, false);
          }
          long at = result.at().toEpochMilli();
          HealthCheck after = before.ran(result.ok(), at, before.nextRunAt());
          HealthCheckStore.ran(tx, after);
          HealthCheckStore.result(tx, id, result);
          Violation open = HealthCheckStore.openViolation(tx, id).orElse(null);
          boolean servedChanged = false;
          if (!result.ok() && open != null) {
            HealthCheckStore.failedAgain(tx, open.id(), at);
          } else if (!result.ok() && after.consecutiveFailures() >= after.failuresToOpen()) {
            String reason =
                "health check "
                    + after.name()
                    + " failed "
                    + after.consecutiveFailures()
                    + " time(s) in a row: "
                    + result.message();
            Acted acted = act(tx, after, reason);
            servedChanged = acted.servedChanged();
            Violation v =
                new Violation(
                    violationId.get(),
                    id,
                    after.name(),
                    after.project(),
                    "open",
                    Instant.ofEpochMilli(clock.millis()),
                    Instant.ofEpochMilli(after.firstFailureAt()),
                    Instant.ofEpochMilli(at),
                    after.consecutiveFailures(),
                    null,
                    result.toJson(),
                    acted.description());
            HealthCheckStore.openViolation(tx, v);
            audit.append(
                tx,
                MONITOR.withComment(reason),
                "health.violation_opened",
                after.resource() + "/violations/" + v.id(),
                null,
                dev.rollgate.server.domain.Plain.record(v));
          } else if (result.ok() && open != null) {
            HealthCheckStore.resolve(tx, open.id(), at);
            Violation resolved =
                HealthCheckStore.violations(tx, after.project(), null, id, 1).getFirst();
            audit.append(
                tx,
                MONITOR.withComment("health check " + after.name() + " passes again"),
                "health.violation_resolved",
                after.resource() + "/violations/" + open.id(),
                dev.rollgate.server.domain.Plain.record(open),
                dev.rollgate.server.domain.Plain.record(resolved));
          }
          return new Catalog.Written<>(null, servedChanged);
        });
    refreshGauges();
  }

  private record Acted(String description, boolean servedChanged) {}

  /** Takes the check's action, inside the violation's write. */
  private Acted act(Tx tx, HealthCheck c, String reason) throws SQLException {
    return switch (c.action()) {
      case null -> new Acted(null, false);
      case CheckAction.SwitchOff off -> {
        FlagService.EnvironmentView flag;
        try {
          flag = FlagService.view(tx, c.project(), off.flag(), off.environment());
        } catch (Failure e) {
          yield new Acted(
              "flag " + off.flag() + " is not in " + off.environment() + ": nothing switched off",
              false);
        }
        if (flag.state() == FlagState.DISABLED) {
          yield new Acted("flag " + off.flag() + " was already off in " + off.environment(), false);
        }
        flags.patchInside(
            tx,
            MONITOR.withComment(reason),
            c.project(),
            off.flag(),
            off.environment(),
            new FlagService.ConfigPatch(FlagState.DISABLED, false, null, false, null, null));
        yield new Acted("switched flag " + off.flag() + " off in " + off.environment(), true);
      }
      case CheckAction.PauseListed pause -> {
        List<String> paused = new ArrayList<>();
        for (Pauser p : pausers) {
          paused.addAll(p.pauseListing(tx, c.project(), c.id(), reason));
        }
        yield new Acted(
            paused.isEmpty()
                ? "nothing running lists the check: nothing paused"
                : "paused " + String.join(", ", paused),
            !paused.isEmpty());
      }
    };
  }

  private void validate(Tx tx, String project, Definition d, String exceptId) throws SQLException {
    Projects.require(tx, project);
    if (HealthCheckStore.nameTaken(tx, project, d.name(), exceptId)) {
      throw Failure.conflict("a health check named " + d.name() + " exists in " + project);
    }
    validateSpec(d.spec(), d.spec() instanceof CheckSpec.Http ? "url" : "type");
    if (d.spec() instanceof CheckSpec.Metric m) {
      try {
        Projects.requireEnvironment(tx, project, m.environment());
      } catch (Failure e) {
        throw Failure.invalidField("environment", "no environment " + m.environment());
      }
    }
    if (d.action() instanceof CheckAction.SwitchOff off) {
      try {
        FlagService.view(tx, project, off.flag(), off.environment());
      } catch (Failure e) {
        throw Failure.invalidField(
            "action.flag", "no flag " + off.flag() + " in environment " + off.environment());
      }
    }
  }

  private static HealthCheck find(Tx tx, String project, String id) throws SQLException {
    Projects.require(tx, project);
    return HealthCheckStore.get(tx, project, id)
        .orElseThrow(() -> Failure.notFound("health check " + id));
  }

  private static void requireVersion(Long ifMatch) {
    if (ifMatch == null) {
      throw new Failure(
          Failure.Kind.VERSION_REQUIRED,
          "precondition_required",
          "send If-Match with the health check's version (its ETag)");
    }
  }

  private void refreshGauges() {
    try {
      List<Object[]> rows = catalog.read(HealthCheckStore::statuses);
      List<MultiGauge.Row<?>> gauges = new ArrayList<>();
      for (Object[] row : rows) {
        Long ok = (Long) row[2];
        gauges.add(
            MultiGauge.Row.of(
                Tags.of("project", (String) row[0], "check", (String) row[1]),
                ok == null ? Double.NaN : ok));
      }
      passing.register(gauges, true);
      openViolations.set(catalog.read(HealthCheckStore::openCount));
      gaugesAt = clock.millis();
    } catch (RuntimeException e) {
      log.debug("health gauges: cannot read the checks now: {}", e.toString());
    }
  }

  @Override
  public void close() {
    runs.shutdownNow();
  }
}

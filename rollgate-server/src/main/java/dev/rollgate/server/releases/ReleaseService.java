package dev.rollgate.server.releases;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.SplitSource;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.IdSource;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.flags.FlagState;
import dev.rollgate.server.health.CohortStats;
import dev.rollgate.server.health.Outcomes;
import dev.rollgate.server.monitor.HealthMonitor;
import dev.rollgate.server.monitor.ProbeResult;
import dev.rollgate.server.monitor.PushedMetrics;
import dev.rollgate.server.monitor.Violation;
import dev.rollgate.server.projects.Projects;
import dev.rollgate.server.rollouts.Judge;
import dev.rollgate.server.rollouts.RolloutPlan;
import dev.rollgate.server.segments.SegmentService;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Releases: planning one, the manual controls, approvals, and the controller that runs each
 * release's runbook (pre-checks, waves judged per window with the rollouts' {@link Judge},
 * post-checks with the KPI comparison). Every step is one write through the {@link Catalog} (so the
 * flag's split changes with it), a timeline entry and an audit event {@code release.<event>}, which
 * webhooks also get.
 */
public final class ReleaseService implements HealthMonitor.Pauser {
  /** How releases under way split their flags, for the catalog. */
  public static final SplitSource SPLITS = ReleaseStore::splits;

  /** Outcomes reach the store within about two seconds; a window is judged after that. */
  static final long INGEST_DELAY_MS = 2_000;

  static final int MAX_LIST = 500;

  private static final Actor CONTROLLER = Actor.RELEASE_CONTROLLER;
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(ReleaseService.class);

  private final Catalog catalog;
  private final AuditLog audit;
  private final FlagService flags;
  private final Outcomes outcomes;
  private final PushedMetrics metrics;
  private final HealthMonitor monitor;
  private final ApprovalKey key;
  private final Clock clock;
  private final IdSource ids;
  private final RolloutPlan.Defaults defaults;

  public ReleaseService(
      Catalog catalog,
      AuditLog audit,
      FlagService flags,
      Outcomes outcomes,
      PushedMetrics metrics,
      HealthMonitor monitor,
      ApprovalKey key,
      Clock clock,
      IdSource ids,
      RolloutPlan.Defaults defaults) {
    this.catalog = catalog;
    this.audit = audit;
    this.flags = flags;
    this.outcomes = outcomes;
    this.metrics = metrics;
    this.monitor = monitor;
    this.key = key;
    this.clock = clock;
    this.ids = ids;
    this.defaults = defaults;
  }

  /** The manual controls. */
  public enum Action {
    START,
    PAUSE,
    RESUME,
    ADVANCE,
    ROLLBACK,
    ABORT;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The control a path segment names ({@code start}, ...), or null. */
    public static Action parse(String name) {
      for (Action a : values()) {
        if (a.label().equals(name)) {
          return a;
        }
      }
      return null;
    }
  }

  /** A release to plan, as a request gives it; {@code plan} overrides the type's defaults. */
  public record Create(
      String service,
      String version,
      String type,
      String flag,
      String variant,
      String notes,
      Map<String, Object> plan,
      Instant startAt,
      String backupRef) {}

  public Map<String, Object> create(Actor actor, String project, String environment, Create c) {
    ReleaseType type = ReleaseType.parse(c.type());
    if (type == null) {
      throw Failure.invalidField("type", "must be one of patch, minor, major, hotfix, migration");
    }
    SemVer version = SemVer.parse(c.version());
    if (version == null) {
      throw Failure.invalidField(
          "version", "must be a semantic version such as 1.4.2 or 2.0.0-rc.1 (semver.org)");
    }
    if (c.notes() != null && c.notes().length() > 100_000) {
      throw Failure.invalidField("notes", "must be at most 100000 characters");
    }
    checkBackup(c.backupRef(), "backupRef");
    ReleasePlan plan = ReleasePlan.parse(type, c.plan(), defaults);
    long now = clock.millis();
    if (c.startAt() != null && c.startAt().toEpochMilli() <= now) {
      throw Failure.invalidField("startAt", "must be in the future");
    }
    Supplier<String> id = ids.once();
    return catalog.write(
        project,
        null,
        tx -> {
          Projects.requireEnvironment(tx, project, environment);
          FlagService.EnvironmentView view = FlagService.view(tx, project, c.flag(), environment);
          SemVer last = null;
          for (String v : ReleaseStore.completedVersions(tx, project, environment, c.service())) {
            SemVer s = SemVer.parse(v);
            if (s != null && (last == null || s.compareTo(last) > 0)) {
              last = s;
            }
          }
          if (last != null && version.compareTo(last) <= 0) {
            throw Failure.invalidField(
                "version",
                "must be greater than "
                    + last
                    + ", the last completed release of "
                    + c.service()
                    + " in "
                    + environment);
          }
          if (ReleaseStore.versionTaken(tx, project, environment, c.service(), c.version())) {
            throw Failure.conflict(
                c.service() + " " + c.version() + " already has a release in " + environment);
          }
          String treatment = treatment(view, c.variant(), version);
          checkPlan(tx, project, plan);
          Release r =
              new Release(
                  id.get(),
                  project,
                  environment,
                  c.service(),
                  c.version(),
                  type,
                  c.flag(),
                  treatment,
                  c.notes() == null ? "" : c.notes(),
                  plan,
                  now,
                  actor.name());
          r.startAt = c.startAt() == null ? null : c.startAt().toEpochMilli();
          r.backupRef = c.backupRef();
          r.reason = "planned";
          ReleaseStore.insert(tx, r);
          emit(tx, actor, r, "planned", null, null, now);
          if (r.startAt != null && now >= r.startAt - plan.maintenanceNoticeMs()) {
            announce(tx, r, now);
            ReleaseStore.update(tx, r, 1);
          }
          return view(tx, r);
        });
  }

  /**
   * The variant that carries {@code version}: the one named, else a variant named as the version,
   * else {@code true} or {@code on} of a boolean flag.
   */
  private static String treatment(
      FlagService.EnvironmentView view, String variant, SemVer version) {
    if (variant != null) {
      if (!view.variants().contains(variant)) {
        throw Failure.invalidField("variant", "the flag has no variant " + variant);
      }
      return variant;
    }
    for (String candidate : List.of(version.text(), "v" + version.text(), "true", "on")) {
      if (view.variants().contains(candidate)) {
        return candidate;
      }
    }
    throw Failure.invalidField(
        "variant",
        "is required: the flag has no variant named "
            + version
            + " (nor true or on); name the variant that carries the release");
  }

  private void checkPlan(Tx tx, String project, ReleasePlan plan) throws SQLException {
    Map<String, Object> segments = SegmentService.rulesByKey(tx, project);
    for (int i = 0; i < plan.waves().size(); i++) {
      String segment = plan.waves().get(i).segment();
      if (segment != null && !segments.containsKey(segment)) {
        throw Failure.invalidField(
            "plan.waves[" + i + "].segment",
            "project "
                + project
                + " has no segment "
                + segment
                + ": create it, or give the plan waves of your own");
      }
    }
    monitor.requireChecks(tx, project, plan.healthChecks(), "plan.healthChecks");
    for (int i = 0; i < plan.prechecks().size(); i++) {
      monitor.validateSpec(plan.prechecks().get(i).spec(), "plan.prechecks[" + i + "]");
    }
    for (int i = 0; i < plan.postchecks().size(); i++) {
      monitor.validateSpec(plan.postchecks().get(i).spec(), "plan.postchecks[" + i + "]");
    }
  }

  private static void checkBackup(String backupRef, String field) {
    if (backupRef != null && (backupRef.isBlank() || backupRef.length() > 512)) {
      throw Failure.invalidField(field, "must be 1 to 512 characters");
    }
  }

  public List<Map<String, Object>> list(
      String project, String environment, String service, String type, String phase, int limit) {
    if (type != null && ReleaseType.parse(type) == null) {
      throw Failure.invalidField("type", "must be one of patch, minor, major, hotfix, migration");
    }
    if (phase != null && ReleasePhase.parse(phase) == null) {
      throw Failure.invalidField("phase", "is not a release phase");
    }
    String p = phase == null ? null : ReleasePhase.parse(phase).name();
    return catalog.read(tx -> {
      Projects.requireEnvironment(tx, project, environment);
      return ReleaseStore.list(tx, project, environment, service, type, p, limit).stream()
          .map(Release::toJson)
          .toList();
    });
  }

  /** The release with its timeline and approvals. */
  public Map<String, Object> get(String project, String environment, String id) {
    return catalog.read(tx -> view(tx, find(tx, project, environment, id)));
  }

  private Map<String, Object> view(Tx tx, Release r) throws SQLException {
    Map<String, Object> json = r.toJson();
    json.put("approvals", approvalsJson(ReleaseStore.approvals(tx, r.id), r));
    json.put("timeline", ReleaseStore.timeline(tx, r.id));
    return json;
  }

  private static Release find(Tx tx, String project, String environment, String id)
      throws SQLException {
    Projects.requireEnvironment(tx, project, environment);
    return ReleaseStore.get(tx, project, environment, id)
        .orElseThrow(() -> Failure.notFound("release " + id + " in " + environment));
  }

  /**
   * A manual control. Version-checked ({@code ifMatch} is the release's revision) and idempotent:
   * asking again for the phase a release is already in changes nothing. A control that makes no
   * sense in the current phase is a conflict.
   */
  public Map<String, Object> act(
      Actor actor,
      String project,
      String environment,
      String id,
      Action action,
      Long ifMatch,
      String backupRef) {
    if (ifMatch == null) {
      throw new Failure(
          Failure.Kind.VERSION_REQUIRED,
          "precondition_required",
          "send If-Match with the release's revision (its ETag)");
    }
    checkBackup(backupRef, "backupRef");
    return catalog.write(
        project,
        ifMatch,
        tx -> {
          Release r = find(tx, project, environment, id);
          long now = clock.millis();
          if (done(r, action)) {
            // Already there: the same request again changes nothing. Someone else's request from
            // an older revision is stale, as any other would be.
            List<Map<String, Object>> timeline = ReleaseStore.timeline(tx, r.id);
            boolean mine =
                !timeline.isEmpty() && actor.name().equals(timeline.getLast().get("actor"));
            if (ifMatch == r.rowVersion || mine) {
              return view(tx, r);
            }
          }
          if (action == Action.ADVANCE && ifMatch == r.rowVersion - 1) {
            List<Map<String, Object>> timeline = ReleaseStore.timeline(tx, r.id);
            Map<String, Object> last = timeline.getLast();
            if (actor.name().equals(last.get("actor"))
                && String.valueOf(last.get("reason")).startsWith("manual advance")) {
              return view(tx, r); // a repeated advance: applied once
            }
          }
          VersionConflict.check("release " + id, ifMatch, r.rowVersion);
          if (r.phase.ended()) {
            throw Failure.conflict(
                "cannot " + action.label() + " a release that is " + r.phase + " (it has ended)");
          }
          Release after = r.copy();
          String reason = "manual " + action.label() + " by " + actor.name();
          switch (action) {
            case START -> {
              if (r.phase != ReleasePhase.PLANNED) {
                throw Failure.conflict("cannot start a release that is " + r.phase);
              }
              if (backupRef != null) {
                after.backupRef = backupRef;
              }
              start(tx, actor, after, reason, now);
            }
            case PAUSE -> {
              if (r.phase == ReleasePhase.PLANNED) {
                throw Failure.conflict("cannot pause a release that has not started");
              }
              pause(tx, actor, after, reason, null, now);
            }
            case RESUME -> {
              if (r.phase != ReleasePhase.PAUSED) {
                throw Failure.conflict("cannot resume a release that is " + r.phase);
              }
              if (r.serving()) {
                requireEnabled(tx, r);
              }
              after.phase = r.pausedFrom;
              after.pausedFrom = null;
              after.reason = reason;
              after.judgedUntil = now; // windows from now on: the pause is not judged
              emit(tx, actor, after, "resumed", reason, null, now);
            }
            case ADVANCE -> {
              if (r.phase != ReleasePhase.ROLLING_OUT) {
                throw Failure.conflict("cannot advance a release that is " + r.phase);
              }
              requireEnabled(tx, r);
              nextWave(tx, actor, after, reason, r.evidence, now);
            }
            case ROLLBACK -> {
              if (!r.serving()) {
                throw Failure.conflict(
                    "cannot roll back a release that serves nothing yet ("
                        + r.phase
                        + "): abort it");
              }
              rollBack(tx, actor, after, reason, r.evidence, now);
            }
            case ABORT -> {
              after.phase = ReleasePhase.ABORTED;
              after.pausedFrom = null;
              after.reason = reason;
              after.endedAt = now;
              endWave(after, "aborted", now);
              emit(tx, actor, after, "aborted", reason, null, now);
            }
          }
          save(tx, r, after, now);
          return view(tx, after);
        });
  }

  private static void requireEnabled(Tx tx, Release r) throws SQLException {
    if (FlagService.view(tx, r.project, r.flag, r.environment).state() != FlagState.ENABLED) {
      throw Failure.conflict(
          "flag " + r.flag + " is switched off in " + r.environment + ": switch it on first");
    }
  }

  /** Whether the release is already where {@code action} leads (so it changes nothing). */
  private static boolean done(Release r, Action action) {
    return switch (action) {
      case PAUSE -> r.phase == ReleasePhase.PAUSED;
      case ROLLBACK -> r.phase == ReleasePhase.ROLLED_BACK;
      case ABORT -> r.phase == ReleasePhase.ABORTED;
      case START ->
          r.phase == ReleasePhase.PRECHECKS
              || r.phase == ReleasePhase.AWAITING_APPROVAL
              || r.phase == ReleasePhase.ROLLING_OUT
              || r.phase == ReleasePhase.POSTCHECKS;
      case RESUME, ADVANCE -> false;
    };
  }

  private void start(Tx tx, Actor actor, Release r, String reason, long now) throws SQLException {
    if (r.plan.requireBackup() && r.backupRef == null) {
      throw Failure.conflict(
          "a "
              + r.type.label()
              + " release needs a backup reference before it starts: send backupRef (a rollgate"
              + " backup id or where the backup is)");
    }
    FlagService.EnvironmentView view = FlagService.view(tx, r.project, r.flag, r.environment);
    if (view.state() != FlagState.ENABLED) {
      throw Failure.conflict("flag " + r.flag + " is disabled in " + r.environment);
    }
    if (view.defaultVariant() == null || view.defaultVariant().equals(r.treatment)) {
      throw Failure.conflict(
          "flag "
              + r.flag
              + " must serve another variant than "
              + r.treatment
              + " by default in "
              + r.environment
              + ": the release is compared with it and rolls back to it");
    }
    String owner = catalog.splitOwner(tx, r.project, r.environment, r.flag);
    Optional<String> other = ReleaseStore.activeOnFlag(tx, r.project, r.environment, r.flag, r.id);
    if (owner != null || other.isPresent()) {
      throw Failure.conflict(
          "flag "
              + r.flag
              + " is already split by "
              + (owner != null ? owner : "release " + other.get())
              + " in "
              + r.environment);
    }
    r.control = view.defaultVariant();
    r.phase = ReleasePhase.PRECHECKS;
    r.reason = reason;
    emit(tx, actor, r, "prechecks_started", reason, null, now);
  }

  private void pause(Tx tx, Actor actor, Release r, String reason, Object evidence, long now)
      throws SQLException {
    r.pausedFrom = r.phase;
    r.phase = ReleasePhase.PAUSED;
    r.reason = reason;
    emit(tx, actor, r, "paused", reason, evidence, now);
  }

  private void rollBack(Tx tx, Actor actor, Release r, String reason, Object evidence, long now)
      throws SQLException {
    r.phase = ReleasePhase.ROLLED_BACK;
    r.pausedFrom = null;
    r.reason = reason;
    r.endedAt = now;
    endWave(r, "rolled_back", now);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("decidedBy", actor.name());
    details.put("evidence", evidence);
    emit(tx, actor, r, "rolled_back", reason, details, now);
  }

  /** Leaves the current wave for the next, or for the post-checks after the last. */
  private void nextWave(
      Tx tx, Actor actor, Release r, String reason, Map<String, Object> evidence, long now)
      throws SQLException {
    endWave(r, "completed", now);
    emit(tx, actor, r, "wave_completed", reason, evidence, now);
    if (r.wave + 1 < r.plan.waves().size()) {
      beginWave(tx, actor, r, r.wave + 1, now);
    } else {
      r.phase = ReleasePhase.POSTCHECKS;
      r.postchecksStartedAt = now;
      r.reason =
          "every wave completed; post-checks watch for " + r.plan.postcheckWindowMs() / 1000 + " s";
      emit(tx, actor, r, "postchecks_started", r.reason, null, now);
    }
  }

  private void beginWave(Tx tx, Actor actor, Release r, int wave, long now) throws SQLException {
    r.wave = wave;
    r.phase = ReleasePhase.ROLLING_OUT;
    r.waveStartedAt = now;
    r.judgedUntil = now;
    r.evidence = null;
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("status", "running");
    run.put("startedAt", now);
    while (r.waves.size() <= wave) {
      r.waves.add(new LinkedHashMap<>());
    }
    r.waves.set(wave, run);
    ReleasePlan.Wave w = r.plan.waves().get(wave);
    r.reason = "wave " + (wave + 1) + " of " + r.plan.waves().size() + ": " + w.name();
    emit(tx, actor, r, "wave_started", r.reason, w.toJson(), now);
  }

  private static void endWave(Release r, String status, long now) {
    if (r.wave >= 0
        && r.wave < r.waves.size()
        && "running".equals(r.waves.get(r.wave).get("status"))) {
      r.waves.get(r.wave).put("status", status);
      r.waves.get(r.wave).put("endedAt", now);
    }
  }

  /** After the pre-checks (and approvals): the first wave starts. */
  private void begin(Tx tx, Actor actor, Release r, long now) throws SQLException {
    r.startedAt = now;
    emit(tx, actor, r, "started", "the first wave starts", null, now);
    beginWave(tx, actor, r, 0, now);
  }

  private void save(Tx tx, Release before, Release after, long now) throws SQLException {
    after.rowVersion = before.rowVersion + 1;
    after.updatedAt = now;
    VersionConflict.unlessWritten(
        ReleaseStore.update(tx, after, before.rowVersion), "release " + before.id);
    if (after.phase == ReleasePhase.COMPLETED) {
      flags.setDefaultVariant(
          tx, CONTROLLER, after.project, after.flag, after.environment, after.treatment);
    }
  }

  /** One step of the timeline, audited as {@code release.<event>} (and sent to webhooks). */
  private void emit(
      Tx tx, Actor actor, Release r, String event, String reason, Object details, long now)
      throws SQLException {
    @SuppressWarnings("unchecked")
    Map<String, Object> detailMap = details instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    ReleaseStore.event(tx, r, now, actor.name(), actor.comment(), event, reason, detailMap);
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("event", event);
    payload.put("reason", reason);
    payload.put("details", details);
    payload.put("release", r.toJson());
    audit.append(tx, actor, "release." + event, r.resource(), null, payload);
  }

  private void announce(Tx tx, Release r, long now) throws SQLException {
    r.announced = true;
    emit(
        tx,
        CONTROLLER,
        r,
        "maintenance_scheduled",
        "starts at " + Instant.ofEpochMilli(r.startAt),
        Map.of("startAt", Instant.ofEpochMilli(r.startAt).toString()),
        now);
  }

  // ---- approvals ------------------------------------------------------------------------------

  /** Records a signed approval; one that completes what a waiting release needs starts it. */
  public Map<String, Object> approve(
      Actor actor, String project, String environment, String id, String comment) {
    if (comment == null || comment.isBlank() || comment.length() > 2000) {
      throw Failure.invalidField("comment", "is required: 1 to 2000 characters saying why");
    }
    return catalog.write(
        project,
        null,
        tx -> {
          Release r = find(tx, project, environment, id);
          if (r.phase != ReleasePhase.PLANNED
              && r.phase != ReleasePhase.PRECHECKS
              && r.phase != ReleasePhase.AWAITING_APPROVAL) {
            throw Failure.conflict(
                "cannot approve a release that is "
                    + r.phase
                    + ": approvals come before its first wave");
          }
          List<ReleaseStore.Approval> approvals = ReleaseStore.approvals(tx, r.id);
          for (ReleaseStore.Approval a : approvals) {
            if (a.approver().equals(actor.name())) {
              return view(tx, r); // approved already: once per approver
            }
          }
          long now = clock.millis();
          String at = Instant.ofEpochMilli(now).toString();
          String signed = ApprovalKey.signedText(r.id, r.version, r.phase.name(), actor.name(), at);
          ReleaseStore.Approval approval =
              new ReleaseStore.Approval(
                  approvals.size() + 1,
                  actor.name(),
                  comment,
                  r.phase.name(),
                  now,
                  key.id(),
                  key.sign(signed));
          ReleaseStore.approve(tx, r.id, approval);
          Release after = r.copy();
          emit(tx, actor, after, "approved", comment, approvalJson(approval, r), now);
          if (r.phase == ReleasePhase.AWAITING_APPROVAL
              && approvals.size() + 1 >= r.plan.approvalsRequired()) {
            begin(tx, actor, after, now);
          }
          save(tx, r, after, now);
          return view(tx, after);
        });
  }

  private static List<Map<String, Object>> approvalsJson(
      List<ReleaseStore.Approval> approvals, Release r) {
    return approvals.stream().map(a -> approvalJson(a, r)).toList();
  }

  private static Map<String, Object> approvalJson(ReleaseStore.Approval a, Release r) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("releaseId", r.id);
    json.put("version", r.version);
    json.put("phase", a.phase());
    json.put("approver", a.approver());
    json.put("at", Instant.ofEpochMilli(a.at()).toString());
    json.put("comment", a.comment());
    json.put("keyId", a.keyId());
    json.put("signature", a.signature());
    return json;
  }

  /** Checks every approval's signature against the server's public key. */
  public Map<String, Object> verify(String project, String environment, String id) {
    return catalog.read(tx -> verify(tx, find(tx, project, environment, id)));
  }

  private Map<String, Object> verify(Tx tx, Release r) throws SQLException {
    List<Map<String, Object>> results = new ArrayList<>();
    boolean valid = true;
    for (ReleaseStore.Approval a : ReleaseStore.approvals(tx, r.id)) {
      String signed =
          ApprovalKey.signedText(
              r.id, r.version, a.phase(), a.approver(), Instant.ofEpochMilli(a.at()).toString());
      boolean ok =
          a.keyId().equals(key.id()) && ApprovalKey.verify(key.publicKey(), signed, a.signature());
      valid &= ok;
      Map<String, Object> result = approvalJson(a, r);
      result.put("valid", ok);
      results.add(result);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("valid", valid);
    json.put("keyId", key.id());
    json.put("approvals", results);
    return json;
  }

  /** The approval key's public half, for checking approvals offline. */
  public Map<String, Object> publicKey() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("algorithm", "Ed25519");
    json.put("keyId", key.id());
    json.put("publicKey", key.publicKey());
    json.put("format", "X.509 SubjectPublicKeyInfo, base64");
    json.put(
        "signedText",
        "rollgate-release-approval/v1, releaseId, version, phase, approver, at: one a line,"
            + " joined with \\n, UTF-8");
    return json;
  }

  // ---- the controller -------------------------------------------------------------------------

  /** One pass over the releases that have not ended; returns how many moved or were judged. */
  public int tick() {
    int moved = 0;
    for (String id : catalog.read(ReleaseStore::unfinished)) {
      try {
        for (int i = 0; i < 100 && step(id); i++) {
          moved++;
        }
      } catch (Failure e) {
        log.warn("release {}: cannot take its next step: {}", id, e.getMessage());
      } catch (RuntimeException e) {
        log.warn("release {}: cannot take its next step", id, e); // a bug: with its trace
      }
    }
    return moved;
  }

  /** Takes the release's next due step, if any; whether it took one. */
  boolean step(String id) {
    long now = clock.millis();
    Release seen = catalog.read(tx -> ReleaseStore.byId(tx, id)).orElse(null);
    if (seen == null) {
      return false;
    }
    return switch (seen.phase) {
      case PLANNED -> planned(seen, now);
      case PRECHECKS -> prechecks(seen);
      case ROLLING_OUT -> judgeWindow(seen, now);
      case POSTCHECKS -> postchecks(seen, now);
      default -> false;
    };
  }

  /** A scheduled release: its notice 24 h (by default) before, its start at its time. */
  private boolean planned(Release seen, long now) {
    if (seen.startAt == null) {
      return false;
    }
    boolean notice = !seen.announced && now >= seen.startAt - seen.plan.maintenanceNoticeMs();
    boolean due = now >= seen.startAt;
    if (!notice && !due) {
      return false;
    }
    return change(
        seen,
        (tx, r, after) -> {
          if (!after.announced) {
            announce(tx, after, now);
          }
          if (due) {
            after.startAt = null; // started (or refused) once: a failed start does not repeat
            try {
              start(tx, CONTROLLER, after, "its scheduled start time", now);
            } catch (Failure f) {
              after.reason = "could not start at its time: " + f.getMessage();
              emit(tx, CONTROLLER, after, "start_failed", after.reason, null, now);
            }
          }
          return Step.MOVED;
        });
  }

  /** Runs the pre-checks (outside any transaction: they call other services) and acts on them. */
  private boolean prechecks(Release seen) {
    List<Map<String, Object>> results = run(seen, seen.plan.prechecks());
    boolean ok = results.stream().allMatch(x -> Boolean.TRUE.equals(x.get("ok")));
    long now = clock.millis();
    return change(
        seen,
        (tx, r, after) -> {
          after.prechecks = results;
          Map<String, Object> details = Map.of("checks", results);
          if (!ok) {
            after.phase = ReleasePhase.PLANNED;
            after.reason = "pre-checks failed: " + failures(results);
            emit(tx, CONTROLLER, after, "prechecks_failed", after.reason, details, now);
            return Step.MOVED;
          }
          emit(
              tx, CONTROLLER, after, "prechecks_completed", "every pre-check passed", details, now);
          long approvals = ReleaseStore.approvals(tx, r.id).size();
          if (r.plan.requireApproval() && approvals < r.plan.approvalsRequired()) {
            after.phase = ReleasePhase.AWAITING_APPROVAL;
            after.reason =
                "waiting for "
                    + (r.plan.approvalsRequired() - approvals)
                    + " approval(s) by an admin or approver";
            emit(tx, CONTROLLER, after, "awaiting_approval", after.reason, null, now);
          } else {
            begin(tx, CONTROLLER, after, now);
          }
          return Step.MOVED;
        });
  }

  private List<Map<String, Object>> run(Release r, List<ReleasePlan.NamedCheck> checks) {
    List<Map<String, Object>> results = new ArrayList<>();
    for (ReleasePlan.NamedCheck c : checks) {
      ProbeResult result = monitor.probe(r.project, c.spec());
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("name", c.name());
      json.put("type", c.spec().type());
      json.putAll(result.toJson());
      results.add(json);
    }
    return results;
  }

  private static String failures(List<Map<String, Object>> results) {
    return String.join(
        "; ",
        results.stream()
            .filter(x -> !Boolean.TRUE.equals(x.get("ok")))
            .map(x -> x.get("name") + ": " + x.get("message"))
            .toList());
  }

  /** Judges the wave's next window when it is due, as rollouts do, and acts on the verdict. */
  private boolean judgeWindow(Release seen, long now) {
    long from = seen.judgedUntil;
    long to = from + seen.plan.windowMs();
    if (now < to + INGEST_DELAY_MS) {
      return false;
    }
    Judge.Evidence evidence = evidence(seen, from, to);
    return change(
        seen,
        (tx, r, after) -> {
          if (r.judgedUntil != from) {
            return Step.NONE; // judged meanwhile
          }
          Map<String, Object> json = evidence.toJson();
          if (FlagService.view(tx, r.project, r.flag, r.environment).state() != FlagState.ENABLED) {
            pause(
                tx,
                CONTROLLER,
                after,
                "flag " + r.flag + " was switched off in " + r.environment + ": a person decides",
                json,
                now);
            return Step.MOVED;
          }
          Map<String, Violation> open = monitor.openViolations(tx, r.plan.healthChecks());
          after.judgedUntil = to;
          after.evidence = json;
          if (!open.isEmpty()) {
            json.put("violations", new ArrayList<>(open.values()));
            String why =
                "health check "
                    + String.join(", ", open.values().stream().map(Violation::checkName).toList())
                    + " failed";
            stop(tx, after, why, json, now);
            return Step.MOVED;
          }
          ReleasePlan.Wave wave = r.plan.waves().get(r.wave);
          long inWave = to - r.waveStartedAt;
          String because = evidence.verdict() + ": " + evidence.summary();
          switch (evidence.verdict()) {
            case FAIL -> stop(tx, after, because, json, now);
            case DEGRADED, ERROR -> pause(tx, CONTROLLER, after, because, json, now);
            case PASS -> {
              if (inWave >= wave.minDurationMs()) {
                nextWave(tx, CONTROLLER, after, because, json, now);
              }
            }
            case INCONCLUSIVE, INSUFFICIENT_DATA -> {
              if (inWave >= wave.maxDurationMs()) {
                pause(
                    tx,
                    CONTROLLER,
                    after,
                    because + "; the wave reached its maximum duration",
                    json,
                    now);
              }
            }
          }
          return after.phase != r.phase || after.wave != r.wave ? Step.MOVED : Step.JUDGED;
        });
  }

  /** A failure: roll back, or pause past the point of no return (a person decides). */
  private void stop(Tx tx, Release r, String why, Map<String, Object> evidence, long now)
      throws SQLException {
    if (r.pastPointOfNoReturn()) {
      pause(
          tx,
          CONTROLLER,
          r,
          why + "; past the point of no return nothing rolls back by itself",
          evidence,
          now);
    } else {
      rollBack(tx, CONTROLLER, r, why, evidence, now);
    }
  }

  private Judge.Evidence evidence(Release r, long from, long to) {
    try {
      Map<String, CohortStats> window =
          outcomes.byVariant(r.project, r.environment, r.flag, from, to);
      Map<String, CohortStats> wave =
          outcomes.byVariant(r.project, r.environment, r.flag, r.waveStartedAt, to);
      List<Judge.Limit> limits = new ArrayList<>();
      for (ReleasePlan.MetricLimit m : r.plan.metricLimits()) {
        List<PushedMetrics.Value> values =
            metrics.between(r.project, r.environment, m.name(), from, to);
        limits.add(
            new Judge.Limit(m.name(), values.isEmpty() ? null : values.getLast().value(), m.max()));
      }
      ReleasePlan.Wave w = r.plan.waves().get(r.wave);
      CohortStats control = wave.getOrDefault(r.control, new CohortStats());
      return Judge.judge(
          r.plan.checks(),
          w.stage(),
          r.plan.waveAlpha(),
          w.percent() < 100 || w.segment() != null,
          limits,
          from,
          to,
          window.getOrDefault(r.treatment, new CohortStats()),
          window.getOrDefault(r.control, new CohortStats()),
          wave.getOrDefault(r.treatment, new CohortStats()),
          control);
    } catch (RuntimeException e) {
      return Judge.Evidence.error(from, to, "health data unavailable: " + e.getMessage());
    }
  }

  /** After the post-check window: the post-checks and the KPI comparison decide. */
  private boolean postchecks(Release seen, long now) {
    long from = seen.postchecksStartedAt;
    long to = from + seen.plan.postcheckWindowMs();
    if (now < to + INGEST_DELAY_MS) {
      return false;
    }
    List<Map<String, Object>> results = run(seen, seen.plan.postchecks());
    long beforeTo = seen.startedAt;
    long beforeFrom = beforeTo - seen.plan.baselineWindowMs();
    Kpi.Result kpi = kpi(seen, beforeFrom, beforeTo, from, to);
    boolean checksOk = results.stream().allMatch(x -> Boolean.TRUE.equals(x.get("ok")));
    return change(
        seen,
        (tx, r, after) -> {
          after.postchecks = results;
          after.kpi = kpi.json();
          if (FlagService.view(tx, r.project, r.flag, r.environment).state() != FlagState.ENABLED) {
            pause(
                tx,
                CONTROLLER,
                after,
                "flag " + r.flag + " was switched off in " + r.environment + ": a person decides",
                null,
                now);
            return Step.MOVED;
          }
          Map<String, Violation> open = monitor.openViolations(tx, r.plan.healthChecks());
          Map<String, Object> details = new LinkedHashMap<>();
          details.put("checks", results);
          details.put("kpi", kpi.json());
          if (!checksOk || !kpi.passed() || !open.isEmpty()) {
            List<String> why = new ArrayList<>();
            if (!checksOk) {
              why.add("post-checks failed: " + failures(results));
            }
            if (!kpi.passed()) {
              why.add("the KPI comparison failed: " + kpiFailures(kpi.json()));
            }
            if (!open.isEmpty()) {
              why.add(
                  "health check "
                      + String.join(", ", open.values().stream().map(Violation::checkName).toList())
                      + " failed");
            }
            stop(tx, after, String.join("; ", why), details, now);
            return Step.MOVED;
          }
          emit(
              tx,
              CONTROLLER,
              after,
              "postchecks_completed",
              "every post-check and KPI passed",
              details,
              now);
          after.phase = ReleasePhase.COMPLETED;
          after.endedAt = now;
          after.reason = "completed: " + r.treatment + " is the default of " + r.flag;
          emit(tx, CONTROLLER, after, "completed", after.reason, null, now);
          return Step.MOVED;
        });
  }

  @SuppressWarnings("unchecked")
  private static String kpiFailures(Map<String, Object> kpi) {
    return String.join(
        ", ",
        ((List<Map<String, Object>>) kpi.get("kpis"))
            .stream()
                .filter(k -> "FAIL".equals(k.get("status")))
                .map(k -> k.get("name") + " (" + k.get("rule") + ")")
                .toList());
  }

  private Kpi.Result kpi(Release r, long beforeFrom, long beforeTo, long afterFrom, long afterTo) {
    CohortStats before =
        outcomes
            .byVariant(r.project, r.environment, r.flag, beforeFrom, beforeTo)
            .getOrDefault(r.control, new CohortStats());
    CohortStats after =
        outcomes
            .byVariant(r.project, r.environment, r.flag, afterFrom, afterTo)
            .getOrDefault(r.treatment, new CohortStats());
    Map<String, List<PushedMetrics.Value>> metricsBefore = new LinkedHashMap<>();
    Map<String, List<PushedMetrics.Value>> metricsAfter = new LinkedHashMap<>();
    for (ReleasePlan.KpiMetric m : r.plan.kpiMetrics()) {
      metricsBefore.put(
          m.name(), metrics.between(r.project, r.environment, m.name(), beforeFrom, beforeTo));
      metricsAfter.put(
          m.name(), metrics.between(r.project, r.environment, m.name(), afterFrom, afterTo));
    }
    return Kpi.compare(
        r.plan,
        beforeFrom,
        beforeTo,
        afterFrom,
        afterTo,
        before,
        after,
        metricsBefore,
        metricsAfter);
  }

  /** What a controller step did: nothing, judged a window without moving, or moved the release. */
  private enum Step {
    NONE,
    JUDGED,
    MOVED
  }

  /** A change the controller makes to a release it read, committed only if no one else moved it. */
  @FunctionalInterface
  private interface Change {
    Step apply(Tx tx, Release current, Release after) throws SQLException;
  }

  private boolean change(Release seen, Change change) {
    return catalog.write(
        seen.project,
        null,
        tx -> {
          Release r = ReleaseStore.byId(tx, seen.id).orElse(null);
          if (r == null || r.phase != seen.phase || r.rowVersion != seen.rowVersion) {
            return false; // moved meanwhile: the next tick looks again
          }
          Release after = r.copy();
          long now = clock.millis();
          switch (change.apply(tx, r, after)) {
            case NONE -> {
              return false;
            }
            case JUDGED -> // the revision stays: a person's If-Match still holds
                VersionConflict.unlessWritten(
                    ReleaseStore.recordWindow(tx, after, r.rowVersion), "release " + r.id);
            case MOVED -> save(tx, r, after, now);
          }
          return true;
        });
  }

  /** The health monitor's pause action: pauses the releases under way that list the check. */
  @Override
  public List<String> pauseListing(Tx tx, String project, String checkId, String reason)
      throws SQLException {
    List<String> paused = new ArrayList<>();
    long now = clock.millis();
    for (Release r : ReleaseStore.active(tx, project)) {
      if (r.phase == ReleasePhase.PAUSED || !r.plan.healthChecks().contains(checkId)) {
        continue;
      }
      Release after = r.copy();
      pause(tx, Actor.HEALTH_MONITOR, after, reason, null, now);
      save(tx, r, after, now);
      paused.add("release " + r.service + " " + r.version);
    }
    return paused;
  }

  // ---- the report -----------------------------------------------------------------------------

  /** Everything the report shows: the release, its approvals and checks, and its audit events. */
  public Map<String, Object> report(String project, String environment, String id) {
    return catalog.read(tx -> {
      Release r = find(tx, project, environment, id);
      Map<String, Object> json = view(tx, r);
      json.put("approvalsValid", verify(tx, r).get("valid"));
      List<Map<String, Object>> events = new ArrayList<>();
      for (AuditLog.Event e :
          audit.query(
              tx, new AuditLog.Query(null, r.resource(), null, null, null, null, null, 0, 1000))) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("seq", e.seq());
        event.put("at", Instant.ofEpochMilli(e.at()).toString());
        event.put("action", e.action());
        event.put("actor", e.actor());
        events.add(event);
      }
      json.put("auditEvents", events);
      json.put("generatedAt", Instant.ofEpochMilli(clock.millis()).toString());
      return json;
    });
  }
}

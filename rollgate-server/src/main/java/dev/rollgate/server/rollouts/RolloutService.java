package dev.rollgate.server.rollouts;

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
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Progressive rollouts: starting one, the manual controls, and the controller's judgement of each
 * window. Every transition is one write through the {@link Catalog} (so the flag's split changes
 * with it, on every replica and SDK), one row of history and one audit event ({@code
 * rollout.<event>}) carrying the evidence.
 */
public final class RolloutService {

  /** Outcomes reach the store within about two seconds; a window is judged after that. */
  static final long INGEST_DELAY_MS = 2_000;

  static final Actor CONTROLLER = Actor.ROLLOUT_CONTROLLER;

  private final Catalog catalog;
  private final AuditLog audit;
  private final FlagService flags;
  private final Outcomes outcomes;
  private final Clock clock;
  private final IdSource ids;
  private final RolloutPlan.Defaults defaults;
  private final HealthGate health;

  /** How rollouts that have not ended split their flags, for the catalog. */
  public static final SplitSource SPLITS = RolloutStore::splits;

  public RolloutService(
      Catalog catalog,
      AuditLog audit,
      FlagService flags,
      Outcomes outcomes,
      Clock clock,
      RolloutPlan.Defaults defaults,
      IdSource ids,
      HealthGate health) {
    this.catalog = catalog;
    this.health = health;
    this.audit = audit;
    this.flags = flags;
    this.outcomes = outcomes;
    this.clock = clock;
    this.defaults = defaults;
    this.ids = ids;
  }

  /**
   * A rollout to start: the variant to roll out, its plan as JSON (null for the defaults) and the
   * comment the audit trail records.
   */
  public record Start(String treatment, Map<String, Object> plan, String comment) {}

  public Rollout.View start(
      Actor actor, String project, String environment, String flag, Start command) {
    String treatment = command.treatment();
    RolloutPlan plan = RolloutPlan.parse(command.plan(), "plan", defaults);
    Actor who = actor.withComment(command.comment());
    Supplier<String> id = ids.once(); // the write may run more than once
    return catalog.write(
        project,
        null,
        tx -> {
          FlagService.EnvironmentView view = FlagService.view(tx, project, flag, environment);
          if (!view.variants().contains(treatment)) {
            throw Failure.invalidField("treatment", "the flag has no variant " + treatment);
          }
          if (view.defaultVariant() == null) {
            throw Failure.conflict(
                "the flag has no default variant in " + environment + " to compare against");
          }
          if (view.defaultVariant().equals(treatment)) {
            throw Failure.invalidField(
                "treatment", "is already the default (the control) in " + environment);
          }
          if (view.state() != FlagState.ENABLED) {
            throw Failure.conflict("the flag is disabled in " + environment);
          }
          String owner = catalog.splitOwner(tx, project, environment, flag);
          if (owner != null) {
            throw Failure.conflict(
                "flag " + flag + " is already split by " + owner + " in " + environment);
          }
          health.requireChecks(tx, project, plan.healthChecks(), "plan.healthChecks");
          long now = clock.millis();
          Rollout rollout =
              new Rollout(
                  id.get(),
                  project,
                  environment,
                  flag,
                  treatment,
                  view.defaultVariant(),
                  plan,
                  RolloutState.RUNNING,
                  0,
                  now,
                  now,
                  null,
                  "started",
                  1,
                  now,
                  now);
          RolloutStore.insert(tx, rollout);
          record(tx, who, RolloutAction.START, null, rollout, now);
          return rollout.view(now);
        });
  }

  /** The flag's latest rollout in the environment, with its latest evidence. */
  public Rollout.View current(String project, String environment, String flag) {
    return catalog.read(tx -> latest(tx, project, environment, flag).view(clock.millis()));
  }

  /**
   * The flag's latest rollout in the environment, ended or not; empty when it has none. A missing
   * flag or environment is a {@link Failure.Kind#NOT_FOUND}.
   */
  Optional<Rollout> find(String project, String environment, String flag) {
    return catalog.read(tx -> {
      FlagService.view(tx, project, flag, environment); // 404s for a missing flag or environment
      return RolloutStore.latest(tx, project, environment, flag);
    });
  }

  /** The window length of plans that do not set one, in ms. */
  long defaultWindowMs() {
    return defaults.windowSeconds() * 1000;
  }

  public List<Rollout.Transition> history(String project, String environment, String flag) {
    return catalog.read(
        tx -> RolloutStore.history(tx, latest(tx, project, environment, flag).id()));
  }

  private static Rollout latest(Tx tx, String project, String environment, String flag)
      throws SQLException {
    FlagService.view(tx, project, flag, environment); // 404s for a missing flag or environment
    return RolloutStore.latest(tx, project, environment, flag)
        .orElseThrow(() -> Failure.notFound("rollout of " + flag + " in " + environment));
  }

  /** A manual control: pause, resume, advance, promote, rollback or abort. */
  public Rollout.View act(
      Actor actor,
      String project,
      String environment,
      String flag,
      RolloutAction action,
      Long ifMatch,
      String comment) {
    if (ifMatch == null) {
      throw new Failure(
          Failure.Kind.VERSION_REQUIRED,
          "precondition_required",
          "send If-Match with the rollout's version (its ETag)");
    }
    Actor who = actor.withComment(comment);
    return catalog.write(
        project,
        ifMatch,
        tx -> {
          Rollout r = latest(tx, project, environment, flag);
          long now = clock.millis();
          RolloutState target = target(action);
          if (target == r.state() && action != RolloutAction.ADVANCE) {
            return r.view(now); // already done: the same request again changes nothing
          }
          if (action == RolloutAction.ADVANCE && ifMatch == r.version() - 1) {
            String[] last = RolloutStore.lastTransition(tx, r.id()).orElseThrow();
            if (last[0].equals(action.label()) && last[1].equals(who.name())) {
              return r.view(now); // a repeated advance: applied once
            }
          }
          VersionConflict.check("rollout of " + flag, ifMatch, r.version());
          if (r.state().ended()) {
            throw Failure.conflict(
                "cannot " + action.label() + " a rollout that is " + r.state() + " (it has ended)");
          }
          if (action == RolloutAction.RESUME && r.state() != RolloutState.PAUSED) {
            throw Failure.conflict("cannot resume a rollout that is " + r.state());
          }
          if (action == RolloutAction.PAUSE
              && r.state() != RolloutState.RUNNING
              && r.state() != RolloutState.AWAITING_APPROVAL) {
            throw Failure.conflict("cannot pause a rollout that is " + r.state());
          }
          String reason = "manual " + action.label() + " by " + who.name();
          Rollout after =
              switch (action) {
                case ADVANCE -> next(r, now, reason);
                case RESUME ->
                    r.with(RolloutState.RUNNING, r.stage(), now, reason, now)
                        .judged(now, r.evidence());
                default -> r.with(target, r.stage(), r.stageStartedAt(), reason, now);
              };
          save(tx, who, action, r, after, now);
          return after.view(now);
        });
  }

  /** The state an action leads to. */
  private static RolloutState target(RolloutAction action) {
    return switch (action) {
      case PAUSE -> RolloutState.PAUSED;
      case RESUME -> RolloutState.RUNNING;
      case ADVANCE -> null;
      case PROMOTE -> RolloutState.COMPLETED;
      case ROLLBACK -> RolloutState.ROLLED_BACK;
      case ABORT -> RolloutState.ABORTED;
      case START, AWAIT_APPROVAL ->
          throw new IllegalArgumentException(action + " is not a manual control");
    };
  }

  /** The next stage, running from now; past the last stage, completed. */
  private static Rollout next(Rollout r, long now, String reason) {
    if (r.stage() + 1 >= r.plan().stages().size()) {
      return r.with(RolloutState.COMPLETED, r.stage(), r.stageStartedAt(), reason, now);
    }
    return r.with(RolloutState.RUNNING, r.stage() + 1, now, reason, now).judged(now, r.evidence());
  }

  /**
   * Judges the rollout's next window if it is due (it ended at least {@link #INGEST_DELAY_MS} ago)
   * and acts on the verdict. Returns whether a window was judged. The judgement and its action
   * commit together, and only if the window is still the next one to judge, so no window is acted
   * on twice, whichever replica or restart gets to it.
   */
  boolean judgeNextWindow(String rolloutId) {
    long now = clock.millis();
    Rollout seen = catalog.read(tx -> RolloutStore.byId(tx, rolloutId)).orElse(null);
    if (seen == null || seen.state() != RolloutState.RUNNING) {
      return false;
    }
    long from = seen.judgedUntil();
    long to = from + seen.plan().windowMs();
    if (now < to + INGEST_DELAY_MS) {
      return false;
    }
    Judge.Evidence evidence = evidence(seen, from, to);
    return catalog.writeIfChanged(
        seen.project(),
        null,
        tx -> {
          Rollout r = RolloutStore.byId(tx, rolloutId).orElse(null);
          if (r == null || r.state() != RolloutState.RUNNING || r.judgedUntil() != from) {
            return new Catalog.Written<>(false, false); // judged or changed meanwhile
          }
          boolean transition = act(tx, r, evidence, to, clock.millis());
          return new Catalog.Written<>(true, transition);
        });
  }

  private Judge.Evidence evidence(Rollout r, long from, long to) {
    try {
      Map<String, CohortStats> window =
          outcomes.byVariant(r.project(), r.environment(), r.flag(), from, to);
      Map<String, CohortStats> stage =
          outcomes.byVariant(r.project(), r.environment(), r.flag(), r.stageStartedAt(), to);
      return Judge.judge(
          r.plan(),
          r.stage(),
          from,
          to,
          window.getOrDefault(r.treatment(), new CohortStats()),
          window.getOrDefault(r.control(), new CohortStats()),
          stage.getOrDefault(r.treatment(), new CohortStats()),
          stage.getOrDefault(r.control(), new CohortStats()));
    } catch (RuntimeException e) {
      return Judge.Evidence.error(from, to, "health data unavailable: " + e.getMessage());
    }
  }

  /**
   * Acts on a window's verdict at {@code now}. A new stage starts now, not at the window's end: the
   * split changes only now, and the stage's evidence must not mix in requests at the old share.
   * Returns whether the rollout moved (a new stage or state, which may change the split).
   */
  private boolean act(Tx tx, Rollout r, Judge.Evidence evidence, long to, long now)
      throws SQLException {
    RolloutPlan.Stage stage = r.plan().stages().get(r.stage());
    Map<String, Object> json = evidence.toJson();
    Rollout judged = r.judged(to, json);
    long inStage = to - r.stageStartedAt();
    String because = evidence.verdict() + ": " + evidence.summary();
    Rollout after = null;
    RolloutAction action = null;
    List<String> failing = health.failing(tx, r.plan().healthChecks());
    if (!failing.isEmpty()) {
      after =
          judged.with(
              RolloutState.ROLLED_BACK,
              r.stage(),
              r.stageStartedAt(),
              "health check " + String.join(", ", failing) + " failed",
              now);
      save(tx, CONTROLLER, RolloutAction.ROLLBACK, r, after, now);
      return true;
    }
    switch (evidence.verdict()) {
      case FAIL -> {
        after = judged.with(RolloutState.ROLLED_BACK, r.stage(), r.stageStartedAt(), because, now);
        action = RolloutAction.ROLLBACK;
      }
      case DEGRADED -> {
        after = judged.with(RolloutState.PAUSED, r.stage(), r.stageStartedAt(), because, now);
        action = RolloutAction.PAUSE;
      }
      case ERROR -> {
        RolloutState state =
            r.plan().onError() == RolloutPlan.OnError.ROLLBACK
                ? RolloutState.ROLLED_BACK
                : RolloutState.PAUSED;
        after = judged.with(state, r.stage(), r.stageStartedAt(), because, now);
        action = state == RolloutState.PAUSED ? RolloutAction.PAUSE : RolloutAction.ROLLBACK;
      }
      case PASS -> {
        if (inStage >= stage.minDurationMs()) {
          if (stage.requireApproval()) {
            after =
                judged.with(
                    RolloutState.AWAITING_APPROVAL,
                    r.stage(),
                    r.stageStartedAt(),
                    because + "; waiting for approval to leave stage " + r.stage(),
                    now);
            action = RolloutAction.AWAIT_APPROVAL;
          } else {
            after = next(judged, now, because);
            action = RolloutAction.ADVANCE;
          }
        }
      }
      case INSUFFICIENT_DATA, INCONCLUSIVE -> {
        if (inStage >= stage.maxDurationMs()) {
          String timedOut = because + "; the stage reached its maximum duration";
          switch (r.plan().onInsufficientData()) {
            case ROLLBACK -> {
              after =
                  judged.with(
                      RolloutState.ROLLED_BACK, r.stage(), r.stageStartedAt(), timedOut, now);
              action = RolloutAction.ROLLBACK;
            }
            case ADVANCE -> {
              after = next(judged, now, timedOut);
              action = RolloutAction.ADVANCE;
            }
            case PAUSE -> {
              after =
                  judged.with(RolloutState.PAUSED, r.stage(), r.stageStartedAt(), timedOut, now);
              action = RolloutAction.PAUSE;
            }
          }
        }
      }
    }
    if (after == null) {
      RolloutStore.recordWindow(tx, r.id(), r.judgedUntil(), to, json);
      return false;
    }
    save(tx, CONTROLLER, action, r, after, now);
    return true;
  }

  /**
   * The health monitor's pause action: pauses the running rollouts of {@code project} whose plans
   * list the check; returns them in words.
   */
  public List<String> pauseListing(Tx tx, String project, String checkId, String reason)
      throws SQLException {
    List<String> paused = new java.util.ArrayList<>();
    long now = clock.millis();
    for (Rollout r : RolloutStore.running(tx)) {
      if (!r.project().equals(project) || !r.plan().healthChecks().contains(checkId)) {
        continue;
      }
      save(
          tx,
          Actor.HEALTH_MONITOR.withComment(reason),
          RolloutAction.PAUSE,
          r,
          r.with(RolloutState.PAUSED, r.stage(), r.stageStartedAt(), reason, now),
          now);
      paused.add("rollout of " + r.flag() + " in " + r.environment());
    }
    return paused;
  }

  /** The ids of the rollouts the controller judges. */
  List<String> running() {
    return catalog.read(tx -> RolloutStore.running(tx).stream().map(Rollout::id).toList());
  }

  private void save(
      Tx tx, Actor actor, RolloutAction action, Rollout before, Rollout after, long now)
      throws SQLException {
    VersionConflict.unlessWritten(
        RolloutStore.update(tx, after, before.version()), "rollout of " + before.flag());
    record(tx, actor, action, before, after, now);
    if (after.state() == RolloutState.COMPLETED) {
      flags.setDefaultVariant(
          tx, actor, after.project(), after.flag(), after.environment(), after.treatment());
    }
  }

  /** The history row and the audit event of a transition into {@code after}'s state. */
  private void record(
      Tx tx, Actor actor, RolloutAction action, Rollout before, Rollout after, long now)
      throws SQLException {
    RolloutStore.transition(
        tx,
        after,
        now,
        actor.name(),
        action.label(),
        before == null ? null : before.state(),
        actor.comment());
    audit.append(
        tx,
        actor,
        "rollout." + event(action, after.state()),
        after.resource(),
        before == null ? null : before.view(now),
        after.view(now));
  }

  /** The audit action and webhook event of a transition. */
  private static String event(RolloutAction action, RolloutState state) {
    return switch (state) {
      case COMPLETED -> "completed";
      case ROLLED_BACK -> "rolled_back";
      case ABORTED -> "aborted";
      case PAUSED -> "paused";
      case AWAITING_APPROVAL -> "awaiting_approval";
      case RUNNING ->
          switch (action) {
            case START -> "started";
            case RESUME -> "resumed";
            default -> "advanced";
          };
    };
  }
}

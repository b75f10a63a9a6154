package dev.rollgate.server.experiments;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.SplitSource;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.IdSource;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.flags.FlagState;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Experiments: created as drafts, started (the flag then splits its default traffic between the
 * variants by their weights, bucketed by the experiment's id), stopped, and analysed by {@link
 * ExperimentResults}. Starting and stopping are flag changes, so they go through the {@link
 * Catalog} and reach every SDK.
 */
public final class ExperimentService {
  private final Catalog catalog;
  private final AuditLog audit;
  private final ExperimentEvents events;
  private final ExperimentResults results;
  private final Clock clock;
  private final IdSource ids;

  /** How running experiments split their flags, for the catalog. */
  public static final SplitSource SPLITS = ExperimentStore::splits;

  public ExperimentService(
      Catalog catalog,
      AuditLog audit,
      ExperimentEvents events,
      ExperimentResults results,
      Clock clock,
      IdSource ids) {
    this.catalog = catalog;
    this.audit = audit;
    this.events = events;
    this.results = results;
    this.clock = clock;
    this.ids = ids;
  }

  /**
   * An experiment to create, as the caller wrote it: checked here, against the flag. Null fields
   * take their defaults (control: the flag's default variant; direction: increase; nStar: 5000;
   * alpha: 0.05; no planned sample size, so the analysis is sequential).
   */
  public record Create(
      String key,
      String flag,
      Map<String, Object> variants,
      String control,
      String hypothesis,
      String primaryMetric,
      String direction,
      List<Guardrail> guardrails,
      Double nStar,
      Long plannedSampleSize,
      Double alpha) {}

  /** A metric that must not move in the {@code bad} direction (increase or decrease). */
  public record Guardrail(String metric, String bad) {}

  public Experiment create(Actor actor, String project, String environment, Create command) {
    String key = command.key();
    String flag = command.flag();
    Supplier<String> id = ids.once(); // the write may run more than once
    return catalog.write(
        project,
        null,
        tx -> {
          FlagService.EnvironmentView view = FlagService.view(tx, project, flag, environment);
          ExperimentDefinition definition =
              ExperimentDefinition.of(command, view.variants(), view.defaultVariant());
          for (String metric : definition.metrics()) {
            if (MetricService.find(tx, project, metric).isEmpty()) {
              throw Failure.invalidField(
                  definition.primaryMetric().equals(metric) ? "primaryMetric" : "guardrails",
                  "no metric " + metric + " in project " + project);
            }
          }
          if (ExperimentStore.find(tx, project, environment, key).isPresent()) {
            throw Failure.conflict("experiment " + key + " already exists in " + environment);
          }
          Experiment e =
              new Experiment(
                  id.get(),
                  project,
                  environment,
                  key,
                  flag,
                  definition,
                  ExperimentState.DRAFT,
                  1,
                  clock.millis(),
                  null,
                  null);
          ExperimentStore.insert(tx, e);
          audit.append(tx, actor, "experiment.create", e.resource(), null, e);
          return e;
        });
  }

  public List<Experiment> list(String project, String environment) {
    return catalog.read(tx -> ExperimentStore.list(tx, project, environment));
  }

  public Experiment get(String project, String environment, String key) {
    return catalog.read(tx -> require(tx, project, environment, key));
  }

  static Experiment require(Tx tx, String project, String environment, String key)
      throws SQLException {
    return ExperimentStore.find(tx, project, environment, key)
        .orElseThrow(() -> Failure.notFound("experiment " + key + " in " + environment));
  }

  /** DRAFT to RUNNING: the split starts, and with it exposures and the analysis. */
  public Experiment start(
      Actor actor, String project, String environment, String key, Long ifMatch) {
    return transition(
        actor,
        project,
        environment,
        key,
        ifMatch,
        ExperimentState.DRAFT,
        ExperimentState.RUNNING,
        (tx, e) -> {
          FlagService.EnvironmentView view = FlagService.view(tx, project, e.flag(), environment);
          if (view.state() != FlagState.ENABLED) {
            throw Failure.conflict("the flag is disabled in " + environment);
          }
          String owner = catalog.splitOwner(tx, project, environment, e.flag());
          if (owner != null) {
            throw Failure.conflict("flag " + e.flag() + " is already split by " + owner);
          }
          Experiment after = e.withState(ExperimentState.RUNNING, clock.millis(), null);
          ExperimentStore.initialise(tx, after);
          return after;
        });
  }

  /** RUNNING to STOPPED: the split ends; the results stay. */
  public Experiment stop(
      Actor actor, String project, String environment, String key, Long ifMatch) {
    return transition(
        actor,
        project,
        environment,
        key,
        ifMatch,
        ExperimentState.RUNNING,
        ExperimentState.STOPPED,
        (tx, e) -> e.withState(ExperimentState.STOPPED, e.startedAt(), clock.millis()));
  }

  private interface Change {
    Experiment apply(Tx tx, Experiment before) throws SQLException;
  }

  /**
   * Moves an experiment from {@code from} to {@code to}: a no-op when it is there already, a 412 on
   * a stale {@code ifMatch}, a 409 from any other state.
   */
  private Experiment transition(
      Actor actor,
      String project,
      String environment,
      String key,
      Long ifMatch,
      ExperimentState from,
      ExperimentState to,
      Change change) {
    Experiment moved =
        catalog.write(
            project,
            ifMatch,
            tx -> {
              Experiment e = require(tx, project, environment, key);
              if (e.state() == to) {
                return e;
              }
              VersionConflict.check("experiment " + key, ifMatch, e.version());
              if (e.state() != from) {
                throw Failure.conflict(
                    "cannot move an experiment that is " + e.state() + " to " + to);
              }
              Experiment after = change.apply(tx, e);
              String action = to == ExperimentState.RUNNING ? "start" : "stop";
              save(tx, actor, "experiment." + action, e, after);
              return after;
            });
    events.refresh();
    return moved;
  }

  private void save(Tx tx, Actor actor, String action, Experiment before, Experiment after)
      throws SQLException {
    VersionConflict.unlessWritten(
        ExperimentStore.update(tx, after, before.version()), "experiment " + before.key());
    audit.append(tx, actor, action, after.resource(), before, after);
  }

  public Map<String, Object> results(String project, String environment, String key) {
    events.flush(); // what this replica has received counts
    Experiment e = catalog.read(tx -> require(tx, project, environment, key));
    return results.compute(e);
  }
}

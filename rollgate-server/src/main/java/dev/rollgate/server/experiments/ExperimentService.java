package dev.rollgate.server.experiments;

import dev.rollgate.server.audit.Actor;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.SplitSource;
import dev.rollgate.server.catalog.VersionConflict;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

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

  /** How running experiments split their flags, for the catalog. */
  public static final SplitSource SPLITS = ExperimentStore::splits;

  public ExperimentService(
      Catalog catalog,
      AuditLog audit,
      ExperimentEvents events,
      ExperimentResults results,
      Clock clock) {
    this.catalog = catalog;
    this.audit = audit;
    this.events = events;
    this.results = results;
    this.clock = clock;
  }

  public Map<String, Object> create(
      Actor actor, String project, String environment, JsonBody body) {
    String key = body.key("key");
    String flag = body.string("flag", true);
    return catalog.write(
        project,
        null,
        tx -> {
          FlagService.EnvironmentView view = FlagService.view(tx, project, flag, environment);
          ExperimentDefinition definition =
              ExperimentDefinition.parse(body, view.variants(), view.defaultVariant());
          for (String metric : definition.metrics()) {
            if (MetricService.find(tx, project, metric).isEmpty()) {
              throw Failure.invalidField(
                  definition.primaryMetric().equals(metric)
                      ? body.path("primaryMetric")
                      : body.path("guardrails"),
                  "no metric " + metric + " in project " + project);
            }
          }
          if (Experiment.find(tx, project, environment, key).isPresent()) {
            throw Failure.conflict("experiment " + key + " already exists in " + environment);
          }
          Experiment e =
              new Experiment(
                  UUID.randomUUID().toString(),
                  project,
                  environment,
                  key,
                  flag,
                  definition,
                  "DRAFT",
                  1,
                  clock.millis(),
                  null,
                  null);
          e.insert(tx);
          audit.append(tx, actor, "experiment.create", e.resource(), null, e.toJson());
          return e.toJson();
        });
  }

  public List<Map<String, Object>> list(String project, String environment) {
    return catalog.read(tx -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (Experiment e : Experiment.list(tx, project, environment)) {
        out.add(e.toJson());
      }
      return out;
    });
  }

  public Map<String, Object> get(String project, String environment, String key) {
    return catalog.read(tx -> require(tx, project, environment, key).toJson());
  }

  static Experiment require(Tx tx, String project, String environment, String key)
      throws SQLException {
    return Experiment.find(tx, project, environment, key)
        .orElseThrow(() -> Failure.notFound("experiment " + key + " in " + environment));
  }

  /** DRAFT to RUNNING: the split starts, and with it exposures and the analysis. */
  public Map<String, Object> start(
      Actor actor, String project, String environment, String key, Long ifMatch) {
    return transition(
        actor,
        project,
        environment,
        key,
        ifMatch,
        "DRAFT",
        "RUNNING",
        (tx, e) -> {
          FlagService.EnvironmentView view = FlagService.view(tx, project, e.flag(), environment);
          if (!view.state().equals("ENABLED")) {
            throw Failure.conflict("the flag is disabled in " + environment);
          }
          String owner = catalog.splitOwner(tx, project, environment, e.flag());
          if (owner != null) {
            throw Failure.conflict("flag " + e.flag() + " is already split by " + owner);
          }
          Experiment after = e.withState("RUNNING", clock.millis(), null);
          ExperimentStore.initialise(tx, after);
          return after;
        });
  }

  /** RUNNING to STOPPED: the split ends; the results stay. */
  public Map<String, Object> stop(
      Actor actor, String project, String environment, String key, Long ifMatch) {
    return transition(
        actor,
        project,
        environment,
        key,
        ifMatch,
        "RUNNING",
        "STOPPED",
        (tx, e) -> e.withState("STOPPED", e.startedAt(), clock.millis()));
  }

  private interface Change {
    Experiment apply(Tx tx, Experiment before) throws SQLException;
  }

  /**
   * Moves an experiment from {@code from} to {@code to}: a no-op when it is there already, a 412 on
   * a stale {@code ifMatch}, a 409 from any other state.
   */
  private Map<String, Object> transition(
      Actor actor,
      String project,
      String environment,
      String key,
      Long ifMatch,
      String from,
      String to,
      Change change) {
    Map<String, Object> json =
        catalog.write(
            project,
            ifMatch,
            tx -> {
              Experiment e = require(tx, project, environment, key);
              if (e.state().equals(to)) {
                return e.toJson();
              }
              VersionConflict.check("experiment " + key, ifMatch, e.version());
              if (!e.state().equals(from)) {
                throw Failure.conflict(
                    "cannot move an experiment that is " + e.state() + " to " + to);
              }
              Experiment after = change.apply(tx, e);
              save(tx, actor, "experiment." + (to.equals("RUNNING") ? "start" : "stop"), e, after);
              return after.toJson();
            });
    events.refresh();
    return json;
  }

  private void save(Tx tx, Actor actor, String action, Experiment before, Experiment after)
      throws SQLException {
    if (!after.update(tx, before.version())) {
      throw new VersionConflict("experiment " + before.key());
    }
    audit.append(tx, actor, action, after.resource(), before.toJson(), after.toJson());
  }

  public Map<String, Object> results(String project, String environment, String key) {
    events.flush(); // what this replica has received counts
    Experiment e = catalog.read(tx -> require(tx, project, environment, key));
    return results.compute(e);
  }
}

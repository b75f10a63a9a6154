package dev.rollgate.server.experiments;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.items;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import io.javalin.config.RoutesConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code /api/v1/projects/{p}/metrics} and {@code .../environments/{env}/experiments}. */
public final class ExperimentRoutes implements HttpApi.Routes {
  private static final String METRICS = "/api/v1/projects/{project}/metrics";
  private static final Set<String> EXPERIMENT_FIELDS =
      Set.of(
          "key",
          "flag",
          "variants",
          "control",
          "hypothesis",
          "primaryMetric",
          "direction",
          "guardrails",
          "nStar",
          "plannedSampleSize",
          "alpha");
  private static final Set<String> METRIC_FIELDS =
      Set.of("key", "name", "kind", "event", "denominatorEvent");
  private static final String EXPERIMENTS =
      "/api/v1/projects/{project}/environments/{env}/experiments";

  private final MetricService metrics;
  private final ExperimentService experiments;

  public ExperimentRoutes(MetricService metrics, ExperimentService experiments) {
    this.metrics = metrics;
    this.experiments = experiments;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(
        METRICS,
        ctx -> {
          requireRead(ctx);
          items(ctx, metrics.list(ctx.pathParam("project")));
        });
    r.post(
        METRICS,
        ctx -> {
          requireEdit(ctx);
          JsonBody b = body(ctx, METRIC_FIELDS);
          var create =
              new MetricService.Create(
                  b.key("key"),
                  b.string("name", false),
                  b.string("kind", true),
                  b.string("event", true),
                  b.string("denominatorEvent", false));
          json(
              ctx,
              201,
              Plain.of(metrics.create(actor(ctx), ctx.pathParam("project"), create)),
              null);
        });
    r.delete(
        METRICS + "/{metric}",
        ctx -> {
          requireEdit(ctx);
          metrics.delete(actor(ctx), ctx.pathParam("project"), ctx.pathParam("metric"));
          ctx.status(204);
        });
    r.get(
        EXPERIMENTS,
        ctx -> {
          requireRead(ctx);
          items(ctx, experiments.list(ctx.pathParam("project"), ctx.pathParam("env")));
        });
    r.post(
        EXPERIMENTS,
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              201,
              experiments.create(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  experiment(body(ctx, EXPERIMENT_FIELDS))));
        });
    r.get(
        EXPERIMENTS + "/{key}",
        ctx -> {
          requireRead(ctx);
          resource(
              ctx,
              200,
              experiments.get(
                  ctx.pathParam("project"), ctx.pathParam("env"), ctx.pathParam("key")));
        });
    r.post(
        EXPERIMENTS + "/{key}/start",
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              200,
              experiments.start(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  ctx.pathParam("key"),
                  ifMatch(ctx)));
        });
    r.post(
        EXPERIMENTS + "/{key}/stop",
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              200,
              experiments.stop(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  ctx.pathParam("key"),
                  ifMatch(ctx)));
        });
    r.get(
        EXPERIMENTS + "/{key}/results",
        ctx -> {
          requireRead(ctx);
          json(
              ctx,
              200,
              experiments.results(
                  ctx.pathParam("project"), ctx.pathParam("env"), ctx.pathParam("key")),
              null);
        });
  }

  /** An experiment's definition as JSON: types and ranges here, meaning in the service. */
  private static ExperimentService.Create experiment(JsonBody b) {
    List<ExperimentService.Guardrail> guardrails = new ArrayList<>();
    if (b.raw("guardrails") != null) {
      if (!(b.raw("guardrails") instanceof List<?> list)) {
        throw Failure.invalidField(
            b.path("guardrails"), "must be a list of {metric, bad: increase|decrease}");
      }
      for (int i = 0; i < list.size(); i++) {
        JsonBody g =
            JsonBody.of(
                list.get(i), JsonPath.element(b.path("guardrails"), i), Set.of("metric", "bad"));
        guardrails.add(
            new ExperimentService.Guardrail(g.string("metric", true), g.string("bad", true)));
      }
    }
    return new ExperimentService.Create(
        b.key("key"),
        b.string("flag", true),
        b.object("variants"),
        b.string("control", false),
        b.string("hypothesis", false),
        b.string("primaryMetric", true),
        b.string("direction", false),
        guardrails,
        b.number("nStar", 10, 1e12),
        b.whole("plannedSampleSize", 2, Long.MAX_VALUE / 4),
        b.number("alpha", 1e-6, 0.5));
  }
}

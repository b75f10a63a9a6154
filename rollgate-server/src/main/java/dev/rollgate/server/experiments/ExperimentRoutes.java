package dev.rollgate.server.experiments;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.server.http.HttpApi;
import io.javalin.config.RoutesConfig;
import java.util.Map;

/** {@code /api/v1/projects/{p}/metrics} and {@code .../environments/{env}/experiments}. */
public final class ExperimentRoutes implements HttpApi.Routes {
  private static final String METRICS = "/api/v1/projects/{project}/metrics";
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
          json(ctx, 200, Map.of("items", metrics.list(ctx.pathParam("project"))), null);
        });
    r.post(
        METRICS,
        ctx -> {
          requireEdit(ctx);
          json(
              ctx,
              201,
              metrics.create(actor(ctx), ctx.pathParam("project"), body(ctx, MetricService.FIELDS)),
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
          json(
              ctx,
              200,
              Map.of("items", experiments.list(ctx.pathParam("project"), ctx.pathParam("env"))),
              null);
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
                  body(ctx, ExperimentDefinition.FIELDS)));
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
}

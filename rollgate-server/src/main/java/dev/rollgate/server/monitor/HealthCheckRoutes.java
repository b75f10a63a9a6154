package dev.rollgate.server.monitor;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.items;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;

/**
 * {@code /api/v1/projects/{p}/health-checks}: the health monitor's checks, their results, running
 * one now; and {@code /api/v1/projects/{p}/health/violations}.
 */
public final class HealthCheckRoutes implements HttpApi.Routes {
  private static final String CHECKS = "/api/v1/projects/{project}/health-checks";
  private static final String CHECK = CHECKS + "/{id}";

  private final HealthMonitor monitor;

  public HealthCheckRoutes(HealthMonitor monitor) {
    this.monitor = monitor;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        CHECKS,
        ctx -> {
          requireEdit(ctx);
          var body = Requests.body(ctx, HealthMonitor.Definition.FIELDS);
          resource(
              ctx,
              201,
              monitor.create(
                  actor(ctx).withComment(body.string("comment", false)),
                  ctx.pathParam("project"),
                  HealthMonitor.Definition.parse(body)));
        });
    r.get(
        CHECKS,
        ctx -> {
          requireRead(ctx);
          items(ctx, monitor.list(ctx.pathParam("project")));
        });
    r.get(
        CHECK,
        ctx -> {
          requireRead(ctx);
          resource(ctx, 200, monitor.get(ctx.pathParam("project"), ctx.pathParam("id")));
        });
    r.put(
        CHECK,
        ctx -> {
          requireEdit(ctx);
          var body = Requests.body(ctx, HealthMonitor.Definition.FIELDS);
          resource(
              ctx,
              200,
              monitor.update(
                  actor(ctx).withComment(body.string("comment", false)),
                  ctx.pathParam("project"),
                  ctx.pathParam("id"),
                  ifMatch(ctx),
                  HealthMonitor.Definition.parse(body)));
        });
    r.delete(
        CHECK,
        ctx -> {
          requireEdit(ctx);
          monitor.delete(actor(ctx), ctx.pathParam("project"), ctx.pathParam("id"), ifMatch(ctx));
          ctx.status(204);
        });
    r.get(
        CHECK + "/results",
        ctx -> {
          requireRead(ctx);
          items(
              ctx,
              monitor
                  .results(
                      ctx.pathParam("project"),
                      ctx.pathParam("id"),
                      Requests.limit(ctx, 50, HealthMonitor.MAX_RESULTS))
                  .stream()
                  .map(ProbeResult::toJson)
                  .toList());
        });
    r.post(
        CHECK + "/run",
        ctx -> {
          requireEdit(ctx);
          Requests.json(
              ctx, 200, monitor.runNow(ctx.pathParam("project"), ctx.pathParam("id")), null);
        });
    r.get(
        "/api/v1/projects/{project}/health/violations",
        ctx -> {
          requireRead(ctx);
          items(
              ctx,
              monitor.violations(
                  ctx.pathParam("project"),
                  ctx.queryParam("state"),
                  ctx.queryParam("check"),
                  Requests.limit(ctx, 100, 1000)));
        });
  }
}

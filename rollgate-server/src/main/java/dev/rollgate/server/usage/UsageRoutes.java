package dev.rollgate.server.usage;

import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireRead;

import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.HttpApi;
import io.javalin.config.RoutesConfig;

/**
 * {@code GET /api/v1/projects/{p}/environments/{env}/flags/{key}/usage}, and every flag's at once
 * at {@code GET /api/v1/projects/{p}/environments/{env}/usage}.
 */
public final class UsageRoutes implements HttpApi.Routes {
  private final Catalog catalog;
  private final Usage usage;

  public UsageRoutes(Catalog catalog, Usage usage) {
    this.catalog = catalog;
    this.usage = usage;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(
        "/api/v1/projects/{project}/environments/{env}/flags/{flag}/usage",
        ctx -> {
          requireRead(ctx);
          String project = ctx.pathParam("project");
          String env = ctx.pathParam("env");
          requireServed(project, env);
          json(ctx, 200, usage.report(project, env, ctx.pathParam("flag")), null);
        });
    r.get(
        "/api/v1/projects/{project}/environments/{env}/usage",
        ctx -> {
          requireRead(ctx);
          String project = ctx.pathParam("project");
          String env = ctx.pathParam("env");
          requireServed(project, env);
          json(ctx, 200, usage.environmentReport(project, env), null);
        });
  }

  private void requireServed(String project, String env) {
    if (catalog.served(project, env) == null) {
      throw Failure.notFound("environment " + project + "/" + env);
    }
  }
}

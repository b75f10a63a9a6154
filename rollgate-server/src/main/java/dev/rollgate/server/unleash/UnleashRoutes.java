package dev.rollgate.server.unleash;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.requireEdit;

import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;

/** {@code PUT /api/v1/projects/{p}/environments/{env}/unleash}: import from Unleash. */
public final class UnleashRoutes implements HttpApi.Routes {
  private final UnleashImport unleash;

  public UnleashRoutes(UnleashImport unleash) {
    this.unleash = unleash;
  }

  @Override
  public void register(RoutesConfig r) {
    r.put(
        "/api/v1/projects/{project}/environments/{env}/unleash",
        ctx -> {
          requireEdit(ctx);
          boolean dryRun = Requests.dryRun(ctx);
          Requests.resource(
              ctx,
              200,
              unleash.importPayload(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  Requests.text(ctx),
                  dryRun),
              dryRun);
        });
  }
}

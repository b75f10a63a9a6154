package dev.rollgate.server.unleash;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireEdit;

import dev.rollgate.server.domain.Plain;
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
          json(
              ctx,
              200,
              Plain.of(
                  unleash.importPayload(
                      actor(ctx),
                      ctx.pathParam("project"),
                      ctx.pathParam("env"),
                      Requests.text(ctx))),
              null);
        });
  }
}

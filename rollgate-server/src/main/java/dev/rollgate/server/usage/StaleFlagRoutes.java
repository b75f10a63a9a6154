package dev.rollgate.server.usage;

import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireRead;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.http.HttpApi;
import io.javalin.config.RoutesConfig;

/** {@code GET /api/v1/projects/{p}/stale-flags?days=N}. */
public final class StaleFlagRoutes implements HttpApi.Routes {
  private static final int DEFAULT_DAYS = 30;

  private final StaleFlags stale;

  public StaleFlagRoutes(StaleFlags stale) {
    this.stale = stale;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(
        "/api/v1/projects/{project}/stale-flags",
        ctx -> {
          requireRead(ctx);
          String days = ctx.queryParam("days");
          int n;
          try {
            n = days == null ? DEFAULT_DAYS : Integer.parseInt(days);
          } catch (NumberFormatException e) {
            throw Failure.invalidField("days", "must be a whole number of days, not " + days);
          }
          json(ctx, 200, Plain.of(stale.report(ctx.pathParam("project"), n)), null);
        });
  }
}

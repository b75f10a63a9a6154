package dev.rollgate.server.segments;

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

/** {@code /api/v1/projects/{p}/segments}. */
public final class SegmentRoutes implements HttpApi.Routes {
  private static final String SEGMENTS = "/api/v1/projects/{project}/segments";

  private final SegmentService segments;

  public SegmentRoutes(SegmentService segments) {
    this.segments = segments;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(
        SEGMENTS,
        ctx -> {
          requireRead(ctx);
          json(ctx, 200, Map.of("items", segments.list(ctx.pathParam("project"))), null);
        });
    r.post(
        SEGMENTS,
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              201,
              segments.create(
                  actor(ctx), ctx.pathParam("project"), body(ctx, SegmentService.CREATE_FIELDS)));
        });
    r.get(
        SEGMENTS + "/{segment}",
        ctx -> {
          requireRead(ctx);
          resource(ctx, 200, segments.get(ctx.pathParam("project"), ctx.pathParam("segment")));
        });
    r.patch(
        SEGMENTS + "/{segment}",
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              200,
              segments.update(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("segment"),
                  ifMatch(ctx),
                  body(ctx, SegmentService.UPDATE_FIELDS)));
        });
    r.delete(
        SEGMENTS + "/{segment}",
        ctx -> {
          requireEdit(ctx);
          segments.delete(
              actor(ctx), ctx.pathParam("project"), ctx.pathParam("segment"), ifMatch(ctx));
          ctx.status(204);
        });
  }
}

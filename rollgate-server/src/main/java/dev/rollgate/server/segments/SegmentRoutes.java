package dev.rollgate.server.segments;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.items;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import io.javalin.config.RoutesConfig;
import java.util.Set;

/** {@code /api/v1/projects/{p}/segments}. */
public final class SegmentRoutes implements HttpApi.Routes {
  private static final String SEGMENTS = "/api/v1/projects/{project}/segments";
  private static final Set<String> CREATE_FIELDS = Set.of("key", "name", "description", "rules");
  private static final Set<String> UPDATE_FIELDS = Set.of("name", "description", "rules");

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
          items(ctx, segments.list(ctx.pathParam("project")));
        });
    r.post(
        SEGMENTS,
        ctx -> {
          requireEdit(ctx);
          JsonBody b = body(ctx, CREATE_FIELDS);
          var create =
              new SegmentService.Create(
                  b.key("key"),
                  b.string("name", false),
                  b.string("description", false),
                  b.raw("rules"));
          resource(ctx, 201, segments.create(actor(ctx), ctx.pathParam("project"), create));
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
          JsonBody b = body(ctx, UPDATE_FIELDS);
          if (b.has("rules") && b.raw("rules") == null) {
            throw Failure.invalidField("rules", "is required: a JsonLogic expression");
          }
          var change =
              new SegmentService.Change(
                  b.string("name", false), b.string("description", false), b.raw("rules"));
          resource(
              ctx,
              200,
              segments.update(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("segment"),
                  ifMatch(ctx),
                  change));
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

package dev.rollgate.server.rollouts;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.items;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import java.util.Set;

/** {@code /api/v1/projects/{p}/environments/{env}/flags/{flag}/rollout} and its controls. */
public final class RolloutRoutes implements HttpApi.Routes {
  private static final Set<String> START_FIELDS = Set.of("treatment", "plan", "comment");
  private static final Set<String> ACTION_FIELDS = Set.of("comment");
  private static final String ROLLOUT =
      "/api/v1/projects/{project}/environments/{env}/flags/{flag}/rollout";

  private final RolloutService rollouts;

  public RolloutRoutes(RolloutService rollouts) {
    this.rollouts = rollouts;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        ROLLOUT,
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              201,
              rollouts.start(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  ctx.pathParam("flag"),
                  start(Requests.body(ctx, START_FIELDS))));
        });
    r.get(
        ROLLOUT,
        ctx -> {
          requireRead(ctx);
          resource(
              ctx,
              200,
              rollouts.current(
                  ctx.pathParam("project"), ctx.pathParam("env"), ctx.pathParam("flag")));
        });
    r.get(
        ROLLOUT + "/history",
        ctx -> {
          requireRead(ctx);
          items(
              ctx,
              rollouts.history(
                  ctx.pathParam("project"), ctx.pathParam("env"), ctx.pathParam("flag")));
        });
    r.post(
        ROLLOUT + "/{action}",
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              200,
              rollouts.act(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  ctx.pathParam("flag"),
                  RolloutAction.manual(ctx.pathParam("action")),
                  ifMatch(ctx),
                  Requests.optionalBody(ctx, ACTION_FIELDS).string("comment", false)));
        });
  }

  private static RolloutService.Start start(JsonBody b) {
    return new RolloutService.Start(
        b.string("treatment", true), b.object("plan"), b.string("comment", false));
  }
}

package dev.rollgate.server.flags;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code /api/v1/projects/{p}/flags}, their environments, and flagd import and export. */
public final class FlagRoutes implements HttpApi.Routes {
  private static final String FLAGS = "/api/v1/projects/{project}/flags";
  private static final String FLAG = FLAGS + "/{flag}";

  private final FlagService flags;
  private final FlagdImport flagd;

  public FlagRoutes(FlagService flags, FlagdImport flagd) {
    this.flags = flags;
    this.flagd = flagd;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(
        FLAGS,
        ctx -> {
          requireRead(ctx);
          FlagService.Page page =
              flags.list(
                  ctx.pathParam("project"),
                  ctx.queryParam("tag"),
                  ctx.queryParam("q"),
                  Requests.flag(ctx, "includeArchived"),
                  Requests.limit(ctx, 50, 500),
                  ctx.queryParam("cursor"));
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("items", page.items());
          body.put("nextCursor", page.nextCursor());
          json(ctx, 200, body, null);
        });
    r.post(
        FLAGS,
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              201,
              flags.create(
                  actor(ctx), ctx.pathParam("project"), body(ctx, FlagService.CREATE_FIELDS)));
        });
    r.get(
        FLAG,
        ctx -> {
          requireRead(ctx);
          resource(ctx, 200, flags.get(ctx.pathParam("project"), ctx.pathParam("flag")));
        });
    r.patch(
        FLAG,
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              200,
              flags.update(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ifMatch(ctx),
                  body(ctx, FlagService.UPDATE_FIELDS)));
        });
    r.delete(
        FLAG,
        ctx -> {
          requireEdit(ctx);
          flags.delete(actor(ctx), ctx.pathParam("project"), ctx.pathParam("flag"), ifMatch(ctx));
          ctx.status(204);
        });
    r.get(
        FLAG + "/environments/{env}",
        ctx -> {
          requireRead(ctx);
          resource(
              ctx,
              200,
              flags.getEnvironment(
                  ctx.pathParam("project"), ctx.pathParam("flag"), ctx.pathParam("env")));
        });
    r.patch(
        FLAG + "/environments/{env}",
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              200,
              flags.patchEnvironment(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ctx.pathParam("env"),
                  ifMatch(ctx),
                  body(ctx, FlagService.CONFIG_FIELDS)));
        });
    r.get(
        "/api/v1/projects/{project}/environments/{env}/flagd",
        ctx -> {
          requireRead(ctx);
          json(ctx, 200, flagd.export(ctx.pathParam("project"), ctx.pathParam("env")), null);
        });
    r.put(
        "/api/v1/projects/{project}/environments/{env}/flagd",
        ctx -> {
          requireEdit(ctx);
          String mode = ctx.queryParam("mode");
          FlagdImport.Mode m =
              switch (mode == null ? "merge" : mode) {
                case "merge" -> FlagdImport.Mode.MERGE;
                case "replace" -> FlagdImport.Mode.REPLACE;
                default -> throw Failure.invalidField("mode", "must be merge or replace");
              };
          json(
              ctx,
              200,
              flagd.importDocument(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  Requests.text(ctx),
                  m),
              null);
        });
  }
}

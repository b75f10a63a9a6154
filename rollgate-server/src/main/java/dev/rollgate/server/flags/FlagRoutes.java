package dev.rollgate.server.flags;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code /api/v1/projects/{p}/flags}, their environments, and flagd import and export. */
public final class FlagRoutes implements HttpApi.Routes {
  private static final String FLAGS = "/api/v1/projects/{project}/flags";
  private static final Set<String> CREATE_FIELDS =
      Set.of("key", "name", "description", "tags", "variants", "defaultVariant", "environments");
  private static final Set<String> UPDATE_FIELDS =
      Set.of("name", "description", "tags", "variants", "archived", "environments");
  private static final Set<String> CONFIG_FIELDS =
      Set.of("state", "defaultVariant", "targeting", "metadata", "prerequisites");
  private static final String FLAG = FLAGS + "/{flag}";

  private final FlagService flags;
  private final FlagdImport flagd;
  private final FlagAttachments attachments;

  public FlagRoutes(FlagService flags, FlagdImport flagd, FlagAttachments attachments) {
    this.flags = flags;
    this.flagd = flagd;
    this.attachments = attachments;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(
        FLAGS,
        ctx -> {
          requireRead(ctx);
          FlagService.Page page =
              flags.listServed(
                  ctx.pathParam("project"),
                  ctx.queryParam("tag"),
                  ctx.queryParam("q"),
                  Requests.flag(ctx, "includeArchived"),
                  Requests.limit(ctx, 50, 1000),
                  ctx.queryParam("cursor"));
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("items", Plain.of(page.items()));
          body.put("nextCursor", page.nextCursor());
          json(ctx, 200, body, null);
        });
    r.post(
        FLAGS,
        ctx -> {
          requireEdit(ctx);
          boolean dryRun = Requests.dryRun(ctx);
          resource(
              ctx,
              201,
              flags.create(
                  actor(ctx), ctx.pathParam("project"), create(body(ctx, CREATE_FIELDS)), dryRun),
              dryRun);
        });
    r.get(
        FLAG,
        ctx -> {
          requireRead(ctx);
          String project = ctx.pathParam("project");
          resource(ctx, 200, withAttachments(flags.getServed(project, ctx.pathParam("flag"))));
        });
    r.patch(
        FLAG,
        ctx -> {
          requireEdit(ctx);
          boolean dryRun = Requests.dryRun(ctx);
          resource(
              ctx,
              200,
              flags.update(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ifMatch(ctx),
                  change(body(ctx, UPDATE_FIELDS)),
                  dryRun),
              dryRun);
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
          boolean dryRun = Requests.dryRun(ctx);
          resource(
              ctx,
              200,
              flags.patchEnvironment(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ctx.pathParam("env"),
                  ifMatch(ctx),
                  patch(body(ctx, CONFIG_FIELDS)),
                  dryRun),
              dryRun);
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
          String strict = ctx.queryParam("strict");
          if (strict != null && !strict.equals("true") && !strict.equals("false")) {
            throw Failure.invalidField("strict", "must be true or false");
          }
          json(
              ctx,
              200,
              Plain.of(
                  flagd.importDocument(
                      actor(ctx),
                      ctx.pathParam("project"),
                      ctx.pathParam("env"),
                      Requests.text(ctx),
                      m,
                      !"false".equals(strict))),
              null);
        });
  }

  /** The flag as JSON, with what other features attach to it (its schedules). */
  @SuppressWarnings("unchecked") // a record renders as an object
  private Map<String, Object> withAttachments(Flag flag) {
    Map<String, Object> body = new LinkedHashMap<>((Map<String, Object>) Plain.of(flag));
    attachments.of(flag.project(), flag.key()).forEach((k, v) -> body.put(k, Plain.of(v)));
    return body;
  }

  private static FlagService.Create create(JsonBody b) {
    return new FlagService.Create(
        b.key("key"),
        b.string("name", false),
        b.string("description", false),
        b.strings("tags"),
        b.object("variants"),
        b.has("defaultVariant"),
        b.string("defaultVariant", false),
        patches(b, "environments"));
  }

  private static FlagService.Change change(JsonBody b) {
    if (b.has("variants") && b.raw("variants") == null) {
      throw Failure.invalidField("variants", "is required: an object of variant name to value");
    }
    List<String> tags = b.strings("tags");
    return new FlagService.Change(
        b.string("name", false),
        b.string("description", false),
        b.has("tags") && tags == null ? List.of() : tags,
        b.object("variants"),
        b.bool("archived"),
        patches(b, "environments"));
  }

  /** Per-environment patches: {@code {"production": {"state": "ENABLED"}, ...}}. */
  private static Map<String, FlagService.ConfigPatch> patches(JsonBody b, String field) {
    Map<String, Object> raw = b.object(field);
    if (raw == null) {
      return null;
    }
    Map<String, FlagService.ConfigPatch> patches = new LinkedHashMap<>();
    raw.forEach((env, value) ->
        patches.put(
            env, patch(JsonBody.of(value, JsonPath.member(b.path(field), env), CONFIG_FIELDS))));
    return patches;
  }

  /** A JSON merge patch of one environment's configuration: what it leaves out stays. */
  private static FlagService.ConfigPatch patch(JsonBody p) {
    FlagState state =
        p.has("state") ? FlagState.parse(p.string("state", true), p.path("state")) : null;
    Object targeting = p.raw("targeting");
    if (targeting != null && !(targeting instanceof Map<?, ?>)) {
      throw Failure.invalidField(p.path("targeting"), "must be a JsonLogic object or null");
    }
    Map<String, Object> metadata = p.object("metadata");
    return new FlagService.ConfigPatch(
        state,
        p.has("defaultVariant"),
        p.string("defaultVariant", false),
        p.has("targeting"),
        targeting,
        p.has("metadata") && metadata == null ? Map.of() : metadata,
        p.has("prerequisites"),
        FlagService.prerequisites(p.raw("prerequisites"), p.path("prerequisites")));
  }
}

package dev.rollgate.server.releases;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.ifMatch;
import static dev.rollgate.server.http.Requests.requireApprove;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.ApiException;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/projects/{p}/environments/{env}/releases}: planning releases, their manual
 * controls, approvals and reports; and {@code /api/v1/keys/approvals}, the public key.
 */
public final class ReleaseRoutes implements HttpApi.Routes {
  private static final String RELEASES = "/api/v1/projects/{project}/environments/{env}/releases";
  private static final String RELEASE = RELEASES + "/{id}";
  private static final Set<String> CREATE_FIELDS =
      Set.of(
          "service",
          "version",
          "type",
          "flag",
          "variant",
          "notes",
          "plan",
          "startAt",
          "backupRef",
          "comment");

  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

  private final ReleaseService releases;

  public ReleaseRoutes(ReleaseService releases) {
    this.releases = releases;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        RELEASES,
        ctx -> {
          requireEdit(ctx);
          JsonBody body = Requests.body(ctx, CREATE_FIELDS);
          ReleaseService.Create create =
              new ReleaseService.Create(
                  body.key("service"),
                  body.string("version", true),
                  body.string("type", true),
                  body.key("flag"),
                  body.has("variant") ? body.key("variant") : null,
                  body.string("notes", false),
                  body.object("plan"),
                  instant(body, "startAt"),
                  body.string("backupRef", false));
          answer(
              ctx,
              201,
              releases.create(
                  actor(ctx).withComment(body.string("comment", false)),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  create));
        });
    r.get(
        RELEASES,
        ctx -> {
          requireRead(ctx);
          Requests.items(
              ctx,
              releases.list(
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  ctx.queryParam("service"),
                  ctx.queryParam("type"),
                  ctx.queryParam("phase"),
                  Requests.limit(ctx, 100, ReleaseService.MAX_LIST)));
        });
    r.get(
        RELEASE,
        ctx -> {
          requireRead(ctx);
          answer(
              ctx,
              200,
              releases.get(ctx.pathParam("project"), ctx.pathParam("env"), ctx.pathParam("id")));
        });
    r.post(
        RELEASE + "/{action}",
        ctx -> {
          if (ctx.pathParam("action").equals("approvals")) {
            approve(ctx);
            return;
          }
          ReleaseService.Action action = ReleaseService.Action.parse(ctx.pathParam("action"));
          if (action == null) {
            throw new ApiException(
                404,
                "not_found",
                "no such control: a release takes start, pause, resume, advance, rollback,"
                    + " abort and approvals");
          }
          requireEdit(ctx);
          JsonBody body = Requests.optionalBody(ctx, Set.of("comment", "backupRef"));
          if (body.has("backupRef") && action != ReleaseService.Action.START) {
            throw Failure.invalidField("backupRef", "is given when the release starts");
          }
          answer(
              ctx,
              200,
              releases.act(
                  actor(ctx).withComment(body.string("comment", false)),
                  ctx.pathParam("project"),
                  ctx.pathParam("env"),
                  ctx.pathParam("id"),
                  action,
                  ifMatch(ctx),
                  body.string("backupRef", false)));
        });
    r.get(
        RELEASE + "/approvals/verify",
        ctx -> {
          requireRead(ctx);
          Requests.json(
              ctx,
              200,
              releases.verify(ctx.pathParam("project"), ctx.pathParam("env"), ctx.pathParam("id")),
              null);
        });
    r.get(
        RELEASE + "/report",
        ctx -> {
          requireRead(ctx);
          String format = format(ctx);
          Map<String, Object> report =
              releases.report(ctx.pathParam("project"), ctx.pathParam("env"), ctx.pathParam("id"));
          String name = "release-" + report.get("service") + "-" + report.get("version");
          switch (format) {
            case "markdown" -> {
              ctx.header("Content-Disposition", "inline; filename=\"" + safe(name) + ".md\"");
              Requests.bytes(
                  ctx,
                  200,
                  "text/markdown; charset=utf-8",
                  ReleaseReport.markdown(report).getBytes(StandardCharsets.UTF_8));
            }
            case "pdf" -> {
              ctx.header("Content-Disposition", "attachment; filename=\"" + safe(name) + ".pdf\"");
              Requests.bytes(ctx, 200, "application/pdf", ReleaseReport.pdf(report));
            }
            default -> Requests.json(ctx, 200, report, null);
          }
        });
    r.get(
        HttpApi.PUBLIC_KEYS_PATH,
        ctx -> Requests.json(ctx, 200, releases.publicKey(), null)); // public: no credentials
  }

  private void approve(Context ctx) {
    requireApprove(ctx);
    JsonBody body = Requests.body(ctx, Set.of("comment"));
    answer(
        ctx,
        201,
        releases.approve(
            actor(ctx),
            ctx.pathParam("project"),
            ctx.pathParam("env"),
            ctx.pathParam("id"),
            body.string("comment", true)));
  }

  /** The release with its revision as the ETag (its {@code version} is the semantic version). */
  private static void answer(Context ctx, int status, Map<String, Object> release) {
    Requests.json(ctx, status, release, (Long) release.get("revision"));
  }

  /** {@code ?format=} (json, markdown, md, pdf), else what {@code Accept} asks for, else JSON. */
  private static String format(Context ctx) {
    String format = ctx.queryParam("format");
    if (format != null) {
      return switch (format.toLowerCase(Locale.ROOT)) {
        case "json" -> "json";
        case "markdown", "md" -> "markdown";
        case "pdf" -> "pdf";
        default -> throw Failure.invalidField("format", "must be json, markdown or pdf");
      };
    }
    String accept = ctx.header("Accept");
    if (accept != null) {
      String a = accept.toLowerCase(Locale.ROOT);
      if (a.contains("application/pdf")) {
        return "pdf";
      }
      if (a.contains("text/markdown")) {
        return "markdown";
      }
    }
    return "json";
  }

  private static String safe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  private static Instant instant(JsonBody body, String field) {
    String text = body.string(field, false);
    if (text == null) {
      return null;
    }
    try {
      Instant at = Instant.parse(text);
      if (at.isAfter(LATEST)) {
        throw Failure.invalidField(field, "must be before the year 10000");
      }
      return at;
    } catch (DateTimeParseException e) {
      throw Failure.invalidField(field, "must be an RFC 3339 time such as 2026-12-24T09:00:00Z");
    }
  }
}

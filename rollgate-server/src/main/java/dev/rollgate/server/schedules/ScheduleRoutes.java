package dev.rollgate.server.schedules;

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
import io.javalin.http.Context;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Set;

/** {@code /api/v1/projects/{p}/flags/{flag}/environments/{env}/schedules}. */
public final class ScheduleRoutes implements HttpApi.Routes {
  private static final String SCHEDULES =
      "/api/v1/projects/{project}/flags/{flag}/environments/{env}/schedules";
  private static final Set<String> CREATE_FIELDS = Set.of("at", "change", "comment");

  private final ScheduleService schedules;

  public ScheduleRoutes(ScheduleService schedules) {
    this.schedules = schedules;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        SCHEDULES,
        ctx -> {
          requireEdit(ctx);
          JsonBody b = body(ctx, CREATE_FIELDS);
          resource(
              ctx,
              201,
              schedules.create(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ctx.pathParam("env"),
                  new ScheduleService.Create(
                      instant(b.string("at", true)), b.raw("change"), b.string("comment", false))));
        });
    r.get(
        SCHEDULES,
        ctx -> {
          requireRead(ctx);
          items(
              ctx,
              schedules.list(
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ctx.pathParam("env"),
                  state(ctx)));
        });
    r.get(
        SCHEDULES + "/{id}",
        ctx -> {
          requireRead(ctx);
          resource(
              ctx,
              200,
              schedules.get(
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ctx.pathParam("env"),
                  ctx.pathParam("id")));
        });
    r.delete(
        SCHEDULES + "/{id}",
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              200,
              schedules.cancel(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ctx.pathParam("env"),
                  ctx.pathParam("id"),
                  ifMatch(ctx)));
        });
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw Failure.invalidField(
          "at", "must be an ISO-8601 instant such as 2026-12-24T08:00:00Z, not " + text);
    }
  }

  private static Schedule.State state(Context ctx) {
    String state = ctx.queryParam("state");
    if (state == null) {
      return null;
    }
    try {
      return Schedule.State.valueOf(state.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Failure.invalidField("state", "must be PENDING, APPLIED, FAILED or CANCELLED");
    }
  }
}

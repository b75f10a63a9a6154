package dev.rollgate.server.health;

import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireRead;

import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.flags.FlagService;
import dev.rollgate.server.http.HttpApi;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * {@code GET /api/v1/projects/{p}/environments/{env}/flags/{flag}/metrics?from=&to=&step=}: a
 * flag's request outcomes per step, variant and route. {@code from} and {@code to} are ISO-8601
 * instants or epoch milliseconds (default: the last hour), {@code step} is in seconds (default 60).
 */
public final class HealthRoutes implements HttpApi.Routes {
  private static final int MAX_STEPS = 10_000;

  private final Catalog catalog;
  private final Outcomes outcomes;
  private final Clock clock;

  public HealthRoutes(Catalog catalog, Outcomes outcomes, Clock clock) {
    this.catalog = catalog;
    this.outcomes = outcomes;
    this.clock = clock;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get("/api/v1/projects/{project}/environments/{env}/flags/{flag}/metrics", this::metrics);
  }

  private void metrics(Context ctx) {
    requireRead(ctx);
    String project = ctx.pathParam("project");
    String environment = ctx.pathParam("env");
    String flag = ctx.pathParam("flag");
    catalog.read(tx -> FlagService.view(tx, project, flag, environment)); // 404s
    long now = clock.millis();
    long to = instant(ctx, "to", now);
    long from = instant(ctx, "from", to - 3_600_000);
    long step = seconds(ctx.queryParam("step")) * 1000;
    if (from >= to) {
      throw Failure.invalidField("from", "must be before to");
    }
    if ((to - from) / step > MAX_STEPS) {
      throw Failure.invalidField("step", "makes more than " + MAX_STEPS + " steps");
    }
    json(ctx, 200, Plain.of(outcomes.metrics(project, environment, flag, from, to, step)), null);
  }

  private static long instant(Context ctx, String name, long fallback) {
    String value = ctx.queryParam(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      return value.chars().allMatch(Character::isDigit)
          ? Long.parseLong(value)
          : Instant.parse(value).toEpochMilli();
    } catch (DateTimeParseException | NumberFormatException e) {
      throw Failure.invalidField(name, "must be an ISO-8601 instant or epoch milliseconds");
    }
  }

  private static long seconds(String value) {
    if (value == null || value.isBlank()) {
      return 60;
    }
    try {
      long s = Long.parseLong(value);
      if (s < 1 || s > 86_400) {
        throw Failure.invalidField("step", "must be 1 to 86400 seconds");
      }
      return s;
    } catch (NumberFormatException e) {
      throw Failure.invalidField("step", "must be a whole number of seconds");
    }
  }
}

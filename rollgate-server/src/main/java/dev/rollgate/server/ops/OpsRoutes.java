package dev.rollgate.server.ops;

import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireRead;

import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.http.HttpApi;
import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code /health}, {@code /ready}, {@code /metrics} and the OpenAPI document, which need no API
 * token ({@code /metrics} can take a token and an address of its own, {@link HttpApi.Metrics}); and
 * {@code /api/v1/status} for the UI's status page, which takes a viewer token or better.
 */
public final class OpsRoutes implements HttpApi.Routes {
  private final StatusService status;
  private final PrometheusMeterRegistry meters;
  private final String openApi;

  public OpsRoutes(StatusService status, PrometheusMeterRegistry meters) {
    this.status = status;
    this.meters = meters;
    this.openApi = resource("/openapi.json");
  }

  private static String resource(String name) {
    try (InputStream in = OpsRoutes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }

  @Override
  public void register(RoutesConfig r) {
    r.get("/health", ctx -> json(ctx, 200, Map.of("status", "up"), null));
    r.get(
        "/ready",
        ctx -> {
          StatusService.Ready ready = status.ready();
          json(ctx, ready.ready() ? 200 : 503, Plain.of(ready), null);
        });
    r.get(
        "/api/v1/status",
        ctx -> {
          requireRead(ctx);
          json(ctx, 200, Plain.of(status.status()), null);
        });
    r.get(
        HttpApi.METRICS_PATH,
        ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape()));
    r.get("/api/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
  }
}

package dev.rollgate.server.ops;

import static dev.rollgate.server.http.Requests.json;

import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.http.HttpApi;
import io.javalin.config.RoutesConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code /health}, {@code /ready}, {@code /metrics} and the OpenAPI document. No API token needed;
 * {@code /metrics} can take a token and an address of its own ({@link HttpApi.Metrics}).
 */
public final class OpsRoutes implements HttpApi.Routes {
  private final Readiness readiness;
  private final Catalog catalog;
  private final PrometheusMeterRegistry meters;
  private final Supplier<String> syncProblem; // why this replica does not follow the store, or null
  private final String openApi;

  public OpsRoutes(
      Readiness readiness,
      Catalog catalog,
      PrometheusMeterRegistry meters,
      Supplier<String> syncProblem) {
    this.readiness = readiness;
    this.catalog = catalog;
    this.meters = meters;
    this.syncProblem = syncProblem;
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
          boolean store = readiness.storeAnswers(); // a probe's finding: no waiting here
          boolean snapshots = catalog.loaded();
          String problem =
              !store
                  ? "store unreachable"
                  : !snapshots ? "snapshots not loaded" : syncProblem.get();
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("status", problem == null ? "ready" : "not ready");
          body.put("store", store);
          body.put("snapshots", snapshots);
          if (problem != null) {
            body.put("reason", problem + "; evaluation and streaming go on from the last snapshot");
          }
          json(ctx, problem == null ? 200 : 503, body, null);
        });
    r.get(
        HttpApi.METRICS_PATH,
        ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(meters.scrape()));
    r.get("/api/v1/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
  }
}

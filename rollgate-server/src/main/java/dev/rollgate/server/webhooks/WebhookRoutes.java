package dev.rollgate.server.webhooks;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireAdmin;

import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import java.util.Map;

/** {@code /api/v1/webhooks}: admin only, since a webhook sees every change it subscribes to. */
public final class WebhookRoutes implements HttpApi.Routes {
  private final WebhookService webhooks;

  public WebhookRoutes(WebhookService webhooks) {
    this.webhooks = webhooks;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        "/api/v1/webhooks",
        ctx -> {
          requireAdmin(ctx);
          json(
              ctx, 201, webhooks.create(actor(ctx), body(ctx, WebhookService.CREATE_FIELDS)), null);
        });
    r.get(
        "/api/v1/webhooks",
        ctx -> {
          requireAdmin(ctx);
          json(ctx, 200, Map.of("items", webhooks.list()), null);
        });
    r.get(
        "/api/v1/webhooks/{id}",
        ctx -> {
          requireAdmin(ctx);
          json(ctx, 200, webhooks.get(ctx.pathParam("id")), null);
        });
    r.delete(
        "/api/v1/webhooks/{id}",
        ctx -> {
          requireAdmin(ctx);
          webhooks.delete(actor(ctx), ctx.pathParam("id"));
          ctx.status(204);
        });
    r.get(
        "/api/v1/webhooks/{id}/deliveries",
        ctx -> {
          requireAdmin(ctx);
          json(
              ctx,
              200,
              Map.of(
                  "items", webhooks.deliveries(ctx.pathParam("id"), Requests.limit(ctx, 50, 500))),
              null);
        });
  }
}

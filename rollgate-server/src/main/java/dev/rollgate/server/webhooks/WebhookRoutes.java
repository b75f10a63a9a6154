package dev.rollgate.server.webhooks;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.createdWithSecret;
import static dev.rollgate.server.http.Requests.items;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireAdmin;

import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import java.util.Set;

/** {@code /api/v1/webhooks}: admin only, since a webhook sees every change it subscribes to. */
public final class WebhookRoutes implements HttpApi.Routes {
  private static final Set<String> CREATE_FIELDS = Set.of("url", "events", "secret", "description");
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
          JsonBody b = body(ctx, CREATE_FIELDS);
          WebhookService.Created created =
              webhooks.create(
                  actor(ctx),
                  new WebhookService.Create(
                      b.string("url", true),
                      b.strings("events"),
                      b.string("secret", false),
                      b.string("description", false)));
          createdWithSecret(ctx, created.webhook(), created.secret());
        });
    r.get(
        "/api/v1/webhooks",
        ctx -> {
          requireAdmin(ctx);
          items(ctx, webhooks.list());
        });
    r.get(
        "/api/v1/webhooks/{id}",
        ctx -> {
          requireAdmin(ctx);
          json(ctx, 200, Plain.of(webhooks.get(ctx.pathParam("id"))), null);
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
          items(ctx, webhooks.deliveries(ctx.pathParam("id"), Requests.limit(ctx, 50, 500)));
        });
  }
}

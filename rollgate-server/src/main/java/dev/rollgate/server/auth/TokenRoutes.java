package dev.rollgate.server.auth;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.createdWithSecret;
import static dev.rollgate.server.http.Requests.items;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireAdmin;

import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import io.javalin.config.RoutesConfig;
import java.util.Set;

/** {@code /api/v1/tokens}: admins only. */
public final class TokenRoutes implements HttpApi.Routes {
  private static final Set<String> CREATE = Set.of("name", "role", "project", "environment");

  private final TokenService tokens;

  public TokenRoutes(TokenService tokens) {
    this.tokens = tokens;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(
        "/api/v1/tokens",
        ctx -> {
          requireAdmin(ctx);
          items(ctx, tokens.list());
        });
    r.post(
        "/api/v1/tokens",
        ctx -> {
          requireAdmin(ctx);
          JsonBody b = body(ctx, CREATE);
          TokenService.Created created =
              tokens.create(
                  actor(ctx),
                  new TokenService.Create(
                      b.string("name", true),
                      b.string("role", true),
                      b.string("project", false),
                      b.string("environment", false)));
          createdWithSecret(ctx, created.token(), created.secret());
        });
    r.delete(
        "/api/v1/tokens/{id}",
        ctx -> {
          requireAdmin(ctx);
          json(ctx, 200, Plain.of(tokens.revoke(actor(ctx), ctx.pathParam("id"))), null);
        });
  }
}

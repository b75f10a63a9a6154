package dev.rollgate.server.auth;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireAdmin;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import io.javalin.config.RoutesConfig;
import java.util.Map;
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
          json(
              ctx,
              200,
              Map.of("items", tokens.list().stream().map(TokenService.Token::toJson).toList()),
              null);
        });
    r.post(
        "/api/v1/tokens",
        ctx -> {
          requireAdmin(ctx);
          JsonBody b = body(ctx, CREATE);
          String name = b.string("name", true);
          if (name.isBlank() || name.length() > 200) {
            throw Failure.invalidField("name", "must be 1-200 characters");
          }
          String roleName = b.string("role", true);
          Role role = Role.parse(roleName);
          if (role == null) {
            throw Failure.invalidField("role", "must be admin, editor, viewer or sdk");
          }
          String project = b.string("project", false);
          String environment = b.string("environment", false);
          if (role == Role.SDK && (project == null || environment == null)) {
            throw Failure.invalidField(
                project == null ? "project" : "environment", "is required for an sdk token");
          }
          if (role != Role.SDK && (project != null || environment != null)) {
            throw Failure.invalidField(
                project != null ? "project" : "environment",
                "only sdk tokens are bound to a project and environment");
          }
          TokenService.Created created =
              tokens.create(actor(ctx), name, role, project, environment);
          Map<String, Object> out = created.token().toJson();
          out.put("secret", created.secret());
          json(ctx, 201, out, null);
        });
    r.delete(
        "/api/v1/tokens/{id}",
        ctx -> {
          requireAdmin(ctx);
          json(ctx, 200, tokens.revoke(actor(ctx), ctx.pathParam("id")).toJson(), null);
        });
  }
}

package dev.rollgate.server.oidc;

import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.json;

import dev.rollgate.server.auth.Token;
import dev.rollgate.server.http.HttpApi;
import io.javalin.config.RoutesConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/auth/oidc}: an identity token in, a short-lived Rollgate token out. It takes
 * no Authorization header (the identity token is the credential) and is rate-limited per address,
 * as the sign-in is.
 */
public final class OidcRoutes implements HttpApi.Routes {
  private static final Set<String> EXCHANGE = Set.of("token");

  private final OidcService oidc;

  public OidcRoutes(OidcService oidc) {
    this.oidc = oidc;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        HttpApi.OIDC_PATH,
        ctx -> {
          String identityToken = body(ctx, EXCHANGE).string("token", true);
          OidcService.Exchanged exchanged =
              oidc.exchange(new OidcService.Exchange(identityToken, ctx.ip()));
          json(ctx, 201, shown(exchanged), null);
        });
  }

  private static Map<String, Object> shown(OidcService.Exchanged exchanged) {
    Token token = exchanged.token();
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("token", exchanged.secret());
    shown.put("id", token.id());
    shown.put("name", token.name());
    shown.put("role", token.role().label());
    shown.put("project", token.project());
    shown.put("environment", token.environment());
    shown.put("expiresAt", token.expiresAt().toString());
    shown.put("issuer", exchanged.issuer());
    shown.put("subject", exchanged.subject());
    shown.put("rule", exchanged.rule());
    return shown;
  }
}

package dev.rollgate.server.sessions;

import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.json;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.HttpApi;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/session}: the web UI's sign-in (a token for an HttpOnly, SameSite=Strict cookie),
 * who is signed in, and sign-out.
 */
public final class SessionRoutes implements HttpApi.Routes {
  private static final Set<String> SIGN_IN = Set.of("token");

  private final SessionService sessions;

  public SessionRoutes(SessionService sessions) {
    this.sessions = sessions;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        HttpApi.SESSION_PATH,
        ctx -> {
          SessionService.Opened opened = sessions.signIn(body(ctx, SIGN_IN).string("token", true));
          ctx.header("Set-Cookie", cookie(ctx, opened.secret(), sessions.lifetime().toSeconds()));
          json(ctx, 201, shown(opened.session()), null);
        });
    r.get(HttpApi.SESSION_PATH, ctx -> json(ctx, 200, shown(current(ctx)), null));
    r.delete(
        HttpApi.SESSION_PATH,
        ctx -> {
          sessions.signOut(current(ctx));
          ctx.header("Set-Cookie", cookie(ctx, "", 0));
          ctx.status(204);
        });
  }

  /**
   * The session of the request's cookie, which the edge checked (with the CSRF token on a change)
   * only when no token came with the request: with a token, the request is not the session's.
   */
  private SessionService.Session current(Context ctx) {
    boolean token =
        ctx.header("Authorization") != null || ctx.header(HttpApi.API_KEY_HEADER) != null;
    SessionService.Session session =
        token ? null : sessions.resolve(ctx.cookie(HttpApi.SESSION_COOKIE));
    if (session == null) {
      throw Failure.notFound("session (this request was not made with a session cookie)");
    }
    return session;
  }

  /**
   * Only the API reads the cookie, so it goes nowhere else; Secure whenever the browser reached us
   * over TLS, directly or through a proxy that says so.
   */
  private static String cookie(Context ctx, String value, long maxAgeSeconds) {
    boolean tls = ctx.req().isSecure() || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    return HttpApi.SESSION_COOKIE
        + "="
        + value
        + "; Path=/api/; Max-Age="
        + maxAgeSeconds
        + "; HttpOnly; SameSite=Strict"
        + (tls ? "; Secure" : "");
  }

  private static Map<String, Object> shown(SessionService.Session session) {
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("id", session.id());
    shown.put("tokenId", session.principal().tokenId());
    shown.put("name", session.principal().name());
    shown.put("role", session.principal().role().label());
    shown.put("expiresAt", session.expiresAt().toString());
    shown.put("csrfToken", session.csrfToken());
    return shown;
  }
}

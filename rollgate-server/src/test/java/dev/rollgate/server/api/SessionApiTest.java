package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The web UI's sessions over a real socket: the cookie, the CSRF token, expiry, sign-out. */
class SessionApiTest extends ServerTestBase {

  private ApiClient anonymous() {
    return admin.withToken(null);
  }

  /** Signs in with a token; the session answer, and the cookie's secret under "secret". */
  private Map<String, Object> signIn(String token) {
    ApiClient.Response r = anonymous().post("/api/v1/session", Map.of("token", token));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    String cookie = r.header("Set-Cookie");
    assertThat(cookie)
        .startsWith("rollgate_session=rgs_")
        .contains("; Path=/api/", "; HttpOnly", "; SameSite=Strict", "; Max-Age=43200")
        .doesNotContain("Secure"); // plain HTTP here; Secure over TLS
    Map<String, Object> session = new java.util.HashMap<>(r.object());
    session.put("secret", cookie.substring("rollgate_session=".length(), cookie.indexOf(';')));
    return session;
  }

  private ApiClient.Response withCookie(
      String method, String path, Object body, Map<String, Object> session, String csrf) {
    String[] headers =
        csrf == null
            ? new String[] {"Cookie", "rollgate_session=" + session.get("secret")}
            : new String[] {
              "Cookie", "rollgate_session=" + session.get("secret"), "X-CSRF-Token", csrf
            };
    return anonymous().send(method, path, body, headers);
  }

  @Test
  void aSessionActsAsItsTokenAndChangesNeedTheCsrfToken() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    Map<String, Object> session = signIn(TestServer.ADMIN_TOKEN);
    assertThat(session)
        .containsEntry("role", "admin")
        .containsEntry("name", "bootstrap-admin")
        .containsKeys("csrfToken", "expiresAt", "id");
    assertThat(session.toString()).doesNotContain(TestServer.ADMIN_TOKEN);

    assertThat(withCookie("GET", P + "/flags", null, session, null).status()).isEqualTo(200);
    ApiClient.Response me = withCookie("GET", "/api/v1/session", null, session, null);
    assertThat(me.object()).containsEntry("csrfToken", session.get("csrfToken"));
    // With a token beside the cookie the request is the token's: it neither reads nor ends the
    // session (the edge checked no CSRF token for it).
    String sdk = server.sdkToken();
    String cookie = "rollgate_session=" + session.get("secret");
    assertThat(admin.withToken(sdk).send("GET", "/api/v1/session", null, "Cookie", cookie).status())
        .isIn(403, 404);
    assertThat(admin.send("DELETE", "/api/v1/session", null, "Cookie", cookie).status())
        .isEqualTo(404);
    assertThat(withCookie("GET", P + "/flags", null, session, null).status()).isEqualTo(200);

    String path = P + "/flags/new-checkout/environments/production";
    Map<String, Object> off = Map.of("state", "DISABLED");
    ApiClient.Response noCsrf = withCookie("PATCH", path, off, session, null);
    assertThat(noCsrf.status()).isEqualTo(403);
    assertThat(noCsrf.object()).containsEntry("code", "csrf_token_invalid");
    assertThat(withCookie("PATCH", path, off, session, "0".repeat(64)).status()).isEqualTo(403);
    ApiClient.Response ok =
        withCookie("PATCH", path, off, session, (String) session.get("csrfToken"));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
    // In the audit trail the change is the token's, and the sign-in is recorded (for admins).
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> events =
        (List<Map<String, Object>>) admin.get("/api/v1/audit").object().get("items");
    assertThat(events)
        .anySatisfy(e -> assertThat(e).containsEntry("action", "session.create"))
        .anySatisfy(e ->
            assertThat(e)
                .containsEntry("action", "flag.disable")
                .containsEntry("actor", "bootstrap-admin"));
  }

  @Test
  void signOutEndsTheSessionAndClearsTheCookie() {
    Map<String, Object> session = signIn(TestServer.ADMIN_TOKEN);
    assertThat(withCookie("DELETE", "/api/v1/session", null, session, null).status())
        .isEqualTo(403); // sign-out is a change too
    ApiClient.Response out =
        withCookie("DELETE", "/api/v1/session", null, session, (String) session.get("csrfToken"));
    assertThat(out.status()).isEqualTo(204);
    assertThat(out.header("Set-Cookie")).startsWith("rollgate_session=;").contains("Max-Age=0");
    ApiClient.Response after = withCookie("GET", P + "/flags", null, session, null);
    assertThat(after.status()).isEqualTo(401);
    assertThat(after.object()).containsEntry("code", "session_expired");
  }

  @Test
  void anExpiredSessionOrARevokedTokenEndsIt() throws SQLException {
    ApiClient.Response created =
        admin.post("/api/v1/tokens", Map.of("name", "ed", "role", "editor"));
    String editor = (String) created.object().get("secret");
    Map<String, Object> viaEditor = signIn(editor);
    Map<String, Object> viaAdmin = signIn(TestServer.ADMIN_TOKEN);
    assertThat(withCookie("GET", P + "/flags", null, viaEditor, null).status()).isEqualTo(200);

    assertThat(admin.delete("/api/v1/tokens/" + created.object().get("id")).status())
        .isEqualTo(200);
    assertThat(withCookie("GET", P + "/flags", null, viaEditor, null).status()).isEqualTo(401);

    try (Connection db = server.connect();
        Statement st = db.createStatement()) {
      st.executeUpdate("UPDATE sessions SET expires_at = 0");
    }
    ApiClient.Response expired = withCookie("GET", P + "/flags", null, viaAdmin, null);
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.object()).containsEntry("code", "session_expired");
  }

  @Test
  void signInRefusesSdkAndUnknownTokensAndBadBodies() {
    ApiClient.Response sdk =
        anonymous().post("/api/v1/session", Map.of("token", server.sdkToken()));
    assertThat(sdk.status()).isEqualTo(403);
    assertThat(sdk.header("Set-Cookie")).isNull();
    ApiClient.Response unknown = anonymous().post("/api/v1/session", Map.of("token", "rgt_nope"));
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.object()).containsKeys("requestId", "message");
    assertThat(anonymous().post("/api/v1/session", Map.of()).status()).isEqualTo(400);
    assertThat(anonymous().post("/api/v1/session", Map.of("token", 5)).status()).isEqualTo(400);
    assertThat(
            anonymous()
                .send("POST", "/api/v1/session", "{\"token\":", "Content-Type", "application/json")
                .status())
        .isEqualTo(400);
    // A session cookie is for the admin API: evaluation takes sdk tokens only.
    Map<String, Object> session = signIn(TestServer.ADMIN_TOKEN);
    assertThat(
            withCookie(
                    "POST",
                    "/ofrep/v1/evaluate/flags",
                    Map.of("context", Map.of()),
                    session,
                    (String) session.get("csrfToken"))
                .status())
        .isEqualTo(401);
    // Without a cookie, GET /api/v1/session is a 401 like every other route.
    assertThat(anonymous().get("/api/v1/session").status()).isEqualTo(401);
  }
}

package dev.rollgate.server.api;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Runs each test of a subclass against a fresh server on SQLite and on PostgreSQL. */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreKind.class)
abstract class ServerTestBase {
  static final String P = "/api/v1/projects/default";

  @Parameter StoreKind store;

  TestServer server;
  ApiClient admin;

  @BeforeEach
  void startServer() {
    server = TestServer.start(store, environment(), clock());
    admin = server.admin();
  }

  /** Settings the server of each test starts with, over {@link TestServer}'s own. */
  Map<String, String> environment() {
    return Map.of();
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** The clock the server of each test runs on. */
  Clock clock() {
    return Clock.systemUTC();
  }

  /** A boolean flag, on for pro users in production. */
  static Map<String, Object> checkoutFlag() {
    return TestFlags.checkout();
  }

  private int tokens;

  /**
   * Creates a token with {@code role} (and a name of its own: names are unique); returns its
   * secret.
   */
  String token(String role) {
    String name = role + "-token-" + ++tokens;
    Map<String, Object> body =
        role.equals("sdk")
            ? Map.of("name", name, "role", role, "project", "default", "environment", "production")
            : Map.of("name", name, "role", role);
    ApiClient.Response r = admin.post("/api/v1/tokens", body);
    if (r.status() != 201) {
      throw new AssertionError("token creation failed: " + r);
    }
    return (String) r.object().get("secret");
  }
}

package dev.rollgate.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;

/**
 * One real server (embedded store) for every input of a fuzz run, with a flag and an sdk token: the
 * inputs go through its socket, as an attacker's would.
 */
final class FuzzedServer {
  private static TestServer server;
  private static ApiClient sdk;

  private FuzzedServer() {}

  /** The sdk client, starting the server on first use. */
  static synchronized ApiClient sdk() {
    if (server == null) {
      server = TestServer.start(StoreKind.SQLITE, Map.of("ROLLGATE_RATE_LIMIT_EVALUATIONS", "0"));
      ApiClient admin = server.admin();
      assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
      sdk = admin.withToken(server.sdkToken());
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    }
    return sdk;
  }

  /**
   * The server's answer must be its own: under 500, and an error is a JSON object: Rollgate's error
   * (status, code, message, request id) or, on OFREP's evaluation paths, OFREP's (an errorCode).
   */
  static void assertHandled(ApiClient.Response r) {
    assertThat(r.status()).as(r.toString()).isLessThan(500);
    if (r.status() >= 400) {
      Map<String, Object> error =
          assertThat(Json.parse(r.text()))
              .as(r.toString())
              .asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
              .actual();
      if (!error.containsKey("errorCode")) {
        assertThat(error).as(r.toString()).containsKeys("status", "code", "message", "requestId");
      }
    }
  }
}

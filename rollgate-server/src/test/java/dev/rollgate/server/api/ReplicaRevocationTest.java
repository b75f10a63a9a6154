package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.SseListener;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A token revoked on one replica ends its streams on the others too. */
class ReplicaRevocationTest {
  private static final Map<String, String> FAST_SYNC = Map.of("ROLLGATE_SYNC_SECONDS", "1");

  @Test
  void aStreamOnAnotherReplicaEndsWhenItsTokenIsRevoked() throws Exception {
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, FAST_SYNC);
        TestServer b = a.replica(null, FAST_SYNC)) {
      Response created =
          a.admin()
              .post(
                  "/api/v1/tokens",
                  Map.of(
                      "name",
                      "sdk-on-b",
                      "role",
                      "sdk",
                      "project",
                      "default",
                      "environment",
                      "production"));
      String secret = (String) created.object().get("secret");
      String id = (String) created.object().get("id");
      long deadline = System.nanoTime() + 20_000_000_000L;
      while (b.as(secret).get("/api/v1/sdk/flags").status() != 200) {
        assertThat(System.nanoTime()).as("the token reached B").isLessThan(deadline);
        Thread.sleep(100);
      }
      try (SseListener stream =
          new SseListener(b.admin().base() + "/api/v1/stream", secret, null)) {
        stream.next("configuration", 10);
        assertThat(a.admin().delete("/api/v1/tokens/" + id).status()).isEqualTo(200);
        assertThat(stream.awaitEnd(10)).as("B ended the revoked token's stream").isTrue();
      }
      assertThat(b.as(secret).get("/api/v1/sdk/flags").status()).isEqualTo(401);
    }
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.RawHttp;
import dev.rollgate.server.testing.SseListener;
import dev.rollgate.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What one token may hold open, and for how long: streams per token, streams of a revoked token,
 * and a request that names two credentials.
 */
class StreamAccessTest extends ServerTestBase {
  private static final String STREAM = "/api/v1/stream";

  private static String tokenId(ApiClient admin, String name) {
    List<?> items = (List<?>) admin.get("/api/v1/tokens").object().get("items");
    return items.stream()
        .map(t -> (Map<?, ?>) t)
        .filter(t -> name.equals(t.get("name")))
        .map(t -> (String) t.get("id"))
        .findFirst()
        .orElseThrow();
  }

  private String sdkToken(ApiClient client, String name) {
    Response r =
        client.post(
            "/api/v1/tokens",
            Map.of("name", name, "role", "sdk", "project", "default", "environment", "production"));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return (String) r.object().get("secret");
  }

  @Test
  void aTokenHoldsAtMostTheConfiguredNumberOfStreams() throws Exception {
    Map<String, String> env =
        Map.of("ROLLGATE_MAX_STREAMS_PER_TOKEN", "2", "ROLLGATE_STREAM_HEARTBEAT_SECONDS", "1");
    try (TestServer limited = TestServer.start(store, env)) {
      String secret = sdkToken(limited.admin(), "sdk-a");
      String url = limited.admin().base() + STREAM;
      SseListener first = new SseListener(url, secret, null);
      try (SseListener second = new SseListener(url, secret, null)) {
        first.next("configuration", 10);
        second.next("configuration", 10);

        try (SseListener third = new SseListener(url, secret, null)) {
          assertThat(third.status()).isEqualTo(429);
        }
        String refused =
            RawHttp.send(
                limited.admin().base(),
                "GET "
                    + STREAM
                    + " HTTP/1.1\r\nHost: x\r\nX-API-Key: "
                    + secret
                    + "\r\nAccept: text/event-stream\r\nConnection: close\r\n\r\n");
        assertThat(refused).startsWith("HTTP/1.1 429");
        assertThat(refused.toLowerCase(java.util.Locale.ROOT)).contains("\r\nretry-after: ");
        Map<?, ?> error = (Map<?, ?>) Json.parse(refused.substring(refused.indexOf("\r\n\r\n")));
        assertThat(error.get("code")).isEqualTo("too_many_streams");
        assertThat(error.get("requestId")).isNotNull();

        // Another token has streams of its own.
        try (SseListener other = new SseListener(url, sdkToken(limited.admin(), "sdk-b"), null)) {
          other.next("configuration", 10);
        }

        // A stream that ends gives its place back (noticed at the latest at the next heartbeat).
        first.close();
        long deadline = System.nanoTime() + 20_000_000_000L;
        boolean reopened = false;
        while (!reopened && System.nanoTime() < deadline) {
          try (SseListener again = new SseListener(url, secret, null)) {
            reopened = again.status() == 200;
            if (reopened) {
              again.next("configuration", 10);
            } else {
              Thread.sleep(200);
            }
          }
        }
        assertThat(reopened).as("a stream could be opened again").isTrue();
      } finally {
        first.close();
      }
    }
  }

  @Test
  void revokingATokenEndsItsStreamsAtOnce() throws Exception {
    String revoked = sdkToken(admin, "to-revoke");
    String kept = sdkToken(admin, "to-keep");
    String url = admin.base() + STREAM;
    admin.post(P + "/flags", checkoutFlag());
    try (SseListener gone = new SseListener(url, revoked, null);
        SseListener stays = new SseListener(url, kept, null)) {
      gone.next("configuration", 10);
      stays.next("configuration", 10);

      Response revoke = admin.delete("/api/v1/tokens/" + tokenId(admin, "to-revoke"));
      assertThat(revoke.status()).isEqualTo(200);
      assertThat(gone.awaitEnd(5)).as("the revoked token's stream ended").isTrue();

      admin.patch(P + "/flags/new-checkout/environments/production", Map.of("state", "DISABLED"));
      assertThat(stays.next("configuration", 10).data()).contains("DISABLED");
      assertThat(stays.awaitEnd(0)).isFalse();
    }
    try (SseListener again = new SseListener(url, revoked, null)) {
      assertThat(again.status()).isEqualTo(401);
    }
  }

  @Test
  void aRequestWithBothAuthorizationAndApiKeyIsRefused() {
    String sdk = token("sdk");
    admin.post(P + "/flags", checkoutFlag());
    for (String apiKey : new String[] {sdk, TestServer.ADMIN_TOKEN}) {
      Response r =
          admin.send(
              "POST",
              "/ofrep/v1/evaluate/flags/new-checkout",
              Map.of("context", Map.of()),
              "X-API-Key",
              apiKey);
      assertThat(r.status()).as(apiKey).isEqualTo(400);
      assertThat(r.object())
          .containsEntry("code", "ambiguous_credentials")
          .containsKey("requestId");
    }
    Response admins = admin.send("GET", P, null, "X-API-Key", sdk);
    assertThat(admins.status()).isEqualTo(400);
    assertThat(admins.object()).containsEntry("code", "ambiguous_credentials");
  }
}

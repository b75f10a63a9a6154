package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.SseListener;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TcpProxy;
import dev.rollgate.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Replicas on one PostgreSQL stay in step, and ride out a database outage. */
class ReplicaTest {
  private static final String P = "/api/v1/projects/default";
  private static final Map<String, String> FAST_SYNC = Map.of("ROLLGATE_SYNC_SECONDS", "1");

  private static Map<String, Object> banner(String defaultVariant) {
    return Map.of(
        "key",
        "banner",
        "variants",
        Map.of("a", "Hello", "b", "Hi"),
        "defaultVariant",
        defaultVariant,
        "environments",
        Map.of("production", Map.of("state", "ENABLED")));
  }

  private static Object bannerValue(ApiClient sdk) {
    Response r = sdk.post("/ofrep/v1/evaluate/flags/banner", Map.of("context", Map.of()));
    return r.status() == 200 ? r.object().get("value") : r.status();
  }

  private static void eventually(Supplier<Object> actual, Object expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    Object last = null;
    while (System.nanoTime() < deadline) {
      last = actual.get();
      if (expected.equals(last)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("expected " + expected + ", still " + last);
  }

  @Test
  void aChangeOnOneReplicaReachesTheOtherAndItsStreamClients() throws Exception {
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, FAST_SYNC);
        TestServer b = a.replica(null, FAST_SYNC)) {
      a.admin().post(P + "/flags", banner("a"));
      String secret = a.sdkToken();
      ApiClient sdkOnB = b.as(secret);
      eventually(() -> bannerValue(sdkOnB), "Hello"); // the token and the flag both reached B

      try (SseListener stream =
          new SseListener(b.admin().base() + "/api/v1/stream", secret, null)) {
        stream.next("configuration", 10);
        long sent = System.nanoTime();
        a.admin().patch(P + "/flags/banner/environments/production", Map.of("defaultVariant", "b"));
        SseListener.Event event = stream.next("configuration", 10);
        assertThat(event.data()).contains("\"defaultVariant\":\"b\"");
        System.out.printf("cross-replica propagation: %.1f ms%n", (System.nanoTime() - sent) / 1e6);
      }
      assertThat(bannerValue(sdkOnB)).isEqualTo("Hi");

      // A token revoked on A stops working on B.
      String id =
          (String)
              ((Map<?, ?>)
                      ((List<?>) a.admin().get("/api/v1/tokens").object().get("items"))
                          .stream()
                              .filter(t -> "sdk".equals(((Map<?, ?>) t).get("role")))
                              .findFirst()
                              .orElseThrow())
                  .get("id");
      a.admin().delete("/api/v1/tokens/" + id);
      eventually(() -> bannerValue(sdkOnB), 401);
    }
  }

  @Test
  void aReplicaCutOffFromTheDatabaseKeepsEvaluatingAndCatchesUp() throws Exception {
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, FAST_SYNC);
        TcpProxy proxy = new TcpProxy(5432)) {
      String viaProxy = a.dbUrl().replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port());
      try (TestServer b = a.replica(viaProxy, FAST_SYNC)) {
        a.admin().post(P + "/flags", banner("a"));
        ApiClient sdkOnB = b.as(a.sdkToken());
        eventually(() -> bannerValue(sdkOnB), "Hello");

        proxy.cut();
        assertThat(bannerValue(sdkOnB)).isEqualTo("Hello"); // from the last snapshot
        eventually(() -> b.as(null).get("/ready").status(), 503);
        assertThat((String) b.as(null).get("/ready").object().get("reason"))
            .contains("unreachable");
        Response write = b.admin().patch(P, Map.of("description", "during the outage"));
        assertThat(write.status()).isEqualTo(503);
        assertThat(write.object()).containsEntry("code", "store_unavailable");

        a.admin().patch(P + "/flags/banner/environments/production", Map.of("defaultVariant", "b"));
        assertThat(bannerValue(sdkOnB)).isEqualTo("Hello"); // B cannot know yet

        proxy.restore();
        eventually(() -> bannerValue(sdkOnB), "Hi"); // caught up without a restart
        eventually(() -> b.as(null).get("/ready").status(), 200);
      }
    }
  }
}

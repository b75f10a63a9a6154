package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.SseListener;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rollout changed on one replica reaches the live feeds watching it on another. */
class RolloutLiveReplicaTest {
  private static final String ROLLOUT =
      "/api/v1/projects/default/environments/production/flags/new-checkout/rollout";

  @SuppressWarnings("unchecked")
  private static Map<String, Object> data(SseListener.Event e) {
    return (Map<String, Object>) Json.parse(e.data());
  }

  @Test
  void aManualActionOnOneReplicaIsPushedToAWatcherOnAnother() throws Exception {
    // B's feed ticks ten minutes apart: what reaches its watcher comes by the change notification.
    Map<String, String> slowFeed =
        Map.of("ROLLGATE_LIVE_INTERVAL_MS", "600000", "ROLLGATE_SYNC_SECONDS", "1");
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, Map.of("ROLLGATE_SYNC_SECONDS", "1"));
        TestServer b = a.replica(null, slowFeed)) {
      ApiClient onA = a.admin();
      assertThat(onA.post("/api/v1/projects/default/flags", TestFlags.checkout()).status())
          .isEqualTo(201);
      assertThat(
              onA.post(ROLLOUT, Map.of("treatment", "on", "plan", Map.of("windowSeconds", 3600)))
                  .status())
          .isEqualTo(201);
      try (SseListener stream =
          new SseListener(b.admin().base() + ROLLOUT + "/live", TestServer.ADMIN_TOKEN, null)) {
        assertThat(data(stream.next("rollout", 10)))
            .containsEntry("state", "RUNNING")
            .containsEntry("stage", 0L);

        ApiClient.Response advanced =
            onA.send("POST", ROLLOUT + "/advance", null, "If-Match", "\"1\"");
        assertThat(advanced.status()).as(advanced.toString()).isEqualTo(200);
        assertThat(data(stream.next("rollout", 10)))
            .containsEntry("stage", 1L)
            .containsEntry("percent", 10.0)
            .containsEntry("version", 2L);

        onA.send("POST", ROLLOUT + "/pause", null, "If-Match", "\"2\"");
        assertThat(data(stream.next("rollout", 10)))
            .containsEntry("state", "PAUSED")
            .containsEntry("version", 3L);
      }
    }
  }
}

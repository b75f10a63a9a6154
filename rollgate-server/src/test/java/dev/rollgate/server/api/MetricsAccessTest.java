package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} names every project's flags and variants: it can take a token of its own, and
 * move to an address of its own.
 */
class MetricsAccessTest {
  private static final String P = "/api/v1/projects/default";
  private static final String METRICS_TOKEN = "metrics-scraper-secret-0123456789";

  @Test
  void aMetricsTokenIsRequiredOnceConfigured() {
    try (TestServer server =
        TestServer.start(StoreKind.SQLITE, Map.of("ROLLGATE_METRICS_TOKEN", METRICS_TOKEN))) {
      server.admin().post(P + "/flags", TestFlags.checkout());
      for (String token :
          new String[] {null, "wrong", METRICS_TOKEN + "x", TestServer.ADMIN_TOKEN}) {
        Response r = server.as(token).get("/metrics");
        assertThat(r.status()).as(String.valueOf(token)).isEqualTo(401);
        assertThat(r.object()).containsEntry("code", "unauthorized").containsKey("requestId");
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(r.text()).doesNotContain("new-checkout");
      }
      for (String spelling : new String[] {"/metrics/", "/metrics?format=text", "//metrics"}) {
        assertThat(server.as(null).get(spelling).status()).as(spelling).isIn(401, 404);
      }
      Response scraped = server.as(METRICS_TOKEN).get("/metrics");
      assertThat(scraped.status()).isEqualTo(200);
      assertThat(scraped.text()).contains("jvm_memory_used_bytes");
      // The metrics token is no API token.
      assertThat(server.as(METRICS_TOKEN).get(P).status()).isEqualTo(401);
      assertThat(server.as(null).get("/ready").status()).isEqualTo(200);
    }
  }

  @Test
  void aMetricsPortServesMetricsAndTheMainPortNoLonger() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (TestServer server =
        TestServer.start(
            StoreKind.SQLITE,
            Map.of("ROLLGATE_METRICS_HOST", "127.0.0.1", "ROLLGATE_METRICS_PORT", "" + port))) {
      Response main = server.as(null).get("/metrics");
      assertThat(main.status()).isEqualTo(404);
      assertThat(main.object()).containsEntry("code", "not_found");
      assertThat(server.as(null).get("/metrics/").status()).isEqualTo(404);

      ApiClient metrics = server.as(TestServer.ADMIN_TOKEN).withBase("http://127.0.0.1:" + port);
      Response scraped = metrics.get("/metrics");
      assertThat(scraped.status()).isEqualTo(200);
      assertThat(scraped.text()).contains("jvm_memory_used_bytes");
      // Only metrics there: the API stays on the main port.
      assertThat(metrics.get(P).status()).isEqualTo(404);
      assertThat(metrics.get("/health").status()).isEqualTo(404);
      assertThat(server.admin().get(P).status()).isEqualTo(200);
    }
  }
}

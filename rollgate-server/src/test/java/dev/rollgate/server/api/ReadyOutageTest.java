package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TcpProxy;
import dev.rollgate.server.testing.TestServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code /ready} answers from the state a background probe keeps: at once during a database outage
 * (not after the pool's connection timeout), and ready again once the store answers.
 */
class ReadyOutageTest {
  private static final Map<String, String> FAST_SYNC = Map.of("ROLLGATE_SYNC_SECONDS", "1");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  /** {@code /ready}'s status; an answer slower than a second fails the test. */
  private static int ready(TestServer server) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(server.admin().base() + "/ready"))
            .timeout(Duration.ofSeconds(1))
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  private static void eventuallyReady(TestServer server, int expected) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    int last = ready(server);
    while (last != expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
      last = ready(server);
    }
    assertThat(last).isEqualTo(expected);
  }

  @Test
  void readinessAnswersWithinASecondThroughAnOutageAndRecovers() throws Exception {
    try (TestServer a = TestServer.start(StoreKind.POSTGRES, FAST_SYNC);
        TcpProxy proxy = new TcpProxy(5432)) {
      String viaProxy = a.dbUrl().replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port());
      try (TestServer b = a.replica(viaProxy, FAST_SYNC)) {
        assertThat(ready(b)).isEqualTo(200);

        proxy.cut();
        eventuallyReady(b, 503);
        // Spaced out: the pool fails at once only right after a failed attempt, else waits 3 s.
        for (int i = 0; i < 5; i++) {
          Thread.sleep(500);
          assertThat(ready(b)).isEqualTo(503);
        }

        proxy.restore();
        long restored = System.nanoTime();
        eventuallyReady(b, 200);
        System.out.printf("ready again after %.0f ms%n", (System.nanoTime() - restored) / 1e6);
      }
    }
  }
}

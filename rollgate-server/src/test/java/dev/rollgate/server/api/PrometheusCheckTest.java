package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rollgate.server.testing.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Prometheus checks against a real Prometheus (Debian's {@code prometheus} package) that scrapes an
 * exporter this test serves. Skipped, saying why, where the binary is not installed; {@code
 * .ci/run} installs it.
 */
@SuppressWarnings("unchecked")
class PrometheusCheckTest extends ServerTestBase {
  private static final Path BINARY = Path.of("/usr/bin/prometheus");
  private static final AtomicLong LAG = new AtomicLong(120);
  private static HttpServer exporter;
  private static Process prometheus;
  private static Path dir;
  private static int port;

  @BeforeAll
  static void startPrometheus() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(BINARY),
        "skipped: no Prometheus at " + BINARY + " (apt-get install prometheus)");
    exporter = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    exporter.createContext(
        "/metrics",
        exchange -> {
          byte[] body =
              ("# TYPE consumer_lag gauge\nconsumer_lag{queue=\"orders\"} " + LAG.get() + "\n")
                  .getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    exporter.start();
    dir = Files.createTempDirectory("rollgate-prometheus");
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(
        config,
        """
        global:
          scrape_interval: 1s
        scrape_configs:
          - job_name: app
            static_configs:
              - targets: ['127.0.0.1:%d']
        """
            .formatted(exporter.getAddress().getPort()));
    prometheus =
        new ProcessBuilder(
                BINARY.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    awaitFirstScrape();
  }

  /** Waits (on Prometheus's own scrape schedule) until the exporter's series is queryable. */
  private static void awaitFirstScrape() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI query = URI.create(prometheusUrl() + "/api/v1/query?query=consumer_lag");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        String body =
            http.send(HttpRequest.newBuilder(query).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        if (body.contains("\"orders\"")) {
          return;
        }
      } catch (IOException notYet) {
        // Prometheus is still starting.
      }
      Thread.sleep(200);
    }
    throw new AssertionError(
        "Prometheus never scraped the exporter: "
            + Files.readString(dir.resolve("prometheus.log")));
  }

  private static String prometheusUrl() {
    return "http://127.0.0.1:" + port;
  }

  @AfterAll
  static void stopPrometheus() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (exporter != null) {
      exporter.stop(0);
    }
  }

  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_PROMETHEUS_URL", prometheusUrl());
  }

  private Map<String, Object> run(String id) {
    ApiClient.Response r = admin.post(P + "/health-checks/" + id + "/run", null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return (Map<String, Object>) r.object().get("result");
  }

  private String create(String name, String query) {
    ApiClient.Response r =
        admin.post(
            P + "/health-checks",
            Map.of(
                "name",
                name,
                "type",
                "prometheus",
                "query",
                query,
                "comparison",
                "<=",
                "threshold",
                1000,
                "intervalSeconds",
                3600));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return (String) r.object().get("id");
  }

  @Test
  void aQueryWithinItsThresholdPassesAndOneOverItFails() throws Exception {
    String id = create("consumer-lag", "max(consumer_lag)");
    assertThat(run(id)).containsEntry("ok", true).containsEntry("observed", (double) LAG.get());

    LAG.set(1500); // the consumer falls behind; wait for Prometheus to scrape it
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Map<String, Object> result = run(id);
    while (Boolean.TRUE.equals(result.get("ok")) && System.nanoTime() < deadline) {
      Thread.sleep(250);
      result = run(id);
    }
    assertThat(result).containsEntry("ok", false).containsEntry("observed", 1500.0);
    assertThat((String) result.get("message")).contains("1500").contains("1000");
    List<Map<String, Object>> history =
        (List<Map<String, Object>>)
            admin.get(P + "/health-checks/" + id + "/results").object().get("items");
    assertThat(history).hasSizeGreaterThanOrEqualTo(2);
    LAG.set(120);
  }

  @Test
  void aQueryWithNoSeriesOrBadPromqlFailsSayingSo() {
    Map<String, Object> empty = run(create("absent", "consumer_lag{queue=\"none\"}"));
    assertThat(empty).containsEntry("ok", false);
    assertThat((String) empty.get("message")).contains("no data");

    Map<String, Object> bad = run(create("broken", "max(consumer_lag"));
    assertThat(bad).containsEntry("ok", false);
    assertThat((String) bad.get("message")).containsIgnoringCase("parse");
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The health monitor through a real socket on both stores: checks against a service this test
 * serves and stops, violations, their actions and the pushed metrics. The server's clock is the
 * test's; its monitor job looks for due checks every (real) second.
 */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class HealthCheckApiTest extends ServerTestBase {
  private static final String CHECKS = P + "/health-checks";
  private static final long T0 = 1_900_000_000_000L;

  private final MutableClock clock = new MutableClock(T0);
  private HttpServer service;
  private int port;
  private final AtomicInteger status = new AtomicInteger(200);
  private final CountDownLatch release = new CountDownLatch(1);

  @Override
  Clock clock() {
    return clock;
  }

  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_HEALTH_ALLOW_PRIVATE", "true");
  }

  @BeforeEach
  void startService() throws IOException {
    admin.post(P + "/flags", checkoutFlag());
    service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    port = service.getAddress().getPort();
    service.createContext(
        "/health",
        exchange -> {
          byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status.get(), body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    service.createContext(
        "/hang",
        exchange -> {
          try {
            // Holds the answer until the test ends (then lets the service stop at once).
            release.await(20, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    service.start();
  }

  @AfterEach
  void stopService() {
    release.countDown();
    service.stop(0);
  }

  private String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  private Map<String, Object> create(Map<String, Object> body) {
    ApiClient.Response r = admin.post(CHECKS, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.object();
  }

  /** Polls {@code path} until {@code done} holds (the monitor runs on its own thread). */
  private Map<String, Object> await(String path, Predicate<Map<String, Object>> done) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      Map<String, Object> answer = admin.get(path).object();
      if (done.test(answer)) {
        return answer;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never reached: " + answer);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static List<Map<String, Object>> items(Map<String, Object> answer) {
    return (List<Map<String, Object>>) answer.get("items");
  }

  private String flagState() {
    return (String)
        admin.get(P + "/flags/new-checkout/environments/production").object().get("state");
  }

  @Test
  void aStoppedServiceOpensAViolationWithinOneIntervalSwitchesTheFlagOffAndResolves()
      throws IOException {
    assertThat(flagState()).isEqualTo("ENABLED");
    Map<String, Object> check =
        create(
            Map.of(
                "name",
                "checkout-api",
                "type",
                "http",
                "url",
                url("/health"),
                "bodyContains",
                "ok",
                "intervalSeconds",
                60,
                "action",
                Map.of("type", "switch_off", "environment", "production", "flag", "new-checkout")));
    String id = (String) check.get("id");
    assertThat(check).containsEntry("status", "unknown").containsEntry("intervalSeconds", 60L);
    String results = CHECKS + "/" + id + "/results";
    await(results, a -> items(a).size() == 1); // the first run is due at once
    assertThat(items(admin.get(results).object()).getFirst())
        .containsEntry("ok", true)
        .containsEntry("observed", 200.0);

    service.stop(0); // the service goes down
    clock.advance(60_000);
    Map<String, Object> violations =
        await(P + "/health/violations?state=open", a -> !items(a).isEmpty());
    Map<String, Object> violation = items(violations).getFirst();
    assertThat(violation)
        .containsEntry("checkId", id)
        .containsEntry("checkName", "checkout-api")
        .containsEntry("state", "open")
        .containsEntry("actionTaken", "switched flag new-checkout off in production");
    assertThat((String) ((Map<String, Object>) violation.get("evidence")).get("message"))
        .startsWith("cannot connect");
    assertThat(flagState()).isEqualTo("DISABLED");
    Map<String, Object> audit = admin.get("/api/v1/audit?action=flag.disable&limit=5").object();
    assertThat(items(audit).toString()).contains("health-monitor");
    assertThat(items(admin.get("/api/v1/audit?action=health.violation_opened").object()))
        .hasSize(1);
    assertThat(admin.get(CHECKS + "/" + id).object())
        .containsEntry("status", "failing")
        .containsEntry("openViolation", violation.get("id"));

    // It comes back: the next run resolves the violation (the flag stays off: people decide).
    service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    service.createContext(
        "/health",
        exchange -> {
          byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    service.start();
    clock.advance(60_000);
    await(P + "/health/violations?state=resolved", a -> !items(a).isEmpty());
    assertThat(items(admin.get(P + "/health/violations?state=open").object())).isEmpty();
    assertThat(items(admin.get("/api/v1/audit?action=health.violation_resolved").object()))
        .hasSize(1);
    assertThat(flagState()).isEqualTo("DISABLED");
    assertThat(items(admin.get(results).object())).hasSize(3);
  }

  @Test
  void aPauseActionPausesTheReleasesAndRolloutsThatListTheCheck() {
    String id =
        (String)
            create(
                    Map.of(
                        "name",
                        "checkout-api",
                        "type",
                        "http",
                        "url",
                        url("/health"),
                        "intervalSeconds",
                        60,
                        "action",
                        Map.of("type", "pause")))
                .get("id");
    await(CHECKS + "/" + id + "/results", a -> items(a).size() == 1);
    ApiClient.Response rollout =
        admin.post(
            P + "/environments/production/flags/new-checkout/rollout",
            Map.of("treatment", "on", "plan", Map.of("healthChecks", List.of(id))));
    assertThat(rollout.status()).as(rollout.toString()).isEqualTo(201);
    assertThat(
            admin
                .post(
                    P + "/flags",
                    Map.of(
                        "key",
                        "svc",
                        "variants",
                        Map.of("1.0.0", "1.0.0", "1.1.0", "1.1.0"),
                        "defaultVariant",
                        "1.0.0",
                        "environments",
                        Map.of("production", Map.of("state", "ENABLED"))))
                .status())
        .isEqualTo(201);
    String releases = P + "/environments/production/releases";
    ApiClient.Response planned =
        admin.post(
            releases,
            Map.of(
                "service",
                "svc",
                "version",
                "1.1.0",
                "type",
                "patch",
                "flag",
                "svc",
                "plan",
                Map.of("healthChecks", List.of(id))));
    assertThat(planned.status()).as(planned.toString()).isEqualTo(201);
    String release = releases + "/" + planned.object().get("id");
    assertThat(admin.send("POST", release + "/start", null, "If-Match", "\"1\"").status())
        .isEqualTo(200);
    await(release, r -> "ROLLING_OUT".equals(r.get("phase")));

    status.set(503);
    clock.advance(60_000);
    Map<String, Object> violation =
        items(await(P + "/health/violations?state=open", a -> !items(a).isEmpty())).getFirst();
    assertThat((String) violation.get("actionTaken"))
        .contains("rollout of new-checkout in production")
        .contains("release svc 1.1.0");
    assertThat(admin.get(P + "/environments/production/flags/new-checkout/rollout").object())
        .containsEntry("state", "PAUSED");
    Map<String, Object> paused = admin.get(release).object();
    assertThat(paused).containsEntry("phase", "PAUSED").containsEntry("pausedFrom", "ROLLING_OUT");
    assertThat((String) paused.get("reason")).contains("checkout-api");
  }

  @Test
  void aViolationOpensOnlyAfterItsConsecutiveFailures() {
    status.set(503);
    String id =
        (String)
            create(
                    Map.of(
                        "name",
                        "two-strikes",
                        "type",
                        "http",
                        "url",
                        url("/health"),
                        "intervalSeconds",
                        30,
                        "failuresToOpen",
                        2))
                .get("id");
    String results = CHECKS + "/" + id + "/results";
    await(results, a -> items(a).size() == 1);
    assertThat(items(admin.get(results).object()).getFirst())
        .containsEntry("ok", false)
        .containsEntry("message", "HTTP 503, expected 200");
    assertThat(items(admin.get(P + "/health/violations").object())).isEmpty();
    clock.advance(30_000);
    await(P + "/health/violations?state=open", a -> !items(a).isEmpty());
    assertThat(admin.get(CHECKS + "/" + id).object()).containsEntry("consecutiveFailures", 2L);
  }

  @Test
  void aHangingTargetTimesOutAndDelaysNoOtherCheck() {
    String hanging =
        (String)
            create(Map.of("name", "hangs", "type", "http", "url", url("/hang"), "timeoutMs", 300))
                .get("id");
    String healthy =
        (String) create(Map.of("name", "healthy", "type", "http", "url", url("/health"))).get("id");
    await(CHECKS + "/" + healthy + "/results", a -> items(a).size() == 1);
    Map<String, Object> result =
        items(await(CHECKS + "/" + hanging + "/results", a -> items(a).size() == 1)).getFirst();
    assertThat(result)
        .containsEntry("ok", false)
        .containsEntry("message", "no answer within 300 ms");
    assertThat((Long) result.get("durationMs")).isLessThan(20_000L);
  }

  @Test
  void runNowRecordsAResultWhateverTheSchedule() {
    String id =
        (String)
            create(Map.of("name", "chain", "type", "audit", "intervalSeconds", 3600)).get("id");
    await(CHECKS + "/" + id + "/results", a -> items(a).size() == 1);
    ApiClient.Response r = admin.post(CHECKS + "/" + id + "/run", null);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    Map<String, Object> result = (Map<String, Object>) r.object().get("result");
    assertThat(result).containsEntry("ok", true);
    assertThat((String) result.get("message")).startsWith("the chain of ");
    assertThat(items(admin.get(CHECKS + "/" + id + "/results").object())).hasSize(2);
  }

  @Test
  void metricChecksReadTheValuesServicesPush() {
    ApiClient sdk = admin.withToken(token("sdk"));
    String id =
        (String)
            create(
                    Map.of(
                        "name",
                        "lag",
                        "type",
                        "metric",
                        "environment",
                        "production",
                        "metric",
                        "consumer_lag",
                        "comparison",
                        "<=",
                        "threshold",
                        1000,
                        "intervalSeconds",
                        3600))
                .get("id");
    Map<String, Object> first =
        items(await(CHECKS + "/" + id + "/results", a -> items(a).size() == 1)).getFirst();
    assertThat(first).containsEntry("ok", false);
    assertThat((String) first.get("message")).startsWith("no value of consumer_lag pushed");

    ApiClient.Response pushed =
        sdk.post(
            "/api/v1/events",
            Map.of(
                "events",
                List.of(
                    Map.of("type", "metric", "name", "consumer_lag", "value", 1500, "time", T0),
                    Map.of("type", "metric", "name", "consumer_lag", "value", 250))));
    assertThat(pushed.status()).as(pushed.toString()).isEqualTo(202);
    Map<String, Object> run =
        (Map<String, Object>) admin.post(CHECKS + "/" + id + "/run", null).object().get("result");
    assertThat(run).containsEntry("ok", true).containsEntry("observed", 250.0);

    ApiClient.Response bad =
        sdk.post(
            "/api/v1/events",
            Map.of("events", List.of(Map.of("type", "metric", "name", "lag", "flag", "x"))));
    assertThat(bad.status()).isEqualTo(400);
  }

  @Test
  void prometheusChecksWithoutAConfiguredPrometheusAreRefusedSayingSo() {
    ApiClient.Response r =
        admin.post(
            CHECKS,
            Map.of(
                "name",
                "errors",
                "type",
                "prometheus",
                "query",
                "sum(rate(errors_total[5m]))",
                "comparison",
                "<",
                "threshold",
                0.01));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text())
        .contains("no Prometheus is configured: set ROLLGATE_PROMETHEUS_URL on the server");
  }

  @Test
  void badDefinitionsAreRefusedWithTheField() {
    assertField(Map.of("name", "x", "type", "smtp"), "type");
    assertField(Map.of("name", "x", "type", "http"), "url");
    assertField(Map.of("name", "x", "type", "http", "url", "ftp://host/"), "url");
    assertField(Map.of("name", "x", "type", "audit", "url", url("/health")), "url");
    assertField(Map.of("name", "x", "type", "prometheus", "query", "up"), "comparison");
    assertField(
        Map.of("name", "x", "type", "metric", "metric", "lag", "comparison", "<", "threshold", 1),
        "environment");
    assertField(Map.of("name", "x", "type", "audit", "intervalSeconds", 1), "intervalSeconds");
    assertField(
        Map.of(
            "name",
            "x",
            "type",
            "audit",
            "action",
            Map.of("type", "switch_off", "environment", "production", "flag", "nope")),
        "action.flag");
    create(Map.of("name", "dup", "type", "audit"));
    assertThat(admin.post(CHECKS, Map.of("name", "dup", "type", "audit")).status()).isEqualTo(409);
    assertThat(
            admin
                .withToken(token("viewer"))
                .post(CHECKS, Map.of("name", "v", "type", "audit"))
                .status())
        .isEqualTo(403);
  }

  private void assertField(Map<String, Object> body, String field) {
    ApiClient.Response r = admin.post(CHECKS, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(400);
    assertThat(r.text()).contains("\"" + field);
    assertThat(r.object()).containsKeys("status", "code", "message", "requestId");
  }

  @Test
  void updatesAreVersionCheckedAndDeletesRemoveTheHistory() {
    Map<String, Object> check = create(Map.of("name", "edit-me", "type", "audit"));
    String path = CHECKS + "/" + check.get("id");
    ApiClient.Response noVersion =
        admin.put(path, Map.of("name", "edit-me", "type", "audit", "intervalSeconds", 60));
    assertThat(noVersion.status()).isEqualTo(428);
    ApiClient.Response updated =
        admin.send(
            "PUT",
            path,
            Map.of("name", "renamed", "type", "audit", "intervalSeconds", 60),
            "If-Match",
            "\"1\"");
    assertThat(updated.status()).as(updated.toString()).isEqualTo(200);
    assertThat(updated.object()).containsEntry("name", "renamed").containsEntry("version", 2L);
    ApiClient.Response stale = admin.send("DELETE", path, null, "If-Match", "\"1\"");
    assertThat(stale.status()).isEqualTo(412);
    assertThat(admin.send("DELETE", path, null, "If-Match", "\"2\"").status()).isEqualTo(204);
    assertThat(admin.get(path).status()).isEqualTo(404);
  }
}

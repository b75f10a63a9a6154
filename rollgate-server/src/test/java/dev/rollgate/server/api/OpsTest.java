package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.ValueType;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.TestServer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Health, readiness, metrics, the OpenAPI document, headers, CORS, rate limits, the server's kill
 * switch.
 */
class OpsTest extends ServerTestBase {

  @Test
  void healthAndReadinessNeedNoToken() {
    Response health = server.as(null).get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.object()).containsEntry("status", "up");
    Response ready = server.as(null).get("/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.object()).containsEntry("store", true).containsEntry("snapshots", true);
  }

  @Test
  void metricsArePrometheusTextWithRequestsStorePoolAndJvm() {
    admin.get(P);
    admin.get("/api/v1/nothing");
    String metrics = server.as(null).get("/metrics").text();
    assertThat(metrics)
        .contains(
            "http_server_requests_seconds_count{method=\"GET\",route=\"/api/v1/projects/{project}\",status=\"200\"}")
        .contains("http_server_requests_seconds_bucket{")
        .contains("status=\"404\"")
        .contains("hikaricp_connections_active{pool=\"rollgate-store\"}")
        .contains("jvm_memory_used_bytes")
        .contains("jvm_threads_live_threads");
  }

  @Test
  void openApiDocumentDescribesTheApi() {
    Response r = server.as(null).get("/api/v1/openapi.json");
    assertThat(r.status()).isEqualTo(200);
    Map<String, Object> doc = r.object();
    assertThat(doc).containsEntry("openapi", "3.1.0");
    assertThat(((Map<?, ?>) doc.get("paths")).keySet().toString())
        .contains(
            "/api/v1/projects/{project}/flags/{flag}/environments/{env}",
            "/api/v1/projects/{project}/environments/{env}/flagd",
            "/api/v1/tokens",
            "/api/v1/audit/verify",
            "/ofrep/v1/evaluate/flags/{key}",
            "/api/v1/stream",
            "/api/v1/events",
            "/api/v1/projects/{project}/environments/{env}/flags/{flag}/metrics",
            "/api/v1/projects/{project}/environments/{env}/flags/{flag}/rollout/{action}",
            "/api/v1/webhooks/{id}/deliveries",
            "/api/v1/analysis",
            "/api/v1/analysis/srm",
            "/api/v1/analysis/plan",
            "/api/v1/projects/{project}/environments/{env}/experiments/{key}/results");
  }

  @Test
  void responsesCarryRequestIdsAndSecurityHeaders() {
    Response r = admin.send("GET", P, null, "X-Request-Id", "trace-abc.123");
    assertThat(r.header("X-Request-Id")).isEqualTo("trace-abc.123");
    assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
    assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    Response unsafe = admin.send("GET", P, null, "X-Request-Id", "bad id with spaces");
    assertThat(unsafe.header("X-Request-Id")).isNotEqualTo("bad id with spaces").hasSize(36);
    assertThat(r.header("Access-Control-Allow-Origin")).isNull(); // CORS is off by default
  }

  @Test
  void corsWhenConfigured() {
    try (TestServer cors =
        TestServer.start(store, Map.of("ROLLGATE_CORS_ORIGINS", "https://ui.example.com"))) {
      Response r = cors.admin().send("GET", P, null, "Origin", "https://ui.example.com");
      assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://ui.example.com");
      Response other = cors.admin().send("GET", P, null, "Origin", "https://evil.example.com");
      assertThat(other.header("Access-Control-Allow-Origin")).isNull();
    }
  }

  @Test
  void writesAreRateLimitedPerToken() {
    try (TestServer limited = TestServer.start(store, Map.of("ROLLGATE_RATE_LIMIT_WRITES", "1"))) {
      int limitedAt = -1;
      Response last = null;
      for (int i = 0; i < 20 && limitedAt < 0; i++) {
        last = limited.admin().patch(P, Map.of("description", "n" + i));
        if (last.status() == 429) {
          limitedAt = i;
        }
      }
      assertThat(limitedAt).as("a write was refused").isBetween(1, 19);
      assertThat(last.object()).containsEntry("code", "rate_limited");
      assertThat(last.header("Retry-After")).isNotNull();
      assertThat(limited.admin().get(P).status()).isEqualTo(200); // reads are not limited
    }
  }

  @Test
  void theServersEnvironmentKillSwitchOverridesItsSnapshots() {
    try (TestServer killed = TestServer.start(store, Map.of("ROLLGATE_FLAG_NEW_CHECKOUT", "off"))) {
      killed.admin().post(P + "/flags", checkoutFlag());
      var pro = EvaluationContext.of("u", Map.of("plan", "pro"));
      assertThat(
              killed
                  .snapshot("production")
                  .evaluate("new-checkout", ValueType.BOOLEAN, false, pro)
                  .reason()
                  .name())
          .isEqualTo("DISABLED");
    }
  }

  @Test
  void sdksOfAServerWithKillSwitchesAreServedTheSameAnswers() {
    Map<String, String> env =
        Map.of("ROLLGATE_FLAG_NEW_CHECKOUT", "off", "ROLLGATE_FLAG_ALWAYS_ON", "on");
    try (TestServer killed = TestServer.start(store, env)) {
      killed.admin().post(P + "/flags", checkoutFlag());
      Map<String, Object> alwaysOn = new java.util.LinkedHashMap<>(checkoutFlag());
      alwaysOn.put("key", "always-on");
      killed.admin().post(P + "/flags", alwaysOn);
      Response polled = killed.as(killed.sdkToken()).get("/api/v1/sdk/flags");
      assertThat(polled.status()).isEqualTo(200);
      dev.rollgate.core.FlagSnapshot sdkView =
          dev.rollgate.core.FlagSnapshot.parse(
              polled.text(), dev.rollgate.core.ParseOptions.defaults().withEnvironment(Map.of()));
      var pro = EvaluationContext.of("u", Map.of("plan", "pro"));
      var free = EvaluationContext.of("u", Map.of("plan", "free"));
      for (String flag : new String[] {"new-checkout", "always-on"}) {
        for (EvaluationContext ctx : new EvaluationContext[] {pro, free}) {
          var server = killed.snapshot("production").evaluate(flag, ValueType.BOOLEAN, false, ctx);
          var sdk = sdkView.evaluate(flag, ValueType.BOOLEAN, false, ctx);
          assertThat(sdk.value()).as(flag).isEqualTo(server.value());
          assertThat(sdk.reason()).as(flag).isEqualTo(server.reason());
        }
      }
      assertThat(sdkView.evaluate("always-on", ValueType.BOOLEAN, false, free).value())
          .isEqualTo(true);
    }
  }

  @Test
  void everyRequestWritesOneAccessLineWithoutItsToken() {
    ch.qos.logback.classic.Logger access =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("rollgate.access");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    ch.qos.logback.classic.Level level = access.getLevel();
    access.setLevel(ch.qos.logback.classic.Level.INFO);
    access.addAppender(lines);
    try {
      Response r = admin.send("GET", P + "/flags/nope?secret=x", null, "X-Request-Id", "req-42");
      assertThat(r.status()).isEqualTo(404);
      var mine =
          lines.list.stream().filter(e -> e.getFormattedMessage().endsWith(" req-42")).toList();
      assertThat(mine).hasSize(1);
      String line = mine.getFirst().getFormattedMessage();
      assertThat(line)
          .startsWith("GET /api/v1/projects/{project}/flags/{flag} 404 ")
          .doesNotContain(TestServer.ADMIN_TOKEN)
          .doesNotContain("secret")
          .doesNotContain("nope");
      assertThat(mine.getFirst().getKeyValuePairs())
          .extracting(kv -> kv.key)
          .containsExactly("method", "route", "status", "durationMs", "requestId");
    } finally {
      access.detachAppender(lines);
      access.setLevel(level);
    }
  }
}

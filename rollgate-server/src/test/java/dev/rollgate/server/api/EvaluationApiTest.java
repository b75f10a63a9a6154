package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.SseListener;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OFREP, the SDK polling endpoint and the event stream, through a real socket. */
class EvaluationApiTest extends ServerTestBase {
  private static final String ONE = "/ofrep/v1/evaluate/flags/";
  private static final String ALL = "/ofrep/v1/evaluate/flags";

  private ApiClient sdk;

  private void seed() {
    admin.post(P + "/flags", checkoutFlag());
    enabled("banner", Map.of("a", "Hello", "b", "Hi"), "b");
    enabled("limit", Map.of("low", 10, "high", 1000), "high");
    enabled("ratio", Map.of("low", 0.25, "high", 0.75), "low");
    enabled(
        "theme",
        Map.of("dark", Map.of("bg", "#000", "contrast", 7), "light", Map.of("bg", "#fff")),
        "dark");
    admin.post(
        P + "/flags",
        Map.of(
            "key",
            "broken",
            "variants",
            Map.of("a", "A"),
            "environments",
            Map.of(
                "production",
                Map.of(
                    "state",
                    "ENABLED",
                    "targeting",
                    Map.of("if", List.of(true, "no-such-variant"))))));
    admin.post(
        P + "/flags", Map.of("key", "dark-launch", "variants", Map.of("on", true, "off", false)));
    sdk = server.as(token("sdk"));
  }

  private void enabled(String key, Map<String, Object> variants, String defaultVariant) {
    Response r = admin.post(P + "/flags", TestFlags.enabled(key, variants, defaultVariant));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Object value) {
    return (Map<String, Object>) value;
  }

  private static Map<String, Object> context(Map<String, Object> context) {
    return Map.of("context", context);
  }

  @Test
  void evaluatesEveryValueType() {
    seed();
    assertThat(
            sdk.post(ONE + "new-checkout", context(Map.of("targetingKey", "u1", "plan", "pro")))
                .object())
        .containsEntry("key", "new-checkout")
        .containsEntry("value", true)
        .containsEntry("variant", "on")
        .containsEntry("reason", "TARGETING_MATCH")
        .containsEntry("metadata", Map.of("project", "default", "environment", "production"));
    assertThat(sdk.post(ONE + "banner", context(Map.of())).object())
        .containsEntry("value", "Hi")
        .containsEntry("reason", "STATIC");
    assertThat(sdk.post(ONE + "limit", context(Map.of())).object()).containsEntry("value", 1000L);
    assertThat(sdk.post(ONE + "ratio", context(Map.of())).object()).containsEntry("value", 0.25);
    assertThat(sdk.post(ONE + "theme", context(Map.of())).object())
        .containsEntry("value", Map.of("bg", "#000", "contrast", 7L));
  }

  @Test
  void aSwitchedOffFlagDefersToTheCodeDefault() {
    seed();
    Map<String, Object> r =
        sdk.post(ONE + "dark-launch", context(Map.of("targetingKey", "u1"))).object();
    assertThat(r)
        .containsEntry("reason", "DISABLED")
        .doesNotContainKeys("value", "variant", "errorCode");
  }

  @Test
  void errorsHaveTheSpecsStatusesAndBodies() {
    seed();
    Response missing = sdk.post(ONE + "nope", context(Map.of()));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.object())
        .containsEntry("key", "nope")
        .containsEntry("errorCode", "FLAG_NOT_FOUND")
        .containsKey("errorDetails");

    Response broken = sdk.post(ONE + "broken", context(Map.of()));
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.object())
        .containsEntry("key", "broken")
        .containsEntry("errorCode", "GENERAL");

    Response badContext = sdk.post(ONE + "banner", Map.of("context", List.of(1)));
    assertThat(badContext.status()).isEqualTo(400);
    assertThat(badContext.object())
        .containsEntry("key", "banner")
        .containsEntry("errorCode", "INVALID_CONTEXT");
    assertThat(sdk.post(ONE + "banner", Map.of("context", Map.of("targetingKey", 5))).object())
        .containsEntry("errorCode", "INVALID_CONTEXT");
    assertThat(sdk.post(ONE + "banner", "{not json").status()).isEqualTo(400);
    Response bulkBad = sdk.post(ALL, Map.of("context", "u1"));
    assertThat(bulkBad.status()).isEqualTo(400);
    assertThat(bulkBad.object())
        .containsEntry("errorCode", "INVALID_CONTEXT")
        .doesNotContainKey("key");

    assertThat(server.as(null).post(ONE + "banner", context(Map.of())).status()).isEqualTo(401);
    assertThat(server.as("rgt_nope").post(ALL, context(Map.of())).status()).isEqualTo(401);
    assertThat(admin.post(ONE + "banner", context(Map.of())).status()).isEqualTo(403);

    // Every one of those requests has ended (a 404 once stayed open until shutdown).
    assertThat(server.as(null).get("/metrics").text()).contains("http_server_requests_active 1.0");
  }

  @Test
  void bearerAndApiKeyBothAuthenticate() {
    seed();
    String secret = token("sdk");
    Response bearer =
        server
            .as(null)
            .send("POST", ONE + "banner", context(Map.of()), "Authorization", "Bearer " + secret);
    Response apiKey =
        server.as(null).send("POST", ONE + "banner", context(Map.of()), "X-API-Key", secret);
    assertThat(bearer.status()).isEqualTo(200);
    assertThat(apiKey.status()).isEqualTo(200);
  }

  @Test
  void bulkMixesSuccessesAndFailuresAndHonoursIfNoneMatch() {
    seed();
    Response first = sdk.post(ALL, context(Map.of("targetingKey", "u1", "plan", "pro")));
    assertThat(first.status()).isEqualTo(200);
    Map<String, Object> body = first.object();
    List<?> flags = (List<?>) body.get("flags");
    assertThat(flags).hasSize(7);
    assertThat(flags)
        .anySatisfy(f ->
            assertThat(asMap(f))
                .containsEntry("key", "broken")
                .containsEntry("errorCode", "GENERAL"));
    assertThat(flags)
        .anySatisfy(f ->
            assertThat(asMap(f)).containsEntry("key", "new-checkout").containsEntry("value", true));
    assertThat(body.get("eventStreams"))
        .isEqualTo(
            List.of(Map.of("type", "sse", "endpoint", Map.of("requestUri", "/api/v1/stream"))));
    String etag = first.header("ETag");
    assertThat(etag).isNotBlank();

    Response again =
        sdk.send(
            "POST",
            ALL,
            context(Map.of("targetingKey", "u1", "plan", "pro")),
            "If-None-Match",
            etag);
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.text()).isEmpty();

    Response otherContext =
        sdk.send("POST", ALL, context(Map.of("targetingKey", "u2")), "If-None-Match", etag);
    assertThat(otherContext.status()).isEqualTo(200);

    admin.patch(P + "/flags/banner/environments/production", Map.of("defaultVariant", "a"));
    Response changed =
        sdk.send(
            "POST",
            ALL,
            context(Map.of("targetingKey", "u1", "plan", "pro")),
            "If-None-Match",
            etag);
    assertThat(changed.status()).isEqualTo(200);
    assertThat(changed.header("ETag")).isNotEqualTo(etag);
  }

  @Test
  void answersExactlyAsTheOfflineEvaluatorDoesOnTheExportedDocument() {
    seed();
    FlagSnapshot offline =
        FlagSnapshot.parse(
            admin.get(P + "/environments/production/flagd").text(),
            ParseOptions.defaults().withEnvironment(Map.of()));
    for (Map<String, Object> ctx :
        List.<Map<String, Object>>of(
            Map.of(),
            Map.of("targetingKey", "u1", "plan", "pro"),
            Map.of("targetingKey", "u2", "plan", "free"))) {
      for (String key : offline.flagKeys()) {
        Resolution expected =
            offline.evaluate(key, ValueType.ANY, null, EvaluationContext.fromJson(ctx));
        Map<String, Object> actual = sdk.post(ONE + key, context(ctx)).object();
        assertThat(actual.get("reason") != null ? actual.get("reason") : "ERROR")
            .as(key)
            .isEqualTo(expected.reason().name());
        assertThat(actual.get("variant")).as(key).isEqualTo(expected.variant());
        if (expected.variant() != null) {
          assertThat(Json.write(actual.get("value")))
              .as(key)
              .isEqualTo(Json.write(expected.value()));
        }
      }
    }
  }

  @Test
  void evaluationsAreRateLimitedPerToken() {
    try (TestServer limited =
        TestServer.start(store, Map.of("ROLLGATE_RATE_LIMIT_EVALUATIONS", "1"))) {
      String secret = limited.sdkToken();
      ApiClient client = limited.as(secret);
      Response last = null;
      for (int i = 0; i < 20; i++) {
        last = client.post(ALL, context(Map.of()));
        if (last.status() == 429) {
          break;
        }
      }
      assertThat(last.status()).isEqualTo(429);
      assertThat(last.header("Retry-After")).isNotNull();
    }
  }

  @Test
  void usageCountsEvaluationsPerVariantAndReason() {
    seed();
    for (int i = 0; i < 3; i++) {
      sdk.post(ONE + "new-checkout", context(Map.of("targetingKey", "u", "plan", "pro")));
    }
    sdk.post(ONE + "new-checkout", context(Map.of("targetingKey", "u", "plan", "free")));
    Map<String, Object> usage =
        admin
            .get(
                P.replace("/projects/default", "/projects/default/environments/production")
                    + "/flags/new-checkout/usage")
            .object();
    assertThat(usage).containsEntry("total", 4L);
    assertThat(usage.get("byVariant")).isEqualTo(Map.of("on", 3L, "off", 1L));
    assertThat(usage.get("byReason")).isEqualTo(Map.of("TARGETING_MATCH", 3L, "DEFAULT", 1L));
    assertThat(usage.get("lastEvaluatedAt")).isNotNull();
    assertThat((List<?>) usage.get("windows")).isNotEmpty();
    assertThat(server.as(null).get("/metrics").text())
        .contains(
            "rollgate_flag_evaluations_total{environment=\"production\",flag=\"new-checkout\",project=\"default\",reason=\"TARGETING_MATCH\",variant=\"on\"} 3.0");
  }

  @Test
  void pollingAnswersWithTheDocumentAndAnETag() {
    seed();
    Response r = sdk.get("/api/v1/sdk/flags");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).isEqualTo(admin.get(P + "/environments/production/flagd").text());
    Response same = sdk.send("GET", "/api/v1/sdk/flags", null, "If-None-Match", r.header("ETag"));
    assertThat(same.status()).isEqualTo(304);
    assertThat(admin.get("/api/v1/sdk/flags").status()).isEqualTo(403);
  }

  @Test
  void theStreamSendsTheConfigurationThenEveryChange() throws Exception {
    seed();
    String secret = token("sdk");
    String url = admin.base() + "/api/v1/stream";
    try (SseListener stream = new SseListener(url, secret, null)) {
      SseListener.Event first = stream.next("configuration", 10);
      assertThat(((Map<?, ?>) Json.parse(first.data())).get("flags").toString()).contains("banner");

      admin.patch(P + "/flags/banner/environments/production", Map.of("state", "DISABLED"));
      SseListener.Event changed = stream.next("configuration", 10);
      assertThat(Long.parseLong(changed.id())).isGreaterThan(Long.parseLong(first.id()));
      assertThat(changed.data()).contains("\"banner\":{\"state\":\"DISABLED\"");
      SseListener.Event refetch = stream.next("message", 10);
      assertThat(((Map<?, ?>) Json.parse(refetch.data())).get("type"))
          .isEqualTo("refetchEvaluation");
      assertThat(refetch.id()).isEqualTo(changed.id());
    }
  }

  @Test
  void aClientThatMissedChangesGetsThemOnReconnecting() throws Exception {
    seed();
    String secret = token("sdk");
    String url = admin.base() + "/api/v1/stream";
    String lastSeen;
    try (SseListener stream = new SseListener(url, secret, null)) {
      lastSeen = stream.next("configuration", 10).id();
    }
    admin.patch(P + "/flags/banner/environments/production", Map.of("defaultVariant", "a"));
    admin.patch(P + "/flags/limit/environments/production", Map.of("defaultVariant", "low"));
    admin.patch(P + "/flags/new-checkout/environments/production", Map.of("state", "DISABLED"));
    try (SseListener stream = new SseListener(url, secret, lastSeen)) {
      SseListener.Event caughtUp = stream.next("configuration", 10);
      assertThat(Long.parseLong(caughtUp.id())).isGreaterThan(Long.parseLong(lastSeen));
      FlagSnapshot flags =
          FlagSnapshot.parse(caughtUp.data(), ParseOptions.defaults().withEnvironment(Map.of()));
      assertThat(flags.evaluate("banner", ValueType.STRING, "", null).value()).isEqualTo("Hello");
      assertThat(flags.evaluate("limit", ValueType.INTEGER, 0L, null).value()).isEqualTo(10L);
      assertThat(flags.evaluate("new-checkout", ValueType.BOOLEAN, true, null).reason().name())
          .isEqualTo("DISABLED");
    }
  }

  @Test
  void idleStreamsGetHeartbeats() throws Exception {
    try (TestServer beating =
        TestServer.start(store, Map.of("ROLLGATE_STREAM_HEARTBEAT_SECONDS", "1"))) {
      String secret = beating.sdkToken();
      try (SseListener stream =
          new SseListener(beating.admin().base() + "/api/v1/stream", secret, null)) {
        stream.next("configuration", 10);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (stream.comments() < 2 && System.nanoTime() < deadline) {
          Thread.sleep(100);
        }
        assertThat(stream.comments()).isGreaterThanOrEqualTo(2);
      }
    }
  }

  @Test
  void theStreamNeedsAnSdkTokenAndRefusesAnExplicitOtherType() {
    seed();
    assertThat(admin.get("/api/v1/stream").status()).isEqualTo(403);
    Response plain = sdk.send("GET", "/api/v1/stream", null, "Accept", "application/json");
    assertThat(plain.status()).isEqualTo(406);
    assertThat(plain.object()).containsEntry("code", "not_acceptable");
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rollgate.server.testing.ApiClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health data in, rollouts and webhooks, through a real socket on both stores. */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class RolloutApiTest extends ServerTestBase {
  private static final String ROLLOUT = P + "/environments/production/flags/new-checkout/rollout";
  private static final String METRICS = P + "/environments/production/flags/new-checkout/metrics";

  private ApiClient sdk;

  /** The webhook receiver of these tests listens on 127.0.0.1. */
  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_WEBHOOK_ALLOW_PRIVATE", "true");
  }

  @BeforeEach
  void seed() {
    admin.post(P + "/flags", checkoutFlag());
    sdk = admin.withToken(token("sdk"));
  }

  private static Map<String, Object> outcome(String variant, double ms, boolean error) {
    return Map.of(
        "type",
        "outcome",
        "flag",
        "new-checkout",
        "variant",
        variant,
        "targetingKey",
        "u1",
        "route",
        "/pay",
        "durationMs",
        ms,
        "error",
        error);
  }

  @Test
  void eventsAreCheckedOneByOneAndTheValidOnesKept() {
    long now = System.currentTimeMillis();
    ApiClient.Response r =
        sdk.post(
            "/api/v1/events",
            Map.of(
                "events",
                List.of(
                    outcome("on", 12.5, false),
                    Map.of("type", "outcome", "variant", "on"),
                    Map.of("type", "outcome", "flag", "no-such-flag", "variant", "on"),
                    Map.of(
                        "type",
                        "outcomes",
                        "flag",
                        "new-checkout",
                        "variant",
                        "off",
                        "start",
                        now,
                        "count",
                        3,
                        "latency",
                        Map.of("gamma", 1.5, "buckets", Map.of())),
                    Map.of(
                        "type",
                        "outcomes",
                        "flag",
                        "new-checkout",
                        "variant",
                        "off",
                        "start",
                        now,
                        "end",
                        now + 1000,
                        "count",
                        3,
                        "errors",
                        1,
                        "latency",
                        Map.of("gamma", 1.02, "buckets", Map.of("170", 3))),
                    Map.of("type", "exposure", "flag", "new-checkout", "variant", "on"),
                    Map.of("type", "teleport"))));
    assertThat(r.status()).isEqualTo(202);
    assertThat(r.object()).containsEntry("accepted", 3L);
    List<?> rejected = (List<Object>) r.object().get("rejected");
    assertThat(rejected)
        .extracting(x -> ((Map<String, Object>) x).get("index"))
        .containsExactly(1L, 2L, 3L, 6L);
    assertThat(rejected.toString())
        .contains("events[1].flag: is required")
        .contains("no flag no-such-flag")
        .contains("gamma must be 1.02")
        .contains("must be exposure, track, outcome, outcomes, evaluations or metric");

    ApiClient.Response none =
        sdk.post("/api/v1/events", Map.of("events", List.of(Map.of("type", "outcome"))));
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.object()).containsEntry("code", "invalid_events").containsKey("requestId");

    // The server writes outcomes every second; the flag's metrics show them per variant and route.
    Map<String, Object> variants = awaitVariants(2);
    assertThat((Map<String, Object>) variants.get("on"))
        .containsEntry("requests", 1L)
        .containsEntry("errors", 0L);
    assertThat((Map<String, Object>) variants.get("off"))
        .containsEntry("requests", 3L)
        .containsEntry("errors", 1L);
    assertThat(((Number) ((Map<String, Object>) variants.get("on")).get("p99")).doubleValue())
        .isBetween(12.3, 12.7);
    assertThat(
            ((Map<String, Object>) ((Map<String, Object>) variants.get("on")).get("routes"))
                .keySet())
        .containsExactly("/pay");
    assertThat(admin.withToken(null).get("/metrics").text())
        .contains("rollgate_outcomes_requests_total{")
        .contains("flag=\"new-checkout\"");
  }

  private Map<String, Object> awaitVariants(int count) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<?> points = (List<Object>) admin.get(METRICS + "?step=3600").object().get("points");
      if (!points.isEmpty()) {
        Map<String, Object> variants =
            (Map<String, Object>) ((Map<String, Object>) points.getFirst()).get("variants");
        if (variants.size() >= count || System.nanoTime() > deadline) {
          return variants;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no outcomes within 10 s");
      }
      sleep(100);
    }
  }

  @Test
  void metricsParametersAreChecked() {
    assertThat(admin.get(METRICS + "?from=2030-01-01T00:00:00Z&to=2029-01-01T00:00:00Z").status())
        .isEqualTo(400);
    assertThat(admin.get(METRICS + "?step=0").status()).isEqualTo(400);
    assertThat(admin.get(METRICS + "?from=yesterday").status()).isEqualTo(400);
    assertThat(admin.get(P + "/environments/production/flags/nope/metrics").status())
        .isEqualTo(404);
  }

  @Test
  void aRolloutIsStartedControlledAndAudited() {
    assertThat(admin.withToken(token("viewer")).post(ROLLOUT, Map.of("treatment", "on")).status())
        .isEqualTo(403);
    ApiClient.Response bad =
        admin.post(
            ROLLOUT,
            Map.of("treatment", "on", "plan", Map.of("stages", List.of(Map.of("percent", 0)))));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.object().get("message").toString()).startsWith("plan.stages[0].percent");
    assertThat(admin.post(ROLLOUT, Map.of("treatment", "off")).status())
        .as("the control itself")
        .isEqualTo(400);

    ApiClient.Response started =
        admin.post(ROLLOUT, Map.of("treatment", "on", "comment", "ship it"));
    assertThat(started.status()).isEqualTo(201);
    assertThat(started.header("ETag")).isEqualTo("\"1\"");
    assertThat(started.object())
        .containsEntry("state", "RUNNING")
        .containsEntry("percent", 1.0)
        .containsEntry("control", "off");
    assertThat(admin.post(ROLLOUT, Map.of("treatment", "on")).status()).isEqualTo(409);
    // The split is part of what the environment serves.
    assertThat(admin.get(P + "/environments/production/flagd").text())
        .contains("fractional")
        .contains(started.object().get("id") + ":");

    assertThat(admin.post(ROLLOUT + "/pause", Map.of()).status()).isEqualTo(428);
    assertThat(admin.send("POST", ROLLOUT + "/pause", Map.of(), "If-Match", "\"7\"").status())
        .isEqualTo(412);
    ApiClient.Response paused =
        admin.send("POST", ROLLOUT + "/pause", Map.of("comment", "looking"), "If-Match", "\"1\"");
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.object()).containsEntry("state", "PAUSED").containsEntry("version", 2L);
    assertThat(admin.send("POST", ROLLOUT + "/pause", null, "If-Match", "\"1\"").status())
        .as("pausing a paused rollout changes nothing")
        .isEqualTo(200);
    assertThat(admin.send("POST", ROLLOUT + "/explode", null, "If-Match", "\"2\"").status())
        .isEqualTo(404);
    assertThat(admin.send("POST", ROLLOUT + "/promote", null, "If-Match", "\"2\"").object())
        .containsEntry("state", "COMPLETED");
    ApiClient.Response late = admin.send("POST", ROLLOUT + "/resume", null, "If-Match", "\"3\"");
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.object()).containsEntry("code", "conflict");

    assertThat(admin.get(P + "/flags/new-checkout/environments/production").object())
        .containsEntry("defaultVariant", "on");
    List<?> history = (List<Object>) admin.get(ROLLOUT + "/history").object().get("items");
    assertThat(history)
        .extracting(t ->
            ((Map<String, Object>) t).get("action") + ">" + ((Map<String, Object>) t).get("to"))
        .containsExactly("start>RUNNING", "pause>PAUSED", "promote>COMPLETED");
    assertThat(((Map<String, Object>) history.get(1)).get("comment")).isEqualTo("looking");
    List<?> audit =
        (List<Object>)
            admin
                .get(
                    "/api/v1/audit?resource=projects/default/environments/production/flags/new-checkout/rollout")
                .object()
                .get("items");
    assertThat(audit)
        .extracting(e -> ((Map<String, Object>) e).get("action"))
        .contains("rollout.started", "rollout.paused", "rollout.completed");
    assertThat(admin.get("/api/v1/audit/verify").object()).containsEntry("valid", true);
  }

  @Test
  void webhooksAreRegisteredByAdminsAndReceiveRolloutEvents() throws IOException {
    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          received.add(
              exchange.getRequestHeaders().getFirst("Rollgate-Event")
                  + " "
                  + new String(
                      exchange.getRequestBody().readAllBytes(),
                      java.nio.charset.StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
    try {
      Map<String, Object> hook =
          Map.of(
              "url",
              "http://127.0.0.1:" + receiver.getAddress().getPort() + "/",
              "events",
              List.of("rollout.started", "rollout.rolled_back"));
      assertThat(admin.withToken(token("editor")).post("/api/v1/webhooks", hook).status())
          .isEqualTo(403);
      assertThat(
              admin
                  .post("/api/v1/webhooks", Map.of("url", "ftp://x", "events", List.of("*")))
                  .status())
          .isEqualTo(400);
      assertThat(
              admin
                  .post("/api/v1/webhooks", Map.of("url", "http://x", "events", List.of("nope")))
                  .status())
          .isEqualTo(400);
      ApiClient.Response created = admin.post("/api/v1/webhooks", hook);
      assertThat(created.status()).isEqualTo(201);
      assertThat((String) created.object().get("secret")).startsWith("whsec_");
      String id = (String) created.object().get("id");
      assertThat(admin.get("/api/v1/webhooks/" + id).object()).doesNotContainKey("secret");

      admin.post(ROLLOUT, Map.of("treatment", "on"));
      admin.send("POST", ROLLOUT + "/rollback", null, "If-Match", "\"1\"");
      String first = received.poll(15, TimeUnit.SECONDS);
      String second = received.poll(15, TimeUnit.SECONDS);
      assertThat(first).startsWith("rollout.started {");
      assertThat(second).startsWith("rollout.rolled_back {").contains("\"state\":\"ROLLED_BACK\"");
      List<?> deliveries =
          (List<Object>) admin.get("/api/v1/webhooks/" + id + "/deliveries").object().get("items");
      assertThat(deliveries).hasSize(2);
      assertThat(admin.delete("/api/v1/webhooks/" + id).status()).isEqualTo(204);
      assertThat(admin.get("/api/v1/webhooks/" + id).status()).isEqualTo(404);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      receiver.stop(0);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

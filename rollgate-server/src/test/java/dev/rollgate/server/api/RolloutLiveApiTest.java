package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.SseListener;
import dev.rollgate.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The live rollout feed ({@code GET .../rollout/live}) through a real socket, on both stores: what
 * a watcher is sent first, then on a change, then when metrics move; who may watch; and that the
 * feed's streams are the server's streams (one limit per token, ended when the token is revoked).
 */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class RolloutLiveApiTest extends ServerTestBase {
  private static final String FLAG = P + "/environments/production/flags/new-checkout";
  private static final String ROLLOUT = FLAG + "/rollout";
  private static final String LIVE = ROLLOUT + "/live";

  /**
   * A plan whose windows are an hour long, so the controller judges none while a test runs: the
   * only changes are the test's own.
   */
  private static final Map<String, Object> START =
      Map.of("treatment", "on", "plan", Map.of("windowSeconds", 3600));

  /** Metrics every 100 ms, heartbeats every second. */
  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_LIVE_INTERVAL_MS", "100", "ROLLGATE_STREAM_HEARTBEAT_SECONDS", "1");
  }

  private static Map<String, Object> data(SseListener.Event e) {
    return (Map<String, Object>) Json.parse(e.data());
  }

  /** The next event named {@code name} whose data satisfies {@code wanted}, within 15 s. */
  private static Map<String, Object> await(
      SseListener stream, String name, Predicate<Map<String, Object>> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      long left = TimeUnit.NANOSECONDS.toSeconds(deadline - System.nanoTime());
      Map<String, Object> d = data(stream.next(name, Math.max(1, left)));
      if (wanted.test(d)) {
        return d;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no wanted '" + name + "' event within 15 s; last " + d);
      }
    }
  }

  /** Requests of {@code variant} over every point of a metrics answer. */
  private static long requests(Map<String, Object> metrics, String variant) {
    long n = 0;
    for (Object p : (List<Object>) metrics.get("points")) {
      Map<String, Object> v =
          (Map<String, Object>)
              ((Map<String, Object>) ((Map<String, Object>) p).get("variants")).get(variant);
      if (v != null) {
        n += (Long) v.get("requests");
      }
    }
    return n;
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
        "durationMs",
        ms,
        "error",
        error);
  }

  private String live(TestServer s) {
    return s.admin().base() + LIVE;
  }

  @Test
  void aViewerSeesTheRolloutThenItsNextStageThenNewMetrics() throws Exception {
    admin.post(P + "/flags", checkoutFlag());
    ApiClient.Response started = admin.post(ROLLOUT, START);
    assertThat(started.status()).as(started.toString()).isEqualTo(201);
    String viewer = token("viewer");
    try (SseListener stream = new SseListener(live(server), viewer, null)) {
      assertThat(stream.status()).isEqualTo(200);
      Map<String, Object> first = data(stream.next("rollout", 10));
      assertThat(first)
          .containsEntry("state", "RUNNING")
          .containsEntry("stage", 0L)
          .containsEntry("percent", 1.0)
          .containsEntry("version", 1L)
          .containsEntry("id", started.object().get("id"))
          .containsKeys("plan", "evidence", "stageStartedAt", "judgedUntil");
      // What GET .../rollout answers, and the metrics of the last 30 windows.
      Map<String, Object> current = admin.get(ROLLOUT).object();
      for (String key : List.of("id", "state", "stage", "stages", "percent", "plan", "version")) {
        assertThat(first.get(key)).as(key).isEqualTo(current.get(key));
      }
      Map<String, Object> metrics = (Map<String, Object>) first.get("metrics");
      assertThat(metrics)
          .containsEntry("flag", "new-checkout")
          .containsEntry("environment", "production")
          .containsEntry("stepSeconds", 3600L)
          .containsEntry("points", List.of());

      ApiClient.Response advanced =
          admin.send("POST", ROLLOUT + "/advance", null, "If-Match", "\"1\"");
      assertThat(advanced.status()).as(advanced.toString()).isEqualTo(200);
      Map<String, Object> next = await(stream, "rollout", d -> d.get("version").equals(2L));
      assertThat(next)
          .containsEntry("stage", 1L)
          .containsEntry("percent", 10.0)
          .containsEntry("state", "RUNNING")
          .containsKey("metrics");

      ApiClient sdk = admin.withToken(token("sdk"));
      ApiClient.Response posted =
          sdk.post(
              "/api/v1/events",
              Map.of(
                  "events",
                  List.of(
                      outcome("on", 12.5, false),
                      outcome("on", 30, true),
                      outcome("off", 20, false))));
      assertThat(posted.status()).isEqualTo(202);
      Map<String, Object> moved = await(stream, "metrics", d -> requests(d, "on") == 2);
      assertThat(moved).containsEntry("flag", "new-checkout").doesNotContainKey("state");
      assertThat(requests(moved, "off")).isEqualTo(1);
      Map<String, Object> on =
          (Map<String, Object>)
              ((Map<String, Object>)
                      ((Map<String, Object>) ((List<Object>) moved.get("points")).getFirst())
                          .get("variants"))
                  .get("on");
      assertThat(on).containsEntry("errors", 1L).containsEntry("errorRate", 0.5);
      assertThat(((Number) on.get("p99")).doubleValue()).isBetween(12.0, 31.0);
      // The same as the metrics endpoint answers for that span and step.
      Map<String, Object> endpoint =
          admin
              .get(
                  FLAG
                      + "/metrics?from="
                      + moved.get("from")
                      + "&to="
                      + moved.get("to")
                      + "&step=3600")
              .object();
      assertThat(endpoint).isEqualTo(moved);
    }
  }

  @Test
  void oneComputationServesEveryWatcherOfAFlag() throws Exception {
    admin.post(P + "/flags", checkoutFlag());
    String viewer = token("viewer");
    List<SseListener> streams =
        List.of(
            new SseListener(live(server), viewer, null),
            new SseListener(live(server), viewer, null),
            new SseListener(live(server), TestServer.ADMIN_TOKEN, null));
    try {
      for (SseListener s : streams) {
        assertThat(data(s.next("rollout", 10))).containsEntry("state", null);
      }
      String scraped = admin.withToken(null).get("/metrics").text();
      assertThat(scraped)
          .contains("rollgate_live_flags 1.0")
          .contains("rollgate_live_watchers 3.0");
    } finally {
      streams.forEach(SseListener::close);
    }
    // Gone streams are noticed at the next heartbeat: then nothing is computed for the flag.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!admin.withToken(null).get("/metrics").text().contains("rollgate_live_flags 0.0")) {
      assertThat(System.nanoTime()).as("the watch ended").isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void changesArePushedAtOnceNotAtTheNextInterval() throws Exception {
    // Ticks ten minutes apart: only the change notification can bring a change within the test.
    try (TestServer slow = TestServer.start(store, Map.of("ROLLGATE_LIVE_INTERVAL_MS", "600000"))) {
      ApiClient a = slow.admin();
      a.post(P + "/flags", checkoutFlag());
      try (SseListener stream = new SseListener(live(slow), TestServer.ADMIN_TOKEN, null)) {
        Map<String, Object> none = data(stream.next("rollout", 10));
        assertThat(none)
            .containsEntry("flag", "new-checkout")
            .containsEntry("environment", "production")
            .containsEntry("state", null)
            .containsKey("metrics");

        assertThat(a.post(ROLLOUT, START).status()).isEqualTo(201);
        assertThat(data(stream.next("rollout", 10)))
            .containsEntry("state", "RUNNING")
            .containsEntry("version", 1L);
        a.send("POST", ROLLOUT + "/pause", null, "If-Match", "\"1\"");
        assertThat(data(stream.next("rollout", 10))).containsEntry("state", "PAUSED");
        a.send("POST", ROLLOUT + "/rollback", null, "If-Match", "\"2\"");
        assertThat(data(stream.next("rollout", 10)))
            .containsEntry("state", "ROLLED_BACK")
            .containsEntry("percent", 0.0);
      }
    }
  }

  @Test
  void viewersEditorsAndAdminsMayWatchSdkTokensMayNot() throws Exception {
    admin.post(P + "/flags", checkoutFlag());
    for (String role : List.of("viewer", "editor", "admin")) {
      try (SseListener s = new SseListener(live(server), token(role), null)) {
        assertThat(s.status()).as(role).isEqualTo(200);
        s.next("rollout", 10);
      }
    }
    ApiClient sdk = admin.withToken(token("sdk"));
    ApiClient.Response refused = sdk.send("GET", LIVE, null, "Accept", "text/event-stream");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.object()).containsEntry("code", "forbidden").containsKey("requestId");
    assertThat(
            admin.withToken(null).send("GET", LIVE, null, "Accept", "text/event-stream").status())
        .isEqualTo(401);
    ApiClient.Response missing =
        admin.send(
            "GET",
            P + "/environments/production/flags/nope/rollout/live",
            null,
            "Accept",
            "text/event-stream");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.object()).containsEntry("code", "not_found");
    assertThat(
            admin
                .send(
                    "GET",
                    P + "/environments/nowhere/flags/new-checkout/rollout/live",
                    null,
                    "Accept",
                    "text/event-stream")
                .status())
        .isEqualTo(404);
    ApiClient.Response json = admin.send("GET", LIVE, null, "Accept", "application/json");
    assertThat(json.status()).isEqualTo(406);
    assertThat(json.object()).containsEntry("code", "not_acceptable");
  }

  @Test
  void theFeedCountsAgainstTheTokensStreamsAndEndsWhenTheTokenIsRevoked() throws Exception {
    try (TestServer limited =
        TestServer.start(
            store,
            Map.of(
                "ROLLGATE_MAX_STREAMS_PER_TOKEN", "1", "ROLLGATE_STREAM_HEARTBEAT_SECONDS", "1"))) {
      ApiClient a = limited.admin();
      a.post(P + "/flags", checkoutFlag());
      ApiClient.Response created =
          a.post("/api/v1/tokens", Map.of("name", "wall-screen", "role", "viewer"));
      String secret = (String) created.object().get("secret");
      try (SseListener first = new SseListener(live(limited), secret, null)) {
        first.next("rollout", 10);
        try (SseListener second = new SseListener(live(limited), secret, null)) {
          assertThat(second.status()).isEqualTo(429);
        }
        ApiClient.Response again =
            a.withToken(secret).send("GET", LIVE, null, "Accept", "text/event-stream");
        assertThat(again.object()).containsEntry("code", "too_many_streams");
        assertThat(again.header("Retry-After")).isEqualTo("1");

        assertThat(a.delete("/api/v1/tokens/" + created.object().get("id")).status())
            .isEqualTo(200);
        assertThat(first.awaitEnd(5)).as("the revoked token's feed ended").isTrue();
      }
    }
  }
}

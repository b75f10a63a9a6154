package dev.rollgate.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.ValueType;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real server on a socket (embedded store). */
class RollgateClientTest {
  private static final EvaluationContext PRO = EvaluationContext.of("u1", Map.of("plan", "pro"));

  @TempDir Path dir;
  private int port;
  private TestServer server;
  private String sdkToken;

  @BeforeEach
  void startServer() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort(); // fixed, so that a restarted server answers at the same address
    }
    server = TestServer.start(StoreKind.SQLITE, Map.of("ROLLGATE_PORT", String.valueOf(port)));
    server.admin().post(TestFlags.FLAGS, TestFlags.checkout());
    server
        .admin()
        .post(TestFlags.FLAGS, TestFlags.enabled("banner", Map.of("a", "Hello", "b", "Hi"), "a"));
    sdkToken = server.sdkToken();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  private void admin(String path, Map<String, Object> body) {
    assertThat(server.admin().patch(path, body).status()).isEqualTo(200);
  }

  private RollgateClient.Builder client() {
    return RollgateClient.builder()
        .baseUrl("http://127.0.0.1:" + port)
        .sdkToken(sdkToken)
        .pollInterval(Duration.ofMillis(200))
        .environment(Map.of());
  }

  private static void eventually(Supplier<Object> actual, Object expected)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!expected.equals(actual.get())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("expected " + expected + ", still " + actual.get());
      }
      Thread.sleep(20);
    }
  }

  @Test
  void servesTheServersFlagsAndSeesAChangeWithinASecond() throws Exception {
    try (RollgateClient flags = client().build()) {
      assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
      assertThat(flags.status()).isEqualTo(Status.READY);
      assertThat(flags.booleanValue("new-checkout", PRO, false)).isTrue();
      assertThat(flags.booleanValue("new-checkout", EvaluationContext.of("u2"), true)).isFalse();
      assertThat(flags.stringValue("banner", PRO, "x")).isEqualTo("Hello");
      assertThat(flags.stringDetails("banner", PRO, "x").reason().name()).isEqualTo("STATIC");
      assertThat(flags.longValue("banner", PRO, 7L)).isEqualTo(7L); // type mismatch: the default
      assertThat(flags.intValue("banner", PRO, 3)).isEqualTo(3);
      assertThat(flags.doubleValue("banner", PRO, 1.5)).isEqualTo(1.5);
      assertThat(flags.objectValue("banner", PRO, Map.of())).isEqualTo(Map.of());
      assertThat(flags.booleanDetails("nope", PRO, true).errorCode().name())
          .isEqualTo("FLAG_NOT_FOUND");
      assertThat(flags.explain("new-checkout", ValueType.BOOLEAN, false, PRO).explanation())
          .isNotEmpty();

      CountDownLatch changed = new CountDownLatch(1);
      flags.onChange("banner", changed::countDown);
      long sent = System.nanoTime();
      admin(TestFlags.FLAGS + "/banner/environments/production", Map.of("defaultVariant", "b"));
      assertThat(changed.await(1, TimeUnit.SECONDS)).as("change seen within a second").isTrue();
      assertThat(flags.stringValue("banner", PRO, "x")).isEqualTo("Hi");
      assertThat(System.nanoTime() - sent).isLessThan(TimeUnit.SECONDS.toNanos(1));
    }
  }

  @Test
  void keepsServingWhileTheServerIsDownAndRecoversWithoutARestart() throws Exception {
    List<Status> seen = new CopyOnWriteArrayList<>();
    try (RollgateClient flags = client().build()) {
      flags.onStatus(seen::add);
      assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();

      server.stop();
      eventually(flags::status, Status.STALE);
      assertThat(flags.booleanValue("new-checkout", PRO, false)).isTrue(); // the last values

      server.start();
      eventually(flags::status, Status.READY);
      assertThat(flags.stringValue("banner", PRO, "x")).isEqualTo("Hello");
    }
    assertThat(seen).containsSubsequence(Status.STALE, Status.READY);
  }

  @Test
  void startsFromABootstrapFileWhenTheServerIsDown() throws Exception {
    Path bootstrap =
        Files.writeString(
            dir.resolve("bootstrap.json"),
            "{\"flags\": {\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"x\": \"from bootstrap\"}, \"defaultVariant\": \"x\"}}}");
    server.stop();
    try (RollgateClient flags = client().bootstrapFile(bootstrap).build()) {
      assertThat(flags.status()).isEqualTo(Status.STALE);
      assertThat(flags.stringValue("banner", PRO, "default")).isEqualTo("from bootstrap");
      assertThat(flags.awaitReady(Duration.ofMillis(300))).isFalse();
    }
  }

  @Test
  void startsFromTheOnDiskCopyOfTheLastGoodConfiguration() throws Exception {
    Path copy = dir.resolve("cache/flags.json");
    try (RollgateClient flags = client().cacheFile(copy).build()) {
      assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
    }
    assertThat(copy).exists();
    server.stop();
    try (RollgateClient flags = client().cacheFile(copy).build()) {
      assertThat(flags.status()).isEqualTo(Status.STALE);
      assertThat(flags.booleanValue("new-checkout", PRO, false)).isTrue();
    }
  }

  @Test
  void aBadTokenIsAnErrorNotAnException() throws Exception {
    try (RollgateClient flags = client().sdkToken("rgt_wrong").build()) {
      eventually(flags::status, Status.ERROR);
      assertThat(flags.booleanValue("new-checkout", PRO, false)).isFalse();
    }
  }

  @Test
  void closeStopsEveryThreadItStarted() throws Exception {
    RollgateClient flags = client().build();
    assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
    flags.close();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("rollgate-sdk") && t.isAlive());
  }

  private String metrics() {
    return server.as(null).get("/metrics").text();
  }

  private static String count(String metrics, String kind) {
    return metrics
        .lines()
        .filter(l ->
            l.startsWith("rollgate_events_received_total{") && l.contains("type=\"" + kind + "\""))
        .map(l -> l.substring(l.lastIndexOf(' ') + 1))
        .findFirst()
        .orElse("0");
  }

  @Test
  void exposuresTrackEventsAndOutcomesReachTheServerDeduplicated() throws Exception {
    RollgateClient flags = client().flushInterval(Duration.ofMillis(100)).build();
    try (flags) {
      assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
      for (int i = 0; i < 50; i++) {
        flags.booleanValue("new-checkout", PRO, false); // one exposure: same flag, variant, user
      }
      flags.booleanValue(
          "new-checkout", EvaluationContext.of("u2"), false); // another user, variant
      flags.track("purchase", PRO, 9.99);
      flags.recordOutcome("new-checkout", PRO, 12_000_000, false);
    } // close() flushes
    assertThat(flags.droppedEvents()).as("dropped").isZero();
    String metrics = metrics();
    assertThat(count(metrics, "exposure")).isEqualTo("2.0");
    assertThat(count(metrics, "track")).isEqualTo("1.0");
    assertThat(count(metrics, "outcomes")).isEqualTo("1.0"); // one window
    // Evaluation counts: on and off, in one batch or split over two flushes.
    long evaluations = (long) Double.parseDouble(count(metrics, "evaluations"));
    assertThat(evaluations).isBetween(2L, 4L);
    assertThat(flags.sentEvents()).isEqualTo(4 + evaluations);
    assertThat(
            server
                .admin()
                .get("/api/v1/projects/default/environments/production/flags/new-checkout/usage")
                .object())
        .containsEntry("total", 51L);
    assertThat(flags.droppedEvents()).isZero();
  }

  @Test
  void outcomesAreSentAsPerSecondWindowsAndReachTheFlagsMetrics() throws Exception {
    RollgateClient flags = client().flushInterval(Duration.ofMillis(100)).build();
    try (flags) {
      assertThat(flags.awaitReady(Duration.ofSeconds(10))).isTrue();
      for (int i = 0; i < 500; i++) {
        flags.recordOutcome("new-checkout", PRO, "/pay", (5 + i % 20) * 1_000_000L, i % 10 == 0);
      }
    }
    // 500 outcomes of one second (two, if the loop crossed a second boundary) in one or two events
    assertThat(flags.sentEvents()).isBetween(1L, 2L);
    String path =
        "/api/v1/projects/default/environments/production/flags/new-checkout/metrics?step=3600";
    long requests = 0;
    long errors = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (requests < 500 && System.nanoTime() < deadline) {
      Thread.sleep(200); // the server writes outcomes every second
      requests = 0;
      errors = 0;
      for (Object point : (List<?>) server.admin().get(path).object().get("points")) {
        Map<?, ?> on = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) point).get("variants")).get("on");
        requests += ((Number) on.get("requests")).longValue();
        errors += ((Number) on.get("errors")).longValue();
        assertThat(((Map<?, ?>) on.get("routes")).keySet().toString()).isEqualTo("[/pay]");
        assertThat(((Number) on.get("p99")).doubleValue()).isBetween(23.0, 25.0);
      }
    }
    assertThat(requests).isEqualTo(500);
    assertThat(errors).isEqualTo(50);
  }

  @Test
  void aFullQueueDropsAndCountsInsteadOfBlocking() throws Exception {
    server.stop();
    try (RollgateClient flags =
        client().eventQueueCapacity(10).flushInterval(Duration.ofMinutes(1)).build()) {
      long start = System.nanoTime();
      for (int i = 0; i < 1000; i++) {
        flags.track("click", PRO, null);
      }
      assertThat(System.nanoTime() - start)
          .isLessThan(TimeUnit.SECONDS.toNanos(5)); // never waited for the network
      // At most the queue (10) and one batch being gathered (500) can hold events.
      assertThat(flags.droppedEvents()).isGreaterThanOrEqualTo(1000 - 10 - 500);
    }
  }
}

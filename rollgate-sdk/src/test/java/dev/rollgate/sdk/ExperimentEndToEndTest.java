package dev.rollgate.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Experiments end to end: simulated users get their variant from the SDK (which reports each
 * exposure), convert at a rate set per variant and report it with {@code track}; the server
 * attributes both to the experiment and decides.
 */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class ExperimentEndToEndTest {
  private static final String P = "/api/v1/projects/default";
  private static final int USERS = 4000;

  private static TestServer server;
  private static ApiClient admin;
  private static String sdkToken;

  @BeforeAll
  static void start() {
    server = TestServer.start(StoreKind.SQLITE);
    admin = server.admin();
    sdkToken = server.sdkToken();
    admin.post(
        P + "/metrics", Map.of("key", "purchase", "kind", "conversion", "event", "purchase"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A flag with variants on and off and a 50/50 experiment on it, started. */
  private static void experiment(String flag) {
    admin.post(TestFlags.FLAGS, TestFlags.enabled(flag, Map.of("on", true, "off", false), "off"));
    ApiClient.Response created =
        admin.post(
            P + "/environments/production/experiments",
            Map.of(
                "key",
                flag,
                "flag",
                flag,
                "variants",
                Map.of("off", 50, "on", 50),
                "primaryMetric",
                "purchase",
                "guardrails",
                List.of(Map.of("metric", "error_rate", "bad", "increase"))));
    assertThat(created.status()).as(created.text()).isEqualTo(201);
    assertThat(
            admin
                .post(P + "/environments/production/experiments/" + flag + "/start", Map.of())
                .status())
        .isEqualTo(200);
  }

  private static RollgateClient client(boolean events) throws InterruptedException {
    RollgateClient client =
        RollgateClient.builder()
            .baseUrl(admin.base())
            .sdkToken(sdkToken)
            .events(events)
            .flushInterval(Duration.ofMillis(100))
            .eventQueueCapacity(50_000)
            .build();
    assertThat(client.awaitReady(Duration.ofSeconds(10))).isTrue();
    return client;
  }

  /**
   * Runs the users through the SDK. {@code lostOnExposures} is the share of users who got "on"
   * whose exposure never reaches the server (a broken logging path). Returns the users counted and
   * the conversions they reported, as the server should see them.
   */
  private static Sent simulate(
      String flag, double offRate, double onRate, double lostOnExposures, long seed)
      throws InterruptedException {
    SplittableRandom random = new SplittableRandom(seed);
    long exposed = 0;
    long conversions = 0;
    try (RollgateClient client = client(true);
        RollgateClient silent = client(false)) {
      for (int u = 0; u < USERS; u++) {
        EvaluationContext user = EvaluationContext.of(flag + "-user-" + u);
        boolean on = silent.booleanValue(flag, user, false);
        if (on && random.nextDouble() < lostOnExposures) {
          continue;
        }
        on = client.booleanValue(flag, user, false); // reports the exposure
        exposed++;
        if (random.nextDouble() < (on ? onRate : offRate)) {
          client.track("purchase", user, null);
          conversions++;
        }
      }
      assertThat(client.droppedEvents()).isZero();
    }
    return new Sent(exposed, conversions);
  }

  /** What a simulation sent: exposed users, and conversions among them. */
  private record Sent(long units, long conversions) {}

  /** The results once the server has taken in every exposure and conversion that was sent. */
  private static Map<String, Object> results(String flag, Sent sent) throws InterruptedException {
    String path = P + "/environments/production/experiments/" + flag + "/results";
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Map<String, Object> r = admin.get(path).object();
      long units =
          ((Map<String, Object>) r.get("units"))
              .values().stream().mapToLong(n -> ((Number) n).longValue()).sum();
      boolean complete = units >= sent.units() && conversions(r) >= sent.conversions();
      if (complete || System.nanoTime() > deadline) {
        return r;
      }
      Thread.sleep(200);
    }
  }

  /** Conversions counted on the primary metric: mean times n, over the variants. */
  private static long conversions(Map<String, Object> results) {
    Map<String, Object> purchase =
        (Map<String, Object>) ((List<Object>) results.get("metrics")).getFirst();
    return ((Map<String, Object>) purchase.get("variants"))
        .values().stream()
            .map(v -> (Map<String, Object>) v)
            .mapToLong(v ->
                v.get("mean") == null
                    ? 0
                    : Math.round(
                        ((Number) v.get("mean")).doubleValue()
                            * ((Number) v.get("n")).doubleValue()))
            .sum();
  }

  private static Map<String, Object> decision(Map<String, Object> results) {
    return (Map<String, Object>) results.get("decision");
  }

  @Test
  void aVariantThatTrulyConvertsBetterShips() throws InterruptedException {
    experiment("exp-ship");
    Map<String, Object> r = results("exp-ship", simulate("exp-ship", 0.10, 0.16, 0, 1));
    assertThat(decision(r)).containsEntry("decision", "ship").containsEntry("winner", "on");
    Map<String, Object> purchase =
        (Map<String, Object>) ((List<Object>) r.get("metrics")).getFirst();
    Map<String, Object> on =
        (Map<String, Object>) ((Map<String, Object>) purchase.get("variants")).get("on");
    Map<String, Object> relative = (Map<String, Object>) on.get("relative");
    assertThat(((Number) relative.get("effect")).doubleValue()).isBetween(0.3, 0.9);
    assertThat(((Number) on.get("chanceToBeatControl")).doubleValue()).isGreaterThan(0.99);
    assertThat((Map<String, Object>) r.get("sampleRatio")).containsEntry("srm", false);
  }

  @Test
  void anAaExperimentDoesNotShip() throws InterruptedException {
    experiment("exp-aa");
    Map<String, Object> r = results("exp-aa", simulate("exp-aa", 0.10, 0.10, 0, 2));
    assertThat(decision(r).get("decision")).as("results: %s", r).isEqualTo("keep_running");
    assertThat(
            ((Map<String, Long>) r.get("units")).values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(USERS);
  }

  @Test
  void aBrokenFiftyFiftyAssignmentIsFlaggedAsSampleRatioMismatch() throws InterruptedException {
    experiment("exp-srm");
    Map<String, Object> r = results("exp-srm", simulate("exp-srm", 0.10, 0.16, 0.3, 3));
    assertThat((Map<String, Object>) r.get("sampleRatio")).containsEntry("srm", true);
    assertThat(decision(r)).containsEntry("decision", "no_ship");
    assertThat((String) decision(r).get("reason")).startsWith("sample ratio mismatch");
  }
}

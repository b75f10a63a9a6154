package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.TestFlags;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST …/environments/{env}/flags/{key}/explain}: the answer OFREP gives, with the engine's
 * steps, from the same served snapshot; read-only. Through a real socket on both stores.
 */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class ExplainApiTest extends ServerTestBase {
  private static final String EXPLAIN = P + "/environments/production/flags/new-checkout/explain";
  private static final String OFREP = "/ofrep/v1/evaluate/flags/new-checkout";

  /** The kill switch of last resort, set in the server's process environment. */
  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_FLAG_KILLED", "off");
  }

  private ApiClient sdk;

  @BeforeEach
  void seed() {
    assertThat(admin.post(P + "/flags", checkoutFlag()).status()).isEqualTo(201);
    sdk = server.as(token("sdk"));
  }

  private static Map<String, Object> context(Map<String, Object> context) {
    return Map.of("context", context);
  }

  private static List<Map<String, Object>> steps(Response r) {
    return (List<Map<String, Object>>) r.object().get("steps");
  }

  @Test
  void explainsWhatOfrepAnswersWithTheStepsAndTheFlagVersion() {
    // A change elsewhere moves the flag's version; the snapshot knows which one it compiled.
    admin.patch(P + "/flags/new-checkout/environments/staging", Map.of("state", "ENABLED"));
    Map<String, Object> pro = context(Map.of("targetingKey", "u1", "plan", "pro"));
    Response r = admin.post(EXPLAIN, pro);
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.object())
        .containsEntry("flag", "new-checkout")
        .containsEntry("value", true)
        .containsEntry("variant", "on")
        .containsEntry("reason", "TARGETING_MATCH")
        .containsEntry("flagVersion", 2L)
        .doesNotContainKey("errorCode");
    assertThat(steps(r))
        .isNotEmpty()
        .allSatisfy(step -> assertThat(step).containsKeys("at", "note"))
        .anySatisfy(step ->
            assertThat((String) step.get("at")).startsWith("flags.new-checkout.targeting.if[0]"));

    Map<String, Object> ofrep = sdk.post(OFREP, pro).object();
    assertThat(ofrep)
        .containsEntry("value", r.object().get("value"))
        .containsEntry("variant", r.object().get("variant"))
        .containsEntry("reason", r.object().get("reason"));
  }

  @Test
  void aMissingOrEmptyContextIsTheEmptyContext() {
    for (Object body : List.of("", "{}", Map.of("context", Map.of()), "{\"context\": null}")) {
      Response r = admin.send("POST", EXPLAIN, body, "Content-Type", "application/json");
      assertThat(r.status()).as(body + " -> " + r.text()).isEqualTo(200);
      assertThat(r.object())
          .containsEntry("value", false)
          .containsEntry("variant", "off")
          .containsEntry("reason", "DEFAULT");
    }
    Response none = admin.send("POST", EXPLAIN, null);
    assertThat(none.status()).as("no body at all: " + none.text()).isEqualTo(200);
  }

  @Test
  void theProcessKillSwitchShowsAsOfrepServesIt() {
    assertThat(
            admin
                .post(
                    P + "/flags",
                    TestFlags.enabled("killed", Map.of("on", true, "off", false), "on"))
                .status())
        .isEqualTo(201);
    Response r =
        admin.post(
            P + "/environments/production/flags/killed/explain",
            context(Map.of("targetingKey", "u1")));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object())
        .containsEntry("reason", "DISABLED")
        .containsEntry("value", null)
        .containsEntry("variant", null)
        .containsEntry("flagVersion", 1L);
    assertThat(steps(r).toString()).contains("ROLLGATE_FLAG_KILLED");
    Map<String, Object> ofrep =
        sdk.post("/ofrep/v1/evaluate/flags/killed", context(Map.of("targetingKey", "u1"))).object();
    assertThat(ofrep).containsEntry("reason", "DISABLED");
  }

  @Test
  void aRunningRolloutsSplitIsExplainedAsItIsServed() {
    Response started =
        admin.post(
            P + "/environments/production/flags/new-checkout/rollout", Map.of("treatment", "on"));
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    boolean sawBucket = false;
    for (int u = 0; u < 20; u++) {
      Map<String, Object> free = context(Map.of("targetingKey", "user-" + u, "plan", "free"));
      Response r = admin.post(EXPLAIN, free);
      assertThat(r.status()).isEqualTo(200);
      Map<String, Object> ofrep = sdk.post(OFREP, free).object();
      assertThat(r.object())
          .as("user-" + u)
          .containsEntry("variant", ofrep.get("variant"))
          .containsEntry("reason", ofrep.get("reason"));
      sawBucket |=
          steps(r).stream()
              .anyMatch(s -> s.get("details") instanceof Map<?, ?> d && d.containsKey("bucket"));
    }
    assertThat(sawBucket).as("the steps show the split's bucketing").isTrue();
  }

  @Test
  void anUnknownFlagIsTheEvaluationsFlagNotFoundAndAnUnknownEnvironmentA404() {
    Response r = admin.post(P + "/environments/production/flags/nope/explain", context(Map.of()));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object())
        .containsEntry("flag", "nope")
        .containsEntry("value", null)
        .containsEntry("reason", "ERROR")
        .containsEntry("errorCode", "FLAG_NOT_FOUND")
        .doesNotContainKey("flagVersion");
    assertThat(steps(r)).isNotEmpty();

    assertThat(admin.post(P + "/environments/nope/flags/new-checkout/explain", Map.of()).status())
        .isEqualTo(404);
    assertThat(
            admin
                .post("/api/v1/projects/nope/environments/production/flags/x/explain", Map.of())
                .status())
        .isEqualTo(404);
  }

  @Test
  void aContextThatIsNotAnObjectIsA400NamingIt() {
    Response array = admin.post(EXPLAIN, Map.of("context", List.of(1)));
    assertThat(array.status()).isEqualTo(400);
    assertThat((List<Map<String, Object>>) array.object().get("details"))
        .singleElement()
        .satisfies(d -> assertThat(d).containsEntry("field", "context"));
    Response key = admin.post(EXPLAIN, context(Map.of("targetingKey", 5)));
    assertThat(key.status()).isEqualTo(400);
    assertThat((List<Map<String, Object>>) key.object().get("details"))
        .singleElement()
        .satisfies(d -> assertThat(d).containsEntry("field", "context.targetingKey"));
    assertThat(admin.post(EXPLAIN, Map.of("ctx", Map.of())).object())
        .containsEntry("code", "invalid_field");
    assertThat(admin.post(EXPLAIN, "[1]").status()).isEqualTo(400);
    assertThat(admin.post(EXPLAIN, "{\"context\":").object())
        .containsEntry("code", "malformed_json");
  }

  @Test
  void everyReaderMayExplainAndAnSdkTokenOnlyItsOwnEnvironment() {
    Map<String, Object> pro = context(Map.of("targetingKey", "u1", "plan", "pro"));
    for (String role : List.of("viewer", "editor", "admin")) {
      assertThat(server.as(token(role)).post(EXPLAIN, pro).status()).as(role).isEqualTo(200);
    }
    assertThat(sdk.post(EXPLAIN, pro).status()).as("sdk, its environment").isEqualTo(200);
    Response elsewhere = sdk.post(P + "/environments/staging/flags/new-checkout/explain", pro);
    assertThat(elsewhere.status()).as("sdk, another environment").isEqualTo(403);
    assertThat(server.as(null).post(EXPLAIN, pro).status()).isEqualTo(401);
  }

  /** Under the flag (where the CLI calls it) the answer is the same, for people only. */
  @Test
  void theSameUnderTheFlagForReadersButNoSdkToken() {
    Map<String, Object> pro = context(Map.of("targetingKey", "u1", "plan", "pro"));
    String underFlag = P + "/flags/new-checkout/environments/production/explain";
    Response viaFlag = server.as(token("viewer")).post(underFlag, pro);
    assertThat(viaFlag.status()).as(viaFlag.text()).isEqualTo(200);
    assertThat(viaFlag.object()).isEqualTo(admin.post(EXPLAIN, pro).object());
    assertThat(sdk.post(underFlag, pro).status()).as("sdk").isEqualTo(403);
  }

  /**
   * Explaining is no evaluation: usage stays as OFREP left it, and an experiment on the flag sees
   * no exposure from it (only the one OFREP evaluation, which shows the test would see more).
   */
  @Test
  void explainingCountsNoUsageAndReportsNoExposure() throws Exception {
    String experiments = P + "/environments/production/experiments";
    admin.post(P + "/metrics", Map.of("key", "buy", "kind", "conversion", "event", "buy"));
    admin.post(
        experiments,
        Map.of(
            "key",
            "why",
            "flag",
            "new-checkout",
            "variants",
            Map.of("off", 1, "on", 1),
            "primaryMetric",
            "buy"));
    assertThat(admin.post(experiments + "/why/start", Map.of()).status()).isEqualTo(200);
    for (int u = 0; u < 10; u++) {
      assertThat(admin.post(EXPLAIN, context(Map.of("targetingKey", "explained-" + u))).status())
          .isEqualTo(200);
      assertThat(sdk.post(EXPLAIN, context(Map.of("targetingKey", "sdk-" + u))).status())
          .isEqualTo(200);
    }
    String usage = P + "/environments/production/flags/new-checkout/usage";
    assertThat(admin.get(usage).object()).containsEntry("total", 0L);

    assertThat(sdk.post(OFREP, context(Map.of("targetingKey", "evaluated"))).status())
        .isEqualTo(200);
    assertThat(admin.get(usage).object()).containsEntry("total", 1L);
    long units = 0;
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (units < 1 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      units = units(admin.get(experiments + "/why/results").object());
    }
    Thread.sleep(1500); // one more flush: no exposure of an explanation may arrive
    assertThat(units(admin.get(experiments + "/why/results").object())).isEqualTo(1);
  }

  private static long units(Map<String, Object> results) {
    return ((Map<String, Object>) results.get("units"))
        .values().stream().mapToLong(n -> ((Number) n).longValue()).sum();
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.rollgate.server.testing.ApiClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Metrics, experiments and the stateless analysis, through a real socket on both stores. */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class ExperimentApiTest extends ServerTestBase {
  private static final String EXPERIMENTS = P + "/environments/production/experiments";

  @BeforeEach
  void seed() {
    admin.post(P + "/flags", checkoutFlag());
  }

  private static double number(Object o) {
    return ((Number) o).doubleValue();
  }

  private static Map<String, Object> track(String unit, String name, double value, long time) {
    return Map.of(
        "type", "track", "name", name, "targetingKey", unit, "value", value, "time", time);
  }

  private static Map<String, Object> exposure(String unit, String variant, long time) {
    return Map.of(
        "type",
        "exposure",
        "flag",
        "new-checkout",
        "variant",
        variant,
        "targetingKey",
        unit,
        "time",
        time);
  }

  @Test
  void analysisReproducesTheWelchReferenceForAnyToken() {
    Map<String, Object> request =
        Map.of(
            "metric", "mean",
            "control", Map.of("n", 10, "sum", 24, "sumSquares", 80),
            "treatment", Map.of("n", 150, "sum", 330, "sumSquares", 1010));
    ApiClient sdk = admin.withToken(token("sdk"));
    ApiClient.Response r = sdk.post("/api/v1/analysis", request);
    assertThat(r.status()).isEqualTo(200);
    Map<String, Object> body = r.object();
    assertThat(body).containsEntry("status", "ok");
    assertThat(number(body.get("effect"))).isCloseTo(-0.2, within(1e-5));
    List<Object> ci = (List<Object>) body.get("ci");
    assertThat(number(ci.get(0))).isCloseTo(-1.340533, within(1e-5));
    assertThat(number(ci.get(1))).isCloseTo(0.940533, within(1e-5));
    assertThat(number(body.get("pValue"))).isCloseTo(0.704021, within(1e-5));
    // Φ(effect/se) and se·φ(z) − effect·Φ(−z), from SciPy
    assertThat(number(body.get("chanceToBeatControl"))).isCloseTo(0.347886, within(1e-5));
    assertThat(number(body.get("expectedLoss"))).isCloseTo(0.319449, within(1e-5));
    assertThat(admin.withToken(null).post("/api/v1/analysis", request).status()).isEqualTo(401);
  }

  @Test
  void analysisHandlesProportionsOneSidedSequentialCupedAndDegenerateInput() {
    Map<String, Object> proportions =
        Map.of(
            "metric", "proportion",
            "alternative", "greater",
            "sequential", Map.of("nStar", 5000),
            "control", Map.of("n", 1000, "sum", 120),
            "treatment", Map.of("n", 1000, "sum", 150));
    Map<String, Object> p = admin.post("/api/v1/analysis", proportions).object();
    assertThat(p).containsEntry("status", "ok");
    assertThat(((List<Object>) p.get("ci")).get(1)).isNull(); // one-sided: open above
    Map<String, Object> cuped =
        admin
            .post(
                "/api/v1/analysis",
                Map.of(
                    "control",
                    Map.of(
                        "n",
                        4,
                        "sum",
                        10,
                        "sumSquares",
                        30,
                        "preSum",
                        8,
                        "preSumSquares",
                        20,
                        "crossSum",
                        24),
                    "treatment",
                    Map.of(
                        "n",
                        4,
                        "sum",
                        14,
                        "sumSquares",
                        54,
                        "preSum",
                        9,
                        "preSumSquares",
                        25,
                        "crossSum",
                        35)))
            .object();
    assertThat(cuped).containsKey("theta");
    Map<String, Object> degenerate =
        admin
            .post(
                "/api/v1/analysis",
                Map.of(
                    "relative", true,
                    "control", Map.of("n", 5, "sum", 0, "sumSquares", 10),
                    "treatment", Map.of("n", 5, "sum", 5, "sumSquares", 15)))
            .object();
    assertThat(degenerate)
        .containsEntry("status", "control_mean_zero")
        .containsEntry("pValue", null);
    ApiClient.Response bad =
        admin.post(
            "/api/v1/analysis",
            Map.of("metric", "median", "control", Map.of(), "treatment", Map.of()));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.object().get("message").toString()).startsWith("metric:");
    assertThat(
            admin
                .post(
                    "/api/v1/analysis",
                    Map.of(
                        "metric",
                        "proportion",
                        "control",
                        Map.of("n", 10, "sum", 11),
                        "treatment",
                        Map.of("n", 10, "sum", 1)))
                .status())
        .isEqualTo(400);
  }

  @Test
  void planAnswersSampleSizesAndDetectableEffects() {
    Map<String, Object> closedForm =
        admin
            .post(
                "/api/v1/analysis/plan",
                Map.of("variance", 100, "mde", 0.3, "alpha", 0.05, "power", 0.85))
            .object();
    assertThat(closedForm)
        .containsEntry("analysis", "fixed-horizon")
        .containsEntry("sampleSizePerArm", 19_952L);
    // 10% relative on a 10% rate: 2(z.975 + z.8)²·0.09/0.01² = 14127.98 (SciPy)
    Map<String, Object> proportion =
        admin
            .post(
                "/api/v1/analysis/plan",
                Map.of("metric", "proportion", "baseline", 0.1, "mde", 0.1, "relative", true))
            .object();
    assertThat(proportion).containsEntry("sampleSizePerArm", 14_128L);
    assertThat(number(proportion.get("minimumDetectableEffect"))).isCloseTo(0.01, within(1e-12));
    Map<String, Object> mde =
        admin
            .post(
                "/api/v1/analysis/plan",
                Map.of("variance", 100, "sampleSize", 19_952, "power", 0.85))
            .object();
    assertThat(number(mde.get("minimumDetectableEffect"))).isCloseTo(0.3, within(1e-6));
    Map<String, Object> sequential =
        admin
            .post(
                "/api/v1/analysis/plan",
                Map.of("variance", 100, "mde", 0.3, "power", 0.85, "sequential", Map.of()))
            .object();
    assertThat(sequential).containsEntry("analysis", "sequential");
    assertThat(((Number) sequential.get("sampleSizePerArm")).longValue()).isGreaterThan(19_952L);

    ApiClient sdk = admin.withToken(token("sdk"));
    assertThat(sdk.post("/api/v1/analysis/plan", Map.of("variance", 100, "mde", 0.3)).status())
        .isEqualTo(200);
    for (Map<String, Object> bad :
        List.<Map<String, Object>>of(
            Map.of("mde", 0.3),
            Map.of("variance", 100),
            Map.of("variance", 100, "mde", 0.3, "sampleSize", 100),
            Map.of("metric", "proportion", "mde", 0.01),
            Map.of("metric", "proportion", "baseline", 1.5, "mde", 0.01),
            Map.of("variance", 100, "mde", 0.3, "relative", true),
            Map.of("variance", -1, "mde", 0.3),
            Map.of("variance", 100, "mde", 0.3, "power", 1))) {
      ApiClient.Response r = admin.post("/api/v1/analysis/plan", bad);
      assertThat(r.status()).as(bad + " -> " + r).isEqualTo(400);
      assertThat(r.object()).containsKeys("code", "message", "requestId");
    }
  }

  @Test
  void sampleRatioMismatchIsAnsweredStatelessly() {
    Map<String, Object> fine =
        admin
            .post(
                "/api/v1/analysis/srm",
                Map.of("observed", List.of(5000, 5040), "weights", List.of(1, 1)))
            .object();
    assertThat(fine).containsEntry("srm", false);
    Map<String, Object> broken =
        admin
            .post(
                "/api/v1/analysis/srm",
                Map.of("observed", List.of(5000, 5500), "weights", List.of(50, 50)))
            .object();
    assertThat(broken).containsEntry("srm", true);
    assertThat(number(broken.get("pValue"))).isLessThan(0.001);
    assertThat(
            admin
                .post(
                    "/api/v1/analysis/srm",
                    Map.of("observed", List.of(1.5, 2), "weights", List.of(1, 1)))
                .status())
        .isEqualTo(400);
  }

  @Test
  void experimentsAreCreatedStartedAndStopped() {
    assertThat(
            admin
                .post(
                    P + "/metrics",
                    Map.of("key", "purchase", "kind", "conversion", "event", "purchase"))
                .status())
        .isEqualTo(201);
    assertThat(
            admin
                .post(P + "/metrics", Map.of("key", "aov", "kind", "ratio", "event", "revenue"))
                .status())
        .as("a ratio needs its denominator")
        .isEqualTo(400);
    assertThat((List<Object>) admin.get(P + "/metrics").object().get("items"))
        .extracting(m -> ((Map<String, Object>) m).get("key"))
        .containsExactly("error_rate", "latency", "purchase");

    Map<String, Object> definition =
        Map.of(
            "key", "checkout-test",
            "flag", "new-checkout",
            "variants", Map.of("off", 50, "on", 50),
            "hypothesis", "the new checkout converts better",
            "primaryMetric", "purchase",
            "guardrails", List.of(Map.of("metric", "error_rate", "bad", "increase")));
    assertThat(
            admin
                .post(
                    EXPERIMENTS,
                    Map.of(
                        "key",
                        "x",
                        "flag",
                        "new-checkout",
                        "variants",
                        Map.of("off", 1, "nope", 1),
                        "primaryMetric",
                        "purchase"))
                .status())
        .isEqualTo(400);
    ApiClient.Response created = admin.post(EXPERIMENTS, definition);
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.object()).containsEntry("state", "DRAFT").containsEntry("control", "off");
    assertThat(admin.post(EXPERIMENTS, definition).status()).isEqualTo(409);

    ApiClient.Response started = admin.post(EXPERIMENTS + "/checkout-test/start", Map.of());
    assertThat(started.status()).isEqualTo(200);
    assertThat(started.object()).containsEntry("state", "RUNNING");
    assertThat(admin.get(P + "/environments/production/flagd").text())
        .contains(started.object().get("id") + ":");
    assertThat(
            admin
                .post(
                    P + "/environments/production/flags/new-checkout/rollout",
                    Map.of("treatment", "on"))
                .status())
        .as("no rollout while an experiment splits the flag")
        .isEqualTo(409);
    Map<String, Object> results = admin.get(EXPERIMENTS + "/checkout-test/results").object();
    assertThat(results).containsEntry("analysis", "sequential");
    assertThat((Map<String, Object>) results.get("decision"))
        .containsEntry("decision", "keep_running");

    ApiClient.Response stopped = admin.post(EXPERIMENTS + "/checkout-test/stop", Map.of());
    assertThat(stopped.object()).containsEntry("state", "STOPPED");
    assertThat(admin.post(EXPERIMENTS + "/checkout-test/start", Map.of()).status()).isEqualTo(409);
    assertThat(admin.get(P + "/environments/production/flagd").text())
        .doesNotContain(started.object().get("id") + ":");
    assertThat(admin.get(EXPERIMENTS + "/nope/results").status()).isEqualTo(404);
  }

  /**
   * Single-flag OFREP evaluations with a targeting key are exposures: each unit counts once, in the
   * variant the server answered; evaluations without a key count for nobody, and neither do bulk
   * evaluations (a fetch of every flag is no sign that the unit saw one).
   */
  @Test
  void ofrepEvaluationsWithATargetingKeyAreExposures() throws Exception {
    admin.post(P + "/metrics", Map.of("key", "buy", "kind", "conversion", "event", "buy"));
    admin.post(
        EXPERIMENTS,
        Map.of(
            "key",
            "ofrep",
            "flag",
            "new-checkout",
            "variants",
            Map.of("off", 1, "on", 1),
            "primaryMetric",
            "buy"));
    assertThat(admin.post(EXPERIMENTS + "/ofrep/start", Map.of()).status()).isEqualTo(200);
    ApiClient sdk = admin.withToken(token("sdk"));
    Map<String, Long> answered = new java.util.TreeMap<>();
    for (int u = 0; u < 40; u++) {
      Map<String, Object> context = Map.of("context", Map.of("targetingKey", "ofrep-" + u));
      String variant = null;
      for (int repeat = 0; repeat < 2; repeat++) { // a second evaluation is no new unit
        ApiClient.Response r = sdk.post("/ofrep/v1/evaluate/flags/new-checkout", context);
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        variant = (String) r.object().get("variant");
      }
      answered.merge(variant, 1L, Long::sum);
    }
    for (int u = 40; u < 50; u++) {
      Map<String, Object> bulk =
          sdk.post(
                  "/ofrep/v1/evaluate/flags",
                  Map.of("context", Map.of("targetingKey", "ofrep-" + u)))
              .object();
      assertThat((List<Object>) bulk.get("flags"))
          .anySatisfy(
              f -> assertThat((Map<String, Object>) f).containsEntry("key", "new-checkout"));
    }
    assertThat(
            sdk.post("/ofrep/v1/evaluate/flags/new-checkout", Map.of("context", Map.of())).status())
        .isEqualTo(200);
    assertThat(answered.keySet()).containsExactly("off", "on");

    Map<String, Object> units = Map.of();
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      units = (Map<String, Object>) admin.get(EXPERIMENTS + "/ofrep/results").object().get("units");
      if (units.values().stream().mapToLong(n -> ((Number) n).longValue()).sum() >= 40) {
        break;
      }
      Thread.sleep(200);
    }
    Thread.sleep(1500); // one more flush: nothing beyond the 40 units may arrive
    units = (Map<String, Object>) admin.get(EXPERIMENTS + "/ofrep/results").object().get("units");
    assertThat(units).isEqualTo(new java.util.TreeMap<String, Object>(answered));
  }

  @Test
  void unitsWithPrePeriodDataGetCupedAndEventsBeforeExposureDoNotCount() throws Exception {
    admin.post(P + "/metrics", Map.of("key", "revenue", "kind", "sum", "event", "revenue"));
    admin.post(
        EXPERIMENTS,
        Map.of(
            "key", "pricing",
            "flag", "new-checkout",
            "variants", Map.of("off", 1, "on", 1),
            "primaryMetric", "revenue"));
    admin.post(EXPERIMENTS + "/pricing/start", Map.of());
    ApiClient sdk = admin.withToken(token("sdk"));
    long now = System.currentTimeMillis();
    java.util.SplittableRandom random = new java.util.SplittableRandom(5);
    List<Object> events = new java.util.ArrayList<>();
    for (int u = 0; u < 300; u++) {
      String unit = "unit-" + u;
      String variant = u % 2 == 0 ? "off" : "on";
      double before = 20 + 5 * random.nextGaussian();
      double after = before + (variant.equals("on") ? 1 : 0) + random.nextGaussian();
      events.add(track(unit, "revenue", before, now - 60_000));
      events.add(exposure(unit, variant, now - 30_000));
      events.add(track(unit, "revenue", after, now - 10_000));
    }
    for (int from = 0; from < events.size(); from += 900) {
      assertThat(
              sdk.post(
                      "/api/v1/events",
                      Map.of("events", events.subList(from, Math.min(events.size(), from + 900))))
                  .status())
          .isEqualTo(202);
    }
    Map<String, Object> on = null;
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      Map<String, Object> r = admin.get(EXPERIMENTS + "/pricing/results").object();
      Map<String, Object> metric =
          (Map<String, Object>) ((List<Object>) r.get("metrics")).getFirst();
      on = (Map<String, Object>) ((Map<String, Object>) metric.get("variants")).get("on");
      if (((Number) on.get("n")).longValue() == 150 && Boolean.TRUE.equals(on.get("cuped"))) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(on).containsEntry("n", 150L).containsEntry("cuped", true);
    Map<String, Object> absolute = (Map<String, Object>) on.get("absolute");
    // Only what came after exposure counts: the means are about 20 and 21, not 40 and 41.
    assertThat(number(on.get("mean"))).isBetween(19.0, 23.0);
    assertThat(number(absolute.get("theta"))).isBetween(0.8, 1.2);
    assertThat(number(absolute.get("effect"))).isBetween(0.6, 1.4);
    // The pre-period explains most of the variance: the interval is far narrower than 5/√150·2.
    assertThat(number(absolute.get("standardError"))).isLessThan(0.2);
  }

  @Test
  void aFailingGuardrailBlocksAndAFixedHorizonWaitsForItsPlannedSize() throws Exception {
    admin.post(P + "/metrics", Map.of("key", "basket", "kind", "mean", "event", "add_to_cart"));
    admin.post(
        EXPERIMENTS,
        Map.of(
            "key",
            "fixed",
            "flag",
            "new-checkout",
            "variants",
            Map.of("off", 1, "on", 1),
            "primaryMetric",
            "basket",
            "plannedSampleSize",
            1000,
            "guardrails",
            List.of(Map.of("metric", "error_rate", "bad", "increase"))));
    admin.post(EXPERIMENTS + "/fixed/start", Map.of());
    ApiClient sdk = admin.withToken(token("sdk"));
    long now = System.currentTimeMillis();
    List<Object> events = new java.util.ArrayList<>();
    for (int u = 0; u < 40; u++) {
      String variant = u % 2 == 0 ? "off" : "on";
      events.add(exposure("u" + u, variant, now - 5000));
      events.add(track("u" + u, "add_to_cart", 10 + u % 7, now - 4000));
    }
    assertThat(sdk.post("/api/v1/events", Map.of("events", events)).status()).isEqualTo(202);
    Map<String, Object> waiting = awaitUnits("fixed", 40);
    assertThat(waiting).containsEntry("analysis", "fixed-horizon");
    assertThat((Map<String, Object>) waiting.get("decision"))
        .containsEntry("decision", "keep_running");
    Map<String, Object> basket =
        (Map<String, Object>) ((List<Object>) waiting.get("metrics")).getFirst();
    Map<String, Object> on =
        (Map<String, Object>) ((Map<String, Object>) basket.get("variants")).get("on");
    assertThat(number(on.get("mean"))).isBetween(10.0, 16.0); // value per add_to_cart
    assertThat((Map<String, Object>) on.get("absolute"))
        .containsEntry("status", "ok")
        .containsKey("degreesOfFreedom");

    // The treatment fails four requests in ten, the control one in a hundred.
    List<Object> outcomes = new java.util.ArrayList<>();
    for (String variant : List.of("off", "on")) {
      outcomes.add(
          Map.of(
              "type",
              "outcomes",
              "flag",
              "new-checkout",
              "variant",
              variant,
              "start",
              now,
              "count",
              1000,
              "errors",
              variant.equals("on") ? 400 : 10));
    }
    assertThat(sdk.post("/api/v1/events", Map.of("events", outcomes)).status()).isEqualTo(202);
    Map<String, Object> decision = null;
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (System.nanoTime() < deadline) {
      decision =
          (Map<String, Object>) admin.get(EXPERIMENTS + "/fixed/results").object().get("decision");
      if (decision.get("decision").equals("no_ship")) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(decision).containsEntry("decision", "no_ship");
    assertThat((String) decision.get("reason")).startsWith("guardrail error_rate got worse for on");
  }

  private Map<String, Object> awaitUnits(String key, long units) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      Map<String, Object> r = admin.get(EXPERIMENTS + "/" + key + "/results").object();
      long seen =
          ((Map<String, Object>) r.get("units"))
              .values().stream().mapToLong(n -> ((Number) n).longValue()).sum();
      if (seen >= units || System.nanoTime() > deadline) {
        Thread.sleep(1200);
        return admin.get(EXPERIMENTS + "/" + key + "/results").object();
      }
      Thread.sleep(200);
    }
  }
}

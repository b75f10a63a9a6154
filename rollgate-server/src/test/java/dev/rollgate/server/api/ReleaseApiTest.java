package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.MutableClock;
import dev.rollgate.server.testing.TestOutcomes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Releases end to end over HTTP on both stores, on an injected clock: each window's outcomes are
 * posted at the clock's time, the clock moves past the window, and the controller (which ticks
 * every second of real time) judges it.
 */
@SuppressWarnings("unchecked")
class ReleaseApiTest extends ServerTestBase {
  private static final long T0 = 1_900_000_000_000L;
  private static final String ENV = P + "/environments/production";
  private static final String RELEASES = ENV + "/releases";
  private static final String FLAG = "checkout-svc";
  private static final List<String> RUNBOOK =
      List.of(
          "planned",
          "maintenance_scheduled",
          "prechecks_completed",
          "started",
          "wave_started",
          "wave_completed",
          "postchecks_completed",
          "completed",
          "paused",
          "rolled_back");

  private final MutableClock clock = new MutableClock(T0);
  private ApiClient sdk;

  @Override
  Clock clock() {
    return clock;
  }

  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_HEALTH_ALLOW_PRIVATE", "true");
  }

  @BeforeEach
  void seed() {
    Map<String, Object> variants = new LinkedHashMap<>();
    variants.put("1.4.0", "1.4.0");
    variants.put("1.5.0", "1.5.0");
    variants.put("2.0.0", "2.0.0");
    ApiClient.Response flag =
        admin.post(
            P + "/flags",
            Map.of(
                "key",
                FLAG,
                "variants",
                variants,
                "defaultVariant",
                "1.4.0",
                "environments",
                Map.of("production", Map.of("state", "ENABLED"))));
    assertThat(flag.status()).as(flag.toString()).isEqualTo(201);
    segment("pilot-tenant", Map.of("==", List.of(Map.of("var", "tenant"), "acme")));
    segment(
        "pilot-tenants",
        Map.of(
            "in",
            List.of(
                Map.of("var", "tenant"),
                List.of("acme", "globex", "initech", "umbrella", "hooli"))));
    sdk = admin.withToken(token("sdk"));
  }

  private void segment(String key, Object rules) {
    ApiClient.Response r = admin.post(P + "/segments", Map.of("key", key, "rules", rules));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  private Map<String, Object> create(Map<String, Object> body) {
    ApiClient.Response r = admin.post(RELEASES, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.object();
  }

  private static Map<String, Object> release(
      String version, String type, Map<String, Object> plan) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("service", "checkout");
    body.put("version", version);
    body.put("type", type);
    body.put("flag", FLAG);
    body.put("notes", "## " + version + "\n\nFaster checkout.");
    if (plan != null) {
      body.put("plan", plan);
    }
    return body;
  }

  private Map<String, Object> get(String id) {
    return admin.get(RELEASES + "/" + id).object();
  }

  private ApiClient.Response control(String id, String action, Object body) {
    long revision = (Long) get(id).get("revision");
    return admin.send(
        "POST", RELEASES + "/" + id + "/" + action, body, "If-Match", "\"" + revision + "\"");
  }

  private Map<String, Object> await(String id, Predicate<Map<String, Object>> done) {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      Map<String, Object> r = get(id);
      if (done.test(r)) {
        return r;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("never reached: " + r.get("phase") + " " + r.get("reason"));
      }
      sleep(50);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  private static Map<String, Object> outcomes(
      String variant, long at, int requests, int errors, double ms) {
    return TestOutcomes.second(FLAG, variant, at, requests, errors, ms);
  }

  /**
   * One judged window: the treatment's and the control's outcomes at the clock's time, stored
   * before the clock moves past the window (62 s: the 60 s window and the ingest delay).
   */
  private Map<String, Object> window(
      String id, Map<String, Object> treatment, Map<String, Object> control) {
    long at = clock.millis();
    List<Object> events = new ArrayList<>();
    if (treatment != null) {
      events.add(treatment);
    }
    if (control != null) {
      events.add(control);
    }
    if (!events.isEmpty()) {
      ApiClient.Response posted = sdk.post("/api/v1/events", Map.of("events", events));
      assertThat(posted.status()).as(posted.toString()).isEqualTo(202);
      String metrics = ENV + "/flags/" + FLAG + "/metrics?step=1&from=" + at + "&to=" + (at + 1000);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (((List<Object>) admin.get(metrics).object().get("points")).isEmpty()) {
        assertThat(System.nanoTime()).as("outcomes stored").isLessThan(deadline);
        sleep(50);
      }
    }
    String before = TestOutcomes.judged(get(id));
    clock.advance(62_000);
    return await(id, r -> !TestOutcomes.judged(r).equals(before));
  }

  private Map<String, Object> healthy(String id, String treatment, String control) {
    return window(
        id,
        outcomes(treatment, clock.millis(), 1000, 0, 40),
        control == null ? null : outcomes(control, clock.millis(), 1000, 0, 40));
  }

  private static List<String> events(Map<String, Object> release) {
    return ((List<Map<String, Object>>) release.get("timeline"))
        .stream().map(e -> (String) e.get("event")).toList();
  }

  private static List<String> runbookEvents(Map<String, Object> release) {
    return events(release).stream().filter(RUNBOOK::contains).toList();
  }

  private String evaluate(String tenant, String user) {
    ApiClient.Response r =
        sdk.post(
            "/ofrep/v1/evaluate/flags/" + FLAG,
            Map.of("context", Map.of("targetingKey", user, "tenant", tenant)));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return (String) r.object().get("variant");
  }

  /** How many of the users u0 to u99 of {@code tenant} get {@code variant}. */
  private int served(String tenant, String variant) {
    int n = 0;
    for (int i = 0; i < 100; i++) {
      if (evaluate(tenant, "u" + i).equals(variant)) {
        n++;
      }
    }
    return n;
  }

  private static final Map<String, Object> MINOR_PLAN =
      Map.of(
          "windowSeconds",
          60,
          "postcheckWindowSeconds",
          60,
          "baselineWindowSeconds",
          60,
          "waves",
          List.of(
              Map.of(
                  "name",
                  "pilot tenant",
                  "segment",
                  "pilot-tenant",
                  "percent",
                  10,
                  "minDurationSeconds",
                  60),
              Map.of(
                  "name",
                  "pilot tenants",
                  "segment",
                  "pilot-tenants",
                  "percent",
                  50,
                  "minDurationSeconds",
                  120),
              Map.of("name", "all tenants", "percent", 100)));

  @Test
  void aMinorReleaseGoesThroughThreeTenantWavesAndCompletesWithItsEventsInOrder() throws Exception {
    // The baseline: the service's current version in the minute before the release.
    clock.advance(30_000);
    sdk.post(
        "/api/v1/events",
        Map.of("events", List.of(outcomes("1.4.0", clock.millis(), 2000, 10, 40))));
    clock.advance(31_000);
    String id = (String) create(release("1.5.0", "minor", MINOR_PLAN)).get("id");
    ApiClient.Response started = control(id, "start", Map.of("comment", "go"));
    assertThat(started.status()).as(started.toString()).isEqualTo(200);
    assertThat(events(started.object()).getLast()).isEqualTo("prechecks_started");
    assertThat(((List<Map<String, Object>>) started.object().get("timeline")).getLast())
        .containsEntry("comment", "go");
    Map<String, Object> r = await(id, x -> x.get("phase").equals("ROLLING_OUT"));
    assertThat(r).containsEntry("wave", 0L).containsEntry("waveName", "pilot tenant");

    // Wave 1: a share of the pilot tenant's users; nobody outside it.
    List<String> inWaveOne = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      if (evaluate("acme", "u" + i).equals("1.5.0")) {
        inWaveOne.add("u" + i);
      }
      assertThat(evaluate("globex", "u" + i)).isEqualTo("1.4.0");
    }
    assertThat(inWaveOne).hasSizeBetween(5, 45); // 10% of 200, give or take chance

    r = healthy(id, "1.5.0", "1.4.0");
    assertThat(r).containsEntry("wave", 1L);
    // Wave 2: everyone of wave 1 is still in, and the five pilot tenants' users join.
    for (String user : inWaveOne) {
      assertThat(evaluate("acme", user)).isEqualTo("1.5.0");
    }
    assertThat(served("hooli", "1.5.0")).isBetween(25, 75); // half of a hundred
    assertThat(served("acme", "1.5.0")).isBetween(25, 75);
    assertThat(evaluate("nobody-inc", "u1")).isEqualTo("1.4.0");

    long revision = (Long) r.get("revision");
    r = healthy(id, "1.5.0", "1.4.0");
    assertThat(r).containsEntry("wave", 1L); // its minimum is not over yet
    assertThat(r).containsEntry("revision", revision); // judged, not moved: If-Match still holds
    r = healthy(id, "1.5.0", "1.4.0");
    assertThat(r).containsEntry("wave", 2L);
    assertThat(evaluate("nobody-inc", "u1")).isEqualTo("1.5.0");
    r = healthy(id, "1.5.0", null);
    assertThat(r).containsEntry("phase", "POSTCHECKS");
    healthy(id, "1.5.0", null); // the post-check window
    r = await(id, x -> x.get("phase").equals("COMPLETED"));

    assertThat(runbookEvents(r))
        .containsExactly(
            "planned",
            "prechecks_completed",
            "started",
            "wave_started",
            "wave_completed",
            "wave_started",
            "wave_completed",
            "wave_started",
            "wave_completed",
            "postchecks_completed",
            "completed");
    List<Map<String, Object>> audit =
        (List<Map<String, Object>>)
            admin
                .get(
                    "/api/v1/audit?resource=projects/default/environments/production/releases/"
                        + id)
                .object()
                .get("items");
    assertThat(
            audit.stream().map(e -> (String) e.get("action")).filter(a -> a.startsWith("release.")))
        .contains("release.planned", "release.started", "release.completed");
    assertThat(
            admin
                .get(ENV.replace("/environments/production", "") + "/flags/" + FLAG)
                .object()
                .toString())
        .contains("defaultVariant=1.5.0");
    assertThat(evaluate("nobody-inc", "u1")).isEqualTo("1.5.0");
    for (Map<String, Object> w : (List<Map<String, Object>>) r.get("waves")) {
      assertThat(w).containsEntry("status", "completed");
      assertThat(w.get("startedAt")).isNotNull();
    }

    // The KPI comparison: before (1.4.0, 0.5% errors) against after (1.5.0, none): it passes.
    Map<String, Object> kpi = (Map<String, Object>) r.get("kpi");
    assertThat(kpi).containsEntry("passed", true);
    List<Map<String, Object>> kpis = (List<Map<String, Object>>) kpi.get("kpis");
    assertThat(kpis.get(0)).containsEntry("name", "errorRate").containsEntry("status", "PASS");
    assertThat((Double) kpis.get(0).get("before")).isEqualTo(0.005);
    assertThat((Double) kpis.get(0).get("after")).isEqualTo(0.0);
    assertThat(kpis.get(1)).containsEntry("name", "p95").containsEntry("status", "PASS");

    // The report matches what is stored, as JSON, Markdown and PDF.
    Map<String, Object> report = admin.get(RELEASES + "/" + id + "/report").object();
    assertThat(report.get("kpi")).isEqualTo(kpi);
    assertThat(report.get("timeline")).isEqualTo(r.get("timeline"));
    assertThat((List<Object>) report.get("auditEvents")).hasSizeGreaterThanOrEqualTo(11);
    ApiClient.Response md = admin.get(RELEASES + "/" + id + "/report?format=markdown");
    assertThat(md.header("Content-Type")).startsWith("text/markdown");
    assertThat(md.text())
        .contains("# Release checkout 1.5.0")
        .contains("| 1 | pilot tenant | pilot-tenant | 10.0 | completed |")
        .contains("| errorRate | error rate not above the baseline | 0.005000 | 0.000 | PASS |")
        .contains("| release.completed |");
    byte[] pdf = bytes(RELEASES + "/" + id + "/report", "application/pdf");
    try (PDDocument doc = Loader.loadPDF(pdf)) {
      String text = new PDFTextStripper().getText(doc);
      assertThat(text)
          .contains("Release checkout 1.5.0")
          .contains("KPI comparison")
          .contains("pilot tenants")
          .contains("errorRate")
          .contains("release.completed");
    }

    // The next release must be newer than the one that completed.
    ApiClient.Response older = admin.post(RELEASES, release("1.4.9", "patch", null));
    assertThat(older.status()).isEqualTo(400);
    assertThat(older.text()).contains("must be greater than 1.5.0");
  }

  private byte[] bytes(String path, String accept) throws Exception {
    HttpResponse<byte[]> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(admin.base() + path))
                    .header(
                        "Authorization",
                        "Bearer " + dev.rollgate.server.testing.TestServer.ADMIN_TOKEN)
                    .header("Accept", accept)
                    .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/pdf");
    return response.body();
  }

  private static final Map<String, Object> CANARY_PLAN =
      Map.of(
          "windowSeconds",
          60,
          "waves",
          List.of(
              Map.of("name", "canary", "percent", 10, "minDurationSeconds", 300),
              Map.of("percent", 100)));

  private String startedPatch(String version) {
    String id = (String) create(release(version, "patch", CANARY_PLAN)).get("id");
    assertThat(control(id, "start", null).status()).isEqualTo(200);
    await(id, x -> x.get("phase").equals("ROLLING_OUT"));
    return id;
  }

  @Test
  void aCanaryErrorRateOverTwoPercentRollsBackAndRecordsWhy() {
    String id = startedPatch("1.5.0");
    Map<String, Object> r =
        window(
            id,
            outcomes("1.5.0", clock.millis(), 1000, 50, 40),
            outcomes("1.4.0", clock.millis(), 9000, 9, 40));
    assertThat(r).containsEntry("phase", "ROLLED_BACK");
    assertThat((String) r.get("reason")).contains("over the limit 2.00%");
    Map<String, Object> rolledBack = ((List<Map<String, Object>>) r.get("timeline")).getLast();
    assertThat(rolledBack)
        .containsEntry("event", "rolled_back")
        .containsEntry("actor", "release-controller");
    Map<String, Object> details = (Map<String, Object>) rolledBack.get("details");
    assertThat(details).containsEntry("decidedBy", "release-controller");
    assertThat(((Map<String, Object>) details.get("evidence"))).containsEntry("verdict", "FAIL");
    assertThat(evaluate("acme", "anyone")).isEqualTo("1.4.0");
    assertThat(runbookEvents(r))
        .containsExactly(
            "planned", "prechecks_completed", "started", "wave_started", "rolled_back");
    // Manual controls on an ended release: 409; the same rollback again: idempotent.
    assertThat(control(id, "advance", null).status()).isEqualTo(409);
    assertThat(control(id, "rollback", null).status()).isEqualTo(200);
  }

  @Test
  void aP95OverFiveHundredMillisecondsPausesAndResumeGoesOn() {
    String id = startedPatch("1.5.0");
    Map<String, Object> r =
        window(
            id,
            outcomes("1.5.0", clock.millis(), 1000, 0, 600),
            outcomes("1.4.0", clock.millis(), 9000, 0, 450));
    assertThat(r).containsEntry("phase", "PAUSED").containsEntry("pausedFrom", "ROLLING_OUT");
    assertThat((String) r.get("reason")).contains("p95").contains("pause threshold 500.0 ms");
    assertThat(events(r).getLast()).isEqualTo("paused");
    // Still serving its wave while a person looks.
    assertThat(served("acme", "1.5.0")).isBetween(1, 30);
    // Its flag switched off meanwhile: it may not resume until the flag is on again.
    admin.patch(P + "/flags/" + FLAG + "/environments/production", Map.of("state", "DISABLED"));
    assertThat(control(id, "resume", null).status()).isEqualTo(409);
    admin.patch(P + "/flags/" + FLAG + "/environments/production", Map.of("state", "ENABLED"));
    ApiClient.Response resumed =
        control(id, "resume", Map.of("comment", "a slow dependency; fixed"));
    assertThat(resumed.status()).as(resumed.toString()).isEqualTo(200);
    assertThat(resumed.object()).containsEntry("phase", "ROLLING_OUT");
    assertThat(control(id, "resume", null).status()).isEqualTo(409);
  }

  @Test
  void aReleaseWhoseFlagIsSwitchedOffPausesAtItsNextWindow() {
    String id = startedPatch("1.5.0");
    ApiClient.Response off =
        admin.patch(P + "/flags/" + FLAG + "/environments/production", Map.of("state", "DISABLED"));
    assertThat(off.status()).as(off.toString()).isEqualTo(200);
    Map<String, Object> r = healthy(id, "1.5.0", "1.4.0");
    assertThat(r).containsEntry("phase", "PAUSED");
    assertThat((String) r.get("reason")).contains("was switched off");
    assertThat(control(id, "advance", null).status()).isEqualTo(409);
  }

  @Test
  void aMajorReleaseWaitsForASignedApproval() throws Exception {
    String id = (String) create(release("2.0.0", "major", null)).get("id");
    Map<String, Object> planned = get(id);
    Map<String, Object> plan = (Map<String, Object>) planned.get("plan");
    assertThat(plan).containsEntry("requireApproval", true);
    assertThat((List<Map<String, Object>>) plan.get("waves"))
        .singleElement()
        .satisfies(w ->
            assertThat(w)
                .containsEntry("percent", 100.0)
                .containsEntry("minDurationSeconds", 900L));
    assertThat(control(id, "start", null).status()).isEqualTo(200);
    await(id, x -> x.get("phase").equals("AWAITING_APPROVAL"));
    assertThat(evaluate("acme", "u1")).isEqualTo("1.4.0");

    ApiClient.Response byViewer =
        admin
            .withToken(token("viewer"))
            .post(RELEASES + "/" + id + "/approvals", Map.of("comment", "ok"));
    assertThat(byViewer.status()).isEqualTo(403);
    ApiClient approver = admin.withToken(token("approver"));
    assertThat(approver.post(RELEASES + "/" + id + "/approvals", Map.of()).status()).isEqualTo(400);
    ApiClient.Response approved =
        approver.post(RELEASES + "/" + id + "/approvals", Map.of("comment", "CAB-1234 approved"));
    assertThat(approved.status()).as(approved.toString()).isEqualTo(201);
    assertThat(approved.object()).containsEntry("phase", "ROLLING_OUT");
    assertThat(evaluate("acme", "u1")).isEqualTo("2.0.0"); // blue/green: everyone at once

    Map<String, Object> approval =
        ((List<Map<String, Object>>) approved.object().get("approvals")).getFirst();
    assertThat(approval)
        .containsEntry("phase", "AWAITING_APPROVAL")
        .containsEntry("comment", "CAB-1234 approved");
    assertThat(admin.get(RELEASES + "/" + id + "/approvals/verify").object())
        .containsEntry("valid", true);

    // Anyone with the public key checks it offline.
    Map<String, Object> key = admin.withToken(null).get("/api/v1/keys/approvals").object();
    assertThat(key).containsEntry("algorithm", "Ed25519");
    String signed =
        String.join(
            "\n",
            "rollgate-release-approval/v1",
            id,
            "2.0.0",
            "AWAITING_APPROVAL",
            (String) approval.get("approver"),
            (String) approval.get("at"));
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(
        KeyFactory.getInstance("Ed25519")
            .generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode((String) key.get("publicKey")))));
    s.update(signed.getBytes(StandardCharsets.UTF_8));
    assertThat(s.verify(Base64.getDecoder().decode((String) approval.get("signature")))).isTrue();

    // A signature changed in the store no longer verifies.
    try (Connection c = server.connect();
        PreparedStatement p =
            c.prepareStatement(
                "UPDATE release_approvals SET comment = 'x', approver = 'mallory'")) {
      p.executeUpdate();
    }
    assertThat(admin.get(RELEASES + "/" + id + "/approvals/verify").object())
        .containsEntry("valid", false);
  }

  @Test
  void aReplicaWithAnotherSecretKeyVerifiesApprovalsButCannotSignThem() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        store == dev.rollgate.server.testing.StoreKind.POSTGRES, "replicas share PostgreSQL");
    String id = (String) create(release("2.0.0", "major", null)).get("id");
    assertThat(control(id, "start", null).status()).isEqualTo(200);
    await(id, x -> x.get("phase").equals("AWAITING_APPROVAL"));
    try (dev.rollgate.server.testing.TestServer other = server.replica(null, Map.of())) {
      ApiClient.Response refused =
          other.admin().post(RELEASES + "/" + id + "/approvals", Map.of("comment", "from b"));
      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.text()).contains("cannot sign approvals").contains("ROLLGATE_SECRET_KEY");
      assertThat(
              admin.post(RELEASES + "/" + id + "/approvals", Map.of("comment", "from a")).status())
          .isEqualTo(201);
      assertThat(other.admin().get(RELEASES + "/" + id + "/approvals/verify").object())
          .containsEntry("valid", true);
    }
  }

  @Test
  void aFailedPreCheckKeepsAReleaseFromStarting() {
    Map<String, Object> plan =
        Map.of(
            "prechecks",
            List.of(
                Map.of("name", "audit-chain", "type", "audit"),
                Map.of(
                    "name",
                    "checkout-up",
                    "type",
                    "http",
                    "url",
                    "http://127.0.0.1:1/health",
                    "timeoutMs",
                    500)));
    String id = (String) create(release("1.5.0", "patch", plan)).get("id");
    assertThat(control(id, "start", null).status()).isEqualTo(200);
    Map<String, Object> r = await(id, x -> events(x).contains("prechecks_failed"));
    assertThat(r).containsEntry("phase", "PLANNED");
    assertThat((String) r.get("reason")).startsWith("pre-checks failed: checkout-up:");
    List<Map<String, Object>> checks = (List<Map<String, Object>>) r.get("prechecks");
    assertThat(checks).extracting(c -> c.get("ok")).containsExactly(true, false);
    assertThat(r.get("startedAt")).isNull();
    assertThat(evaluate("acme", "u1")).isEqualTo("1.4.0");
    assertThat(served("acme", "1.5.0")).isZero();
  }

  @Test
  void aScheduledReleaseIsAnnouncedADayAheadAndStartsAtItsTime() {
    Map<String, Object> body = release("1.5.0", "patch", CANARY_PLAN);
    body.put("startAt", Instant.ofEpochMilli(T0 + 30 * 3_600_000L).toString());
    String id = (String) create(body).get("id");
    assertThat(events(get(id))).containsExactly("planned");
    clock.advance(6 * 3_600_000L + 1000); // 24 h before
    await(id, x -> events(x).contains("maintenance_scheduled"));
    clock.advance(24 * 3_600_000L);
    Map<String, Object> r = await(id, x -> x.get("phase").equals("ROLLING_OUT"));
    assertThat(runbookEvents(r))
        .containsExactly(
            "planned", "maintenance_scheduled", "prechecks_completed", "started", "wave_started");
    assertThat(((List<Map<String, Object>>) r.get("timeline")).get(2))
        .containsEntry("actor", "release-controller");
  }

  @Test
  void aMigrationNeedsABackupAndStopsRollingBackPastItsPointOfNoReturn() {
    Map<String, Object> plan =
        Map.of(
            "windowSeconds",
            60,
            "waves",
            List.of(
                Map.of("percent", 10, "minDurationSeconds", 60),
                Map.of("percent", 50, "minDurationSeconds", 600),
                Map.of("percent", 100)));
    String id = (String) create(release("1.5.0", "migration", plan)).get("id");
    ApiClient.Response refused = control(id, "start", null);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.text()).contains("needs a backup reference");
    assertThat(
            control(id, "start", Map.of("backupRef", "s3://backups/checkout-2026-12-06")).status())
        .isEqualTo(200);
    await(id, x -> x.get("phase").equals("ROLLING_OUT"));
    Map<String, Object> r = healthy(id, "1.5.0", "1.4.0");
    assertThat(r)
        .containsEntry("wave", 1L)
        .containsEntry("backupRef", "s3://backups/checkout-2026-12-06");
    r =
        window(
            id,
            outcomes("1.5.0", clock.millis(), 1000, 80, 40),
            outcomes("1.4.0", clock.millis(), 1000, 0, 40));
    assertThat(r).containsEntry("phase", "PAUSED");
    assertThat((String) r.get("reason")).contains("past the point of no return");
    // A person may still roll it back.
    ApiClient.Response back = control(id, "rollback", Map.of("comment", "restore from the backup"));
    assertThat(back.status()).isEqualTo(200);
    assertThat(back.object()).containsEntry("phase", "ROLLED_BACK");
  }

  @Test
  void badInputIsRefusedWithTheFieldAndControlsAreVersionChecked() {
    assertThat(admin.post(RELEASES, release("one", "patch", null)).text())
        .contains("semantic version");
    assertThat(admin.post(RELEASES, release("1.5.0", "giant", null)).text())
        .contains("must be one of");
    ApiClient.Response noSegment =
        admin.post(
            RELEASES,
            release(
                "1.5.0",
                "minor",
                Map.of(
                    "waves",
                    List.of(Map.of("segment", "ghosts", "percent", 5), Map.of("percent", 100)))));
    assertThat(noSegment.status()).isEqualTo(400);
    assertThat(noSegment.text()).contains("plan.waves[0].segment").contains("no segment ghosts");
    ApiClient.Response lastWave =
        admin.post(
            RELEASES, release("1.5.0", "patch", Map.of("waves", List.of(Map.of("percent", 50)))));
    assertThat(lastWave.status()).isEqualTo(400);
    assertThat(lastWave.text()).contains("the last wave must reach everyone");
    ApiClient.Response shrinking =
        admin.post(
            RELEASES,
            release(
                "1.5.0",
                "patch",
                Map.of(
                    "waves",
                    List.of(
                        Map.of("percent", 50), Map.of("percent", 40), Map.of("percent", 100)))));
    assertThat(shrinking.text()).contains("plan.waves[1].percent").contains("must be above 50.0");
    Map<String, Object> farFuture = release("1.5.0", "patch", null);
    farFuture.put("startAt", "+999999999-12-31T23:59:59Z");
    ApiClient.Response far = admin.post(RELEASES, farFuture);
    assertThat(far.status()).isEqualTo(400);
    assertThat(far.text()).contains("startAt");
    ApiClient.Response badVariant = admin.post(RELEASES, release("9.9.9", "patch", null));
    assertThat(badVariant.status()).isEqualTo(400);
    assertThat(badVariant.text()).contains("variant");
    assertThat(
            admin
                .withToken(token("viewer"))
                .post(RELEASES, release("1.5.0", "patch", null))
                .status())
        .isEqualTo(403);

    String id = (String) create(release("1.5.0", "patch", null)).get("id");
    assertThat(admin.post(RELEASES, release("1.5.0", "patch", null)).status()).isEqualTo(409);
    assertThat(admin.post(RELEASES + "/" + id + "/advance", null).status()).isEqualTo(428);
    assertThat(control(id, "advance", null).status()).isEqualTo(409);
    assertThat(control(id, "resume", null).status()).isEqualTo(409);
    assertThat(control(id, "teleport", null).status()).isEqualTo(404);
    assertThat(
            admin.send("POST", RELEASES + "/" + id + "/start", null, "If-Match", "\"99\"").status())
        .isEqualTo(412);
    assertThat(
            admin
                .get(RELEASES + "?phase=PLANNED&service=checkout")
                .object()
                .get("items")
                .toString())
        .contains(id);
    assertThat((List<Object>) admin.get(RELEASES + "?type=major").object().get("items")).isEmpty();
    assertThat(admin.get(RELEASES + "?phase=SLEEPING").status()).isEqualTo(400);
    assertThat(admin.get(RELEASES + "/" + id + "/report?format=docx").status()).isEqualTo(400);
    ApiClient.Response abort = control(id, "abort", Map.of("comment", "not this week"));
    assertThat(abort.object()).containsEntry("phase", "ABORTED");
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.MutableClock;
import dev.rollgate.server.testing.RawHttp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Flag triggers over HTTP on both stores: made by editors, called without a token through their
 * secret URL (as Prometheus Alertmanager calls a webhook receiver), revoked. The server runs on a
 * clock the test holds still, so the per-trigger rate limit is deterministic.
 */
class TriggerApiTest extends ServerTestBase {
  private static final String FLAG = P + "/flags/new-checkout";
  private static final String TRIGGERS = P + "/environments/production/flags/new-checkout/triggers";

  private final MutableClock clock =
      new MutableClock(Instant.parse("2026-12-01T09:00:00Z").toEpochMilli());

  @Override
  Clock clock() {
    return clock;
  }

  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_WEBHOOK_ALLOW_PRIVATE", "true");
  }

  /** Alertmanager's webhook body (version 4) for one alert of {@code status}. */
  private static Map<String, Object> alertmanager(String status) {
    Map<String, Object> labels = Map.of("alertname", "HighErrorRate", "service", "checkout");
    return Map.of(
        "version",
        "4",
        "groupKey",
        "{}:{alertname=\"HighErrorRate\"}",
        "truncatedAlerts",
        0,
        "status",
        status,
        "receiver",
        "rollgate-kill-new-checkout",
        "groupLabels",
        Map.of("alertname", "HighErrorRate"),
        "commonLabels",
        labels,
        "commonAnnotations",
        Map.of("summary", "5xx above 5%"),
        "externalURL",
        "http://alertmanager:9093",
        "alerts",
        List.of(
            Map.of(
                "status",
                status,
                "labels",
                labels,
                "annotations",
                Map.of("summary", "5xx above 5%"),
                "startsAt",
                "2026-12-01T08:59:00Z",
                "endsAt",
                "0001-01-01T00:00:00Z",
                "generatorURL",
                "http://prometheus:9090/graph",
                "fingerprint",
                "c0ffee")));
  }

  /** The caller an alerting system is: no token at all. */
  private ApiClient anonymous() {
    return server.as(null);
  }

  private Map<String, Object> create(ApiClient as, Map<String, Object> body) {
    Response r = as.post(TRIGGERS, body);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.object();
  }

  private Map<String, Object> create(String name, String action) {
    return create(admin, Map.of("name", name, "action", action));
  }

  private Response call(Map<String, Object> trigger, Object body) {
    return anonymous().post((String) trigger.get("url"), body);
  }

  private String production() {
    return (String) admin.get(FLAG + "/environments/production").object().get("state");
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> audit() {
    return (List<Map<String, Object>>)
        admin
            .get("/api/v1/audit?resource=projects/default/flags/new-checkout")
            .object()
            .get("items");
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> list(String query) {
    Response r = admin.get(TRIGGERS + query);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return (List<Map<String, Object>>) r.object().get("items");
  }

  private static void assertError(Response r, int status, String code) {
    assertThat(r.status()).as(r.toString()).isEqualTo(status);
    assertThat(r.header("Content-Type")).startsWith("application/json");
    assertThat(r.object())
        .containsEntry("status", (long) status)
        .containsEntry("code", code)
        .containsKeys("message", "requestId");
  }

  @Test
  void anAlertmanagerFiringSwitchesTheFlagOffAsTheTrigger() {
    admin.post(P + "/flags", checkoutFlag());
    Response hook =
        admin.post(
            "/api/v1/webhooks",
            Map.of("url", "http://127.0.0.1:9/hook", "events", List.of("flag.changed")));
    assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
    Map<String, Object> trigger =
        create(
            admin,
            Map.of(
                "name",
                "high-error-rate",
                "action",
                "switch_off",
                "description",
                "Alertmanager: checkout 5xx"));
    String id = (String) trigger.get("id");
    String secret = (String) trigger.get("secret");
    assertThat(secret).startsWith("rgtr_").hasSizeGreaterThan(30);
    assertThat(trigger)
        .containsEntry("url", "/api/v1/triggers/" + secret)
        .containsEntry("name", "high-error-rate")
        .containsEntry("flag", "new-checkout")
        .containsEntry("environment", "production")
        .containsEntry("action", "switch_off")
        .containsEntry("onResolved", "ignore")
        .containsEntry("revoked", false);
    assertThat(production()).isEqualTo("ENABLED");

    Response fired = call(trigger, alertmanager("firing"));
    assertThat(fired.status()).as(fired.toString()).isEqualTo(200);
    assertThat(fired.object())
        .containsEntry("result", "switched_off")
        .containsEntry("state", "DISABLED")
        .containsEntry("flag", "new-checkout")
        .containsEntry("environment", "production")
        .containsEntry("trigger", Map.of("id", id, "name", "high-error-rate"));
    assertThat(production()).isEqualTo("DISABLED");
    assertThat(
            server
                .snapshot("production")
                .evaluate("new-checkout", dev.rollgate.core.ValueType.BOOLEAN, true, null)
                .reason())
        .as("served as a patch is: compiled and installed")
        .isEqualTo(dev.rollgate.core.Reason.DISABLED);

    List<Map<String, Object>> events = audit();
    assertThat(events)
        .filteredOn(e -> e.get("action").equals("flag.disable"))
        .singleElement()
        .satisfies(e -> {
          assertThat(e)
              .containsEntry("actorId", "trigger:" + id)
              .containsEntry("actor", "trigger:high-error-rate");
          assertThat((String) e.get("comment"))
              .isEqualTo(
                  "trigger high-error-rate ("
                      + id
                      + "): Alertmanager firing: HighErrorRate (1 alert)");
        });
    assertThat(
            admin
                .get(
                    "/api/v1/audit?resource=projects/default/flags/new-checkout/environments"
                        + "/production/triggers/"
                        + id)
                .text())
        .contains("trigger.create");

    assertThat(admin.get("/api/v1/webhooks/" + hook.object().get("id") + "/deliveries").text())
        .as("webhooks hear of it as of any change")
        .contains("flag.changed")
        .contains("trigger:high-error-rate")
        .doesNotContain(secret);

    // Alertmanager repeats a firing group: the flag is off already, nothing is written again.
    Response again = call(trigger, alertmanager("firing"));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.object())
        .containsEntry("result", "unchanged")
        .containsEntry("state", "DISABLED");
    assertThat(audit()).filteredOn(e -> e.get("action").equals("flag.disable")).hasSize(1);

    List<Map<String, Object>> listed = list("");
    assertThat(listed)
        .singleElement()
        .satisfies(t -> {
          assertThat(t)
              .containsEntry("id", id)
              .containsEntry("calls", 2L)
              .containsEntry("lastResult", "unchanged")
              .containsEntry("description", "Alertmanager: checkout 5xx")
              .doesNotContainKeys("secret", "url");
        });
    assertThat(admin.get(TRIGGERS).text()).doesNotContain(secret);
    assertThat(admin.get("/api/v1/audit?limit=500").text()).doesNotContain(secret);
  }

  @Test
  void aResolvedNotificationIsIgnoredUnlessTheTriggerSaysOtherwise() {
    admin.post(P + "/flags", checkoutFlag());
    Map<String, Object> ignoring = create("ignores-resolved", "switch_off");
    Map<String, Object> undoing =
        create(
            admin,
            Map.of(
                "name", "undoes-on-resolved", "action", "switch_off", "onResolved", "switch_on"));
    assertThat(undoing).containsEntry("onResolved", "switch_on");

    Response ignored = call(ignoring, alertmanager("resolved"));
    assertThat(ignored.status()).as(ignored.toString()).isEqualTo(202);
    assertThat(ignored.object())
        .containsEntry("result", "ignored")
        .containsEntry("state", "ENABLED");
    assertThat(production()).isEqualTo("ENABLED");

    assertThat(call(undoing, alertmanager("firing")).object())
        .containsEntry("result", "switched_off");
    assertThat(production()).isEqualTo("DISABLED");
    Response resolved = call(undoing, alertmanager("resolved"));
    assertThat(resolved.status()).as(resolved.toString()).isEqualTo(200);
    assertThat(resolved.object())
        .containsEntry("result", "switched_on")
        .containsEntry("state", "ENABLED");
    assertThat(production()).isEqualTo("ENABLED");
    assertThat(audit())
        .anySatisfy(e ->
            assertThat(e)
                .containsEntry("action", "flag.enable")
                .containsEntry("actor", "trigger:undoes-on-resolved"));

    // The same action on resolved would undo nothing.
    assertError(
        admin.post(
            TRIGGERS, Map.of("name", "x", "action", "switch_off", "onResolved", "switch_off")),
        400,
        "invalid_field");
  }

  @Test
  void aPlainPostOrAnyOtherJsonPerformsTheAction() throws Exception {
    admin.post(P + "/flags", checkoutFlag());
    Map<String, Object> off = create("pager", "switch_off");
    Map<String, Object> on = create("recovered", "switch_on");

    // curl -X POST <url>: no body, no Content-Type.
    String answer =
        RawHttp.send(
            server.admin().base(),
            "POST "
                + off.get("url")
                + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    assertThat(answer).startsWith("HTTP/1.1 200").contains("\"result\":\"switched_off\"");
    assertThat(production()).isEqualTo("DISABLED");

    Response json = call(on, Map.of("source", "grafana", "state", "ok"));
    assertThat(json.status()).as(json.toString()).isEqualTo(200);
    assertThat(json.object()).containsEntry("result", "switched_on");
    assertThat(production()).isEqualTo("ENABLED");

    assertThat(call(off, List.of(1, 2, 3)).object()).containsEntry("result", "switched_off");
    // Not Alertmanager's: a status it never sends.
    assertThat(call(on, Map.of("status", "acknowledged", "alerts", List.of())).object())
        .containsEntry("result", "switched_on");
    assertThat(audit())
        .filteredOn(e -> "trigger:pager".equals(e.get("actor")))
        .extracting(e -> e.get("comment"))
        .contains("trigger pager (" + off.get("id") + "): called");
  }

  @Test
  void aRevokedOrUnknownSecretIsNotFound() {
    admin.post(P + "/flags", checkoutFlag());
    Map<String, Object> trigger = create("to-revoke", "switch_off");
    String id = (String) trigger.get("id");

    Response revoked = admin.delete(TRIGGERS + "/" + id);
    assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
    assertThat(revoked.object()).containsEntry("revoked", true).containsKey("revokedAt");
    assertThat(admin.delete(TRIGGERS + "/" + id).status()).as("twice: no-op").isEqualTo(200);

    assertError(call(trigger, alertmanager("firing")), 404, "not_found");
    assertThat(production()).isEqualTo("ENABLED");
    assertError(
        anonymous().post("/api/v1/triggers/rgtr_" + "A".repeat(32), Map.of()), 404, "not_found");
    assertError(anonymous().post("/api/v1/triggers/nonsense", null), 404, "not_found");
    assertError(admin.delete(TRIGGERS + "/no-such-id"), 404, "not_found");

    assertThat(list("")).isEmpty();
    assertThat(list("?revoked=true"))
        .singleElement()
        .satisfies(t -> assertThat(t).containsEntry("id", id));
    assertThat(
            admin
                .get(
                    "/api/v1/audit?resource=projects/default/flags/new-checkout/environments"
                        + "/production/triggers/"
                        + id)
                .text())
        .contains("trigger.revoke");
    assertThat(audit()).filteredOn(e -> e.get("action").equals("trigger.revoke")).hasSize(1);

    // A deleted environment takes its triggers with it, and a new one of that key has none.
    assertThat(admin.post(P + "/environments", Map.of("key", "qa")).status()).isEqualTo(201);
    String qa = P + "/environments/qa/flags/new-checkout/triggers";
    Response inQa = admin.post(qa, Map.of("name", "qa-pager", "action", "switch_off"));
    assertThat(inQa.status()).as(inQa.toString()).isEqualTo(201);
    Response gone = admin.delete(P + "/environments/qa");
    assertThat(gone.status()).as(gone.toString()).isBetween(200, 204);
    assertThat(admin.post(P + "/environments", Map.of("key", "qa")).status()).isEqualTo(201);
    assertError(call(inQa.object(), null), 404, "not_found");
    assertThat(admin.get(qa + "?revoked=true").object().get("items")).isEqualTo(List.of());

    // A deleted flag takes its triggers with it.
    Map<String, Object> orphan = create("orphan", "switch_off");
    assertThat(admin.delete(FLAG).status()).isEqualTo(204);
    assertError(call(orphan, null), 404, "not_found");
  }

  @Test
  void badInputIsAJsonErrorNeverA500() {
    admin.post(P + "/flags", checkoutFlag());
    assertError(
        admin.post(TRIGGERS, Map.of("name", "x", "action", "explode")), 400, "invalid_field");
    assertError(admin.post(TRIGGERS, Map.of("action", "switch_off")), 400, "invalid_field");
    assertError(
        admin.post(TRIGGERS, Map.of("name", "", "action", "switch_off")), 400, "invalid_field");
    assertError(admin.post(TRIGGERS, Map.of("name", "x")), 400, "invalid_field");
    assertError(
        admin.post(TRIGGERS, Map.of("name", "x", "action", "switch_off", "secret", "mine")),
        400,
        "invalid_field");
    assertError(
        admin.post(TRIGGERS, Map.of("name", 7, "action", "switch_off")), 400, "invalid_field");
    assertError(admin.post(TRIGGERS, "{\"name\": \"x\", "), 400, "malformed_json");
    assertError(
        admin.post(
            TRIGGERS, Map.of("name", "x", "action", "switch_off", "description", "d".repeat(1001))),
        400,
        "invalid_field");
    assertError(
        admin.post(
            P + "/environments/production/flags/no-such-flag/triggers",
            Map.of("name", "x", "action", "switch_off")),
        404,
        "not_found");
    assertError(
        admin.post(
            P + "/environments/nowhere/flags/new-checkout/triggers",
            Map.of("name", "x", "action", "switch_off")),
        404,
        "not_found");
    create("taken", "switch_off");
    assertError(
        admin.post(TRIGGERS, Map.of("name", "TAKEN", "action", "switch_on")), 409, "conflict");

    Map<String, Object> trigger = create("target", "switch_off");
    assertError(call(trigger, "{\"status\": \"firing\", "), 400, "malformed_json");
    assertError(call(trigger, "x".repeat(300 * 1024)), 413, "payload_too_large");
    assertError(
        anonymous()
            .send(
                "POST", (String) trigger.get("url"), "status=firing", "Content-Type", "text/plain"),
        415,
        "unsupported_media_type");
    assertThat(production()).as("no bad call acted").isEqualTo("ENABLED");

    // A token may not pass for a trigger in the audit trail.
    assertError(
        admin.post("/api/v1/tokens", Map.of("name", "trigger:target", "role", "editor")),
        400,
        "invalid_field");
    assertError(
        admin.post("/api/v1/tokens", Map.of("name", "Trigger:x", "role", "editor")),
        400,
        "invalid_field");
  }

  @Test
  void callsAreRateLimitedPerTrigger() {
    admin.post(P + "/flags", checkoutFlag());
    Map<String, Object> busy = create("busy", "switch_off");
    Map<String, Object> quiet = create("quiet", "switch_off");
    for (int i = 0; i < 10; i++) {
      Response r = call(busy, null);
      assertThat(r.status()).as("call %d: %s", i + 1, r).isEqualTo(200);
    }
    Response limited = call(busy, alertmanager("firing"));
    assertError(limited, 429, "rate_limited");
    assertThat(Long.parseLong(limited.header("Retry-After"))).isPositive();
    assertThat(call(quiet, null).status())
        .as("another trigger has a bucket of its own")
        .isEqualTo(200);

    clock.advance(1_000); // one call's worth refilled
    assertThat(call(busy, null).status()).isEqualTo(200);
    assertError(call(busy, null), 429, "rate_limited");
    clock.advance(10_000);
    for (int i = 0; i < 10; i++) {
      assertThat(call(busy, null).status()).isEqualTo(200);
    }
  }

  @Test
  void editorsMakeAndRevokeTriggersViewersOnlyList() {
    admin.post(P + "/flags", checkoutFlag());
    ApiClient editor = server.as(token("editor"));
    ApiClient viewer = server.as(token("viewer"));
    ApiClient sdk = server.as(token("sdk"));

    Map<String, Object> made = create(editor, Map.of("name", "by-editor", "action", "switch_off"));
    assertThat(made.get("createdBy").toString()).contains("editor-token-1");
    assertError(
        viewer.post(TRIGGERS, Map.of("name", "v", "action", "switch_off")), 403, "forbidden");
    assertThat(viewer.get(TRIGGERS).status()).isEqualTo(200);
    assertError(viewer.delete(TRIGGERS + "/" + made.get("id")), 403, "forbidden");
    assertError(sdk.get(TRIGGERS), 403, "forbidden");
    assertError(anonymous().get(TRIGGERS), 401, "unauthorized");
    assertError(
        anonymous().post(TRIGGERS, Map.of("name", "a", "action", "switch_off")),
        401,
        "unauthorized");
    assertThat(editor.delete(TRIGGERS + "/" + made.get("id")).status()).isEqualTo(200);
  }

  @Test
  void theSecretPathLetsNothingElseThroughAndIsNeverLogged() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Logger access = (Logger) LoggerFactory.getLogger("rollgate.access");
    Level before = access.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    access.setLevel(Level.INFO);
    try {
      admin.post(P + "/flags", checkoutFlag());
      Map<String, Object> trigger = create("logged", "switch_off");
      String secret = (String) trigger.get("secret");
      assertThat(call(trigger, alertmanager("firing")).status()).isEqualTo(200);
      call(trigger, "{not json");
      anonymous().post(trigger.get("url") + "/extra", null);
      admin.get((String) trigger.get("url"));

      // A trigger's path spelled to reach another route takes a token like that route.
      for (String path :
          List.of(
              "/api/v1/triggers/../tokens",
              "/api/v1/triggers/%2e%2e/tokens",
              "/api/v1/triggers/x%2F..%2F..%2Ftokens",
              "/api/v1/triggers/x/../../tokens")) {
        String body = "{\"name\": \"sneaky\", \"role\": \"admin\"}";
        String raw =
            RawHttp.send(
                server.admin().base(),
                "POST "
                    + path
                    + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: "
                    + body.length()
                    + "\r\nConnection: close\r\n\r\n"
                    + body);
        assertThat(raw).as(path).startsWith("HTTP/1.1 4");
      }
      assertThat(admin.get("/api/v1/tokens").text()).doesNotContain("sneaky");

      List<ILoggingEvent> logged;
      synchronized (logs) { // the appender appends under its own lock, from any thread
        logged = List.copyOf(logs.list);
      }
      assertThat(logged).isNotEmpty();
      for (ILoggingEvent event : logged) {
        assertThat(event.getFormattedMessage()).doesNotContain(secret);
        if (event.getKeyValuePairs() != null) {
          assertThat(event.getKeyValuePairs().toString()).doesNotContain(secret);
        }
      }
      assertThat(logged)
          .anySatisfy(e ->
              assertThat(e.getFormattedMessage()).contains("POST /api/v1/triggers/{secret} 200"));
    } finally {
      root.detachAppender(logs);
      access.setLevel(before);
    }
  }
}

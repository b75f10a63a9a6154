package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.RawHttp;
import dev.rollgate.server.testing.SseListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a newcomer trying the README's commands tripped over, each answered as HTTP says. */
class FirstHourTest extends ServerTestBase {

  /** {@code curl -X POST URL}: no body, no Content-Length, no Content-Type. */
  private String bareRequest(String method, String path) throws IOException {
    return RawHttp.send(
        admin.base(),
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
            + dev.rollgate.server.testing.TestServer.ADMIN_TOKEN
            + "\r\nConnection: close\r\n\r\n");
  }

  @Test
  void aPostWithoutBodyOrLengthIsAnEmptyBody() throws IOException {
    String answer = bareRequest("POST", P + "/environments/production/experiments/nope/start");
    assertThat(answer).startsWith("HTTP/1.1 404").contains("\"code\":\"not_found\"");
    admin.post(P + "/flags", checkoutFlag());
    String created = bareRequest("POST", P + "/flags");
    assertThat(created).startsWith("HTTP/1.1 400").contains("\"code\":\"malformed_json\"");
  }

  @Test
  void theStreamAcceptsAnyTypeAndRefusesOnlyAnExplicitOther() throws Exception {
    String sdk = token("sdk");
    String url = admin.base() + "/api/v1/stream";
    for (String accept : new String[] {null, "*/*", "text/*", "application/json, */*;q=0.1"}) {
      try (SseListener listener = new SseListener(url, sdk, null, accept)) {
        assertThat(listener.status()).as("Accept: %s", accept).isEqualTo(200);
        assertThat(listener.next("configuration", 10).data()).contains("\"flags\"");
      }
    }
    Response refused =
        admin.withToken(sdk).send("GET", "/api/v1/stream", null, "Accept", "application/json");
    assertThat(refused.status()).isEqualTo(406);
    assertThat(refused.object()).containsEntry("code", "not_acceptable");
  }

  @Test
  void ifMatchWithAForeignEntityTagIsAPreconditionFailure() {
    admin.post(P + "/flags", checkoutFlag());
    String prod = P + "/flags/new-checkout/environments/production";
    Map<String, Object> off = Map.of("state", "DISABLED");
    for (String tag : new String[] {"\"abc\"", "yesterday", "W/\"x\"", "\"-3\"", "\"99\""}) {
      Response r = admin.send("PATCH", prod, off, "If-Match", tag);
      assertThat(r.status()).as("If-Match: %s", tag).isEqualTo(412);
      assertThat(r.object()).containsEntry("code", "version_mismatch");
    }
    assertThat(admin.send("PATCH", prod, off, "If-Match", "*").status()).isEqualTo(200);
    assertThat(
            admin
                .send("PATCH", P + "/flags/missing/environments/production", off, "If-Match", "*")
                .status())
        .isEqualTo(404);
  }

  private int auditEvents() {
    return ((List<?>) admin.get("/api/v1/audit?limit=1000").object().get("items")).size();
  }

  @Test
  void anImportThatChangesNothingLeavesNoAuditEvent() {
    String flagd = P + "/environments/production/flagd";
    Map<String, Object> document =
        Map.of(
            "flags",
            Map.of(
                "banner",
                Map.of(
                    "state",
                    "ENABLED",
                    "variants",
                    Map.of("on", true, "off", false),
                    "defaultVariant",
                    "on")));
    assertThat(admin.put(flagd, document).status()).isEqualTo(200);
    int before = auditEvents();
    Response again = admin.put(flagd, document);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.object()).containsEntry("unchanged", List.of("banner"));
    assertThat(auditEvents()).isEqualTo(before);
  }

  @Test
  void aFlagThatAReplaceImportRemovedIsNotRecreatedByAPatch() {
    admin.post(P + "/flags", checkoutFlag());
    String flagd = P + "/environments/production/flagd?mode=replace";
    Response replaced = admin.put(flagd, Map.of("flags", Map.of()));
    assertThat(replaced.object()).containsEntry("removed", List.of("new-checkout"));
    Response patched =
        admin.patch(P + "/flags/new-checkout/environments/production", Map.of("state", "ENABLED"));
    assertThat(patched.status()).isEqualTo(404);
    assertThat(admin.get(P + "/environments/production/flagd").text())
        .doesNotContain("new-checkout");
    assertThat(admin.get(P + "/flags/new-checkout").status()).isEqualTo(200);
  }

  @Test
  void aBatchWithNoValidEventNamesTheFirstProblemInWords() {
    Response r =
        admin
            .withToken(token("sdk"))
            .post("/api/v1/events", Map.of("events", List.of(Map.of("type", "nonsense"))));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.object()).containsEntry("code", "invalid_events");
    assertThat((String) r.object().get("message"))
        .startsWith("no event in the batch is valid; the first: events[0].type: ")
        .doesNotContain("{index=");
    List<Object> details = new ArrayList<>((List<?>) r.object().get("details"));
    assertThat(Json.write(details)).contains("\"index\":0");
  }

  private double streamClients() {
    for (String line : server.as(null).get("/metrics").text().split("\n", -1)) {
      if (line.startsWith("rollgate_stream_clients ")) {
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
      }
    }
    throw new AssertionError("no rollgate_stream_clients gauge");
  }

  @Test
  void aStreamClientThatDisconnectsIsDroppedWithoutAWarning() throws Exception {
    ch.qos.logback.classic.Logger javalin =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.javalin");
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> lines =
        new ch.qos.logback.core.read.ListAppender<>();
    lines.start();
    javalin.addAppender(lines);
    try {
      admin.post(P + "/flags", checkoutFlag());
      String sdk = token("sdk");
      try (SseListener listener =
          new SseListener(admin.base() + "/api/v1/stream", sdk, null, "text/event-stream")) {
        listener.next("configuration", 10);
      }
      String prod = P + "/flags/new-checkout/environments/production";
      for (int i = 0; i < 20 && streamClients() > 0; i++) {
        admin.patch(prod, Map.of("state", i % 2 == 0 ? "DISABLED" : "ENABLED"));
      }
      assertThat(streamClients()).as("the gone client was dropped").isZero();
      assertThat(lines.list).extracting(Object::toString).noneMatch(l -> l.contains("WARN"));
    } finally {
      javalin.detachAppender(lines);
    }
  }

  @Test
  void aCreatedResourceAnswersWhatALaterReadAnswers() {
    Response segment =
        admin.post(
            P + "/segments",
            Map.of("key", "staff", "rules", Map.of("==", List.of(Map.of("var", "staff"), true))));
    assertThat(segment.status()).isEqualTo(201);
    assertThat(admin.get(P + "/segments/staff").object()).isEqualTo(segment.object());
    Response token = admin.post("/api/v1/tokens", Map.of("name", "reader", "role", "viewer"));
    Map<String, Object> created = new java.util.LinkedHashMap<>(token.object());
    assertThat(created.remove("secret")).isNotNull();
    Object listed =
        ((List<?>) admin.get("/api/v1/tokens").object().get("items"))
            .stream()
                .filter(t -> ((Map<?, ?>) t).get("id").equals(created.get("id")))
                .findFirst()
                .orElseThrow();
    assertThat(listed).isEqualTo(created);
  }

  @Test
  void aRequestIdThatLooksLikeASecretIsReplaced() {
    Response r = admin.send("GET", P, null, "X-Request-Id", "rgt_pasted-by-mistake");
    assertThat(r.header("X-Request-Id"))
        .isNotEqualTo("rgt_pasted-by-mistake")
        .doesNotContain("rgt_");
    assertThat(admin.send("GET", P, null, "X-Request-Id", "trace-7").header("X-Request-Id"))
        .isEqualTo("trace-7");
  }
}

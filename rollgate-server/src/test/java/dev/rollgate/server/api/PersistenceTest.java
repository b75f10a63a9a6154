package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.ValueType;
import dev.rollgate.server.testing.ApiClient.Response;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What is written survives a restart, and tampering with the audit trail is found. */
class PersistenceTest extends ServerTestBase {

  @Test
  void restartOnTheSameDataKeepsEverything() {
    admin.post(
        P + "/segments",
        Map.of(
            "key",
            "staff",
            "rules",
            Map.of("==", java.util.List.of(Map.of("var", "team"), "core"))));
    admin.post(P + "/flags", checkoutFlag());
    admin.patch(P + "/flags/new-checkout/environments/production", Map.of("state", "DISABLED"));
    String viewer = token("viewer");
    String flagBefore = admin.get(P + "/flags/new-checkout").text();
    String exportBefore = admin.get(P + "/environments/production/flagd").text();
    String auditBefore = admin.get("/api/v1/audit?limit=1000").text();

    server.stop();
    server.start();
    admin = server.admin();

    assertThat(admin.get(P + "/flags/new-checkout").text()).isEqualTo(flagBefore);
    assertThat(admin.get(P + "/environments/production/flagd").text()).isEqualTo(exportBefore);
    assertThat(admin.get("/api/v1/audit?limit=1000").text()).isEqualTo(auditBefore);
    assertThat(admin.get("/api/v1/audit/verify").object()).containsEntry("valid", true);
    assertThat(server.as(viewer).get(P).status()).isEqualTo(200);
    var pro = EvaluationContext.of("u", Map.of("plan", "pro"));
    assertThat(
            server
                .snapshot("production")
                .evaluate("new-checkout", ValueType.BOOLEAN, true, pro)
                .reason()
                .name())
        .isEqualTo("DISABLED");
    // No second default project, no duplicate environments.
    assertThat(admin.get("/api/v1/projects").object().get("items").toString())
        .containsOnlyOnce("\"default\"".replace("\"", ""));
  }

  @Test
  void verifyFindsARowAlteredInTheDatabase() throws Exception {
    admin.post(P + "/flags", checkoutFlag());
    admin.patch(P + "/flags/new-checkout/environments/production", Map.of("state", "DISABLED"));
    admin.patch(P + "/flags/new-checkout/environments/production", Map.of("state", "ENABLED"));
    assertThat(admin.get("/api/v1/audit/verify").object())
        .containsEntry("valid", true)
        .containsEntry("events", 4L);

    try (Connection c = server.connect()) {
      c.createStatement()
          .executeUpdate("UPDATE audit_events SET actor = 'someone-else' WHERE seq = 3");
    }
    Map<String, Object> verify = admin.get("/api/v1/audit/verify").object();
    assertThat(verify).containsEntry("valid", false);
    assertThat(verify.get("firstBroken"))
        .isEqualTo(
            Map.of(
                "seq",
                3L,
                "id",
                verify.get("firstBroken") instanceof Map<?, ?> m ? m.get("id") : null,
                "reason",
                "hash does not match the event's content"));
  }

  @Test
  void verifyFindsADeletedEvent() throws Exception {
    admin.post(P + "/flags", checkoutFlag());
    admin.patch(P + "/flags/new-checkout", Map.of("description", "x"));
    admin.patch(P + "/flags/new-checkout", Map.of("description", "y"));
    try (Connection c = server.connect()) {
      c.createStatement().executeUpdate("DELETE FROM audit_events WHERE seq = 2");
    }
    Map<String, Object> verify = admin.get("/api/v1/audit/verify").object();
    assertThat(verify).containsEntry("valid", false);
    assertThat(((Map<?, ?>) verify.get("firstBroken")).get("reason"))
        .isEqualTo("event 2 is missing");
  }

  @Test
  @SuppressWarnings("unchecked")
  void verifyFindsTheLastEventsOrEveryEventDeleted() throws Exception {
    admin.post(P + "/flags", checkoutFlag());
    admin.patch(P + "/flags/new-checkout", Map.of("description", "x"));
    admin.patch(P + "/flags/new-checkout", Map.of("description", "y"));
    try (Connection c = server.connect()) {
      c.createStatement().executeUpdate("DELETE FROM audit_events WHERE seq >= 3");
    }
    Response tail = admin.get("/api/v1/audit/verify");
    assertThat(tail.status()).isEqualTo(200);
    assertThat(tail.object()).containsEntry("valid", false).containsEntry("events", 2L);
    assertThat((Map<String, Object>) tail.object().get("firstBroken"))
        .containsEntry("seq", 3L)
        .containsEntry("reason", "events after 2 were removed");
    try (Connection c = server.connect()) {
      c.createStatement().executeUpdate("DELETE FROM audit_events");
    }
    Response all = admin.get("/api/v1/audit/verify");
    assertThat(all.status()).isEqualTo(200);
    assertThat(all.object()).containsEntry("valid", false).containsEntry("events", 0L);
    assertThat((Map<String, Object>) all.object().get("firstBroken"))
        .containsEntry("seq", 1L)
        .containsEntry("reason", "events after 0 were removed");
  }

  @Test
  void auditEventsRecordWhoWhatAndWhy() {
    admin.post(P + "/flags", checkoutFlag());
    admin.send(
        "PATCH",
        P + "/flags/new-checkout/environments/production",
        Map.of("state", "DISABLED"),
        "X-Rollgate-Comment",
        "INC-1234: checkout errors");
    Map<?, ?> event =
        (Map<?, ?>)
            ((java.util.List<?>)
                    admin.get("/api/v1/audit?action=flag.disable").object().get("items"))
                .getFirst();
    assertThat(event.get("actor")).isEqualTo("bootstrap-admin");
    assertThat(event.get("resource")).isEqualTo("projects/default/flags/new-checkout");
    assertThat(event.get("comment")).isEqualTo("INC-1234: checkout errors");
    assertThat(
            ((Map<?, ?>)
                    ((Map<?, ?>) ((Map<?, ?>) event.get("before")).get("environments"))
                        .get("production"))
                .get("state"))
        .isEqualTo("ENABLED");
    assertThat(
            ((Map<?, ?>)
                    ((Map<?, ?>) ((Map<?, ?>) event.get("after")).get("environments"))
                        .get("production"))
                .get("state"))
        .isEqualTo("DISABLED");

    Response page = admin.get("/api/v1/audit?limit=1");
    assertThat((java.util.List<?>) page.object().get("items")).hasSize(1);
    Response next = admin.get("/api/v1/audit?limit=1&cursor=" + page.object().get("nextCursor"));
    assertThat(((Map<?, ?>) ((java.util.List<?>) next.object().get("items")).getFirst()).get("seq"))
        .isEqualTo(2L);
    assertThat((java.util.List<?>) admin.get("/api/v1/audit?actor=nobody").object().get("items"))
        .isEmpty();
    assertThat(
            (java.util.List<?>)
                admin.get("/api/v1/audit?to=2000-01-01T00:00:00Z").object().get("items"))
        .isEmpty();
  }

  @Test
  void withoutAnAdminTokenTheFirstStartWritesOneToAPrivateFile() throws Exception {
    server.withoutAdminToken();
    Path file = server.dataDir().resolve("admin-token");
    assertThat(file).exists();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    String secret = Files.readString(file).strip();
    assertThat(server.as(secret).get("/api/v1/tokens").status()).isEqualTo(200);
    assertThat(server.as(TestServerTokens.ENV).get(P).status()).isEqualTo(401);

    // A second start finds the admin token and does not make another.
    server.stop();
    server.start();
    assertThat(Files.readString(file).strip()).isEqualTo(secret);
  }

  @Test
  void storedFlagsThatNoLongerCompileDoNotStopTheServer() throws Exception {
    admin.post(P + "/flags", checkoutFlag());
    admin.post(
        P + "/flags",
        Map.of(
            "key",
            "other",
            "variants",
            Map.of("a", "A"),
            "environments",
            Map.of("production", Map.of("state", "ENABLED"))));
    server.stop();
    try (Connection c = server.connect()) {
      // As if an older version had stored targeting that this one rejects.
      c.createStatement()
          .executeUpdate(
              "UPDATE flag_environments SET targeting = '{\"gone_operator\": []}'"
                  + " WHERE flag_key = 'new-checkout' AND environment_key = 'production'");
    }
    server.start();
    admin = server.admin();
    assertThat(server.as(null).get("/ready").status()).isEqualTo(200);
    var broken =
        server.snapshot("production").evaluate("new-checkout", ValueType.BOOLEAN, false, null);
    assertThat(broken.errorCode().name()).isEqualTo("PARSE_ERROR");
    assertThat(server.snapshot("production").evaluate("other", ValueType.STRING, "", null).value())
        .isEqualTo("A");
  }

  /** The environment's admin token, no longer configured after {@code withoutAdminToken}. */
  static final class TestServerTokens {
    static final String ENV = dev.rollgate.server.testing.TestServer.ADMIN_TOKEN;
  }
}

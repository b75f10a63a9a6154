package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.SseListener;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ?dryRun=true} on flag writes: every check and the compile of the write, and nothing
 * written (no row, no audit event, no new snapshot, nothing streamed), through a real socket on
 * both stores.
 */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class DryRunApiTest extends ServerTestBase {
  private static final String PRODUCTION = P + "/flags/new-checkout/environments/production";

  /** {"if": [{"in": ["a", {"bogus": [1]}]}, "on"]}: an unknown operator two levels down. */
  private static final Map<String, Object> BROKEN =
      Map.of("if", List.of(Map.of("in", List.of("a", Map.of("bogus", List.of(1)))), "on"));

  private static final Map<String, Object> STAFF =
      Map.of("if", List.of(Map.of("ends_with", List.of(Map.of("var", "email"), "@ex.com")), "on"));

  private String sdk;

  @BeforeEach
  void seed() {
    assertThat(admin.post(P + "/flags", checkoutFlag()).status()).isEqualTo(201);
    sdk = token("sdk");
  }

  /**
   * What a dry run must leave as it was. The served document is compared by content: on PostgreSQL
   * a replica also reloads on its own change notifications, which compiles an equal snapshot anew.
   */
  private record State(Object flag, int auditEvents, String served, String servedEtag) {}

  private State state() {
    Response served = server.as(sdk).get("/api/v1/sdk/flags");
    assertThat(served.status()).isEqualTo(200);
    return new State(
        admin.get(P + "/flags/new-checkout").object(),
        ((List<?>) admin.get("/api/v1/audit?limit=1000").object().get("items")).size(),
        served.text(),
        served.header("ETag"));
  }

  private void assertUnchanged(State before) {
    State now = state();
    assertThat(now.flag()).as("the flag, its version included").isEqualTo(before.flag());
    assertThat(now.auditEvents()).as("audit events").isEqualTo(before.auditEvents());
    assertThat(now.served()).as("the served document").isEqualTo(before.served());
    assertThat(now.servedEtag()).as("the served ETag").isEqualTo(before.servedEtag());
  }

  @Test
  void aDryRunWithBrokenTargetingIsTheWritesOwn400WithThePathInTheBody() {
    State before = state();
    Response dry = admin.patch(PRODUCTION + "?dryRun=true", Map.of("targeting", BROKEN));
    assertThat(dry.status()).as(dry.text()).isEqualTo(400);
    assertThat(dry.object()).containsEntry("code", "invalid_flag");
    assertThat((List<Object>) dry.object().get("details"))
        .containsExactly(
            Map.of(
                "environment",
                "production",
                "path",
                "flags.new-checkout.targeting.if[0].in[1].bogus",
                "message",
                "unknown operator \"bogus\"",
                "field",
                "targeting.if[0].in[1].bogus"));
    assertUnchanged(before);

    Response real = admin.patch(PRODUCTION, Map.of("targeting", BROKEN));
    assertThat(real.status()).isEqualTo(400);
    assertThat(real.object().get("message")).isEqualTo(dry.object().get("message"));
    assertThat(real.object().get("details")).isEqualTo(dry.object().get("details"));
    assertUnchanged(before);
  }

  @Test
  void aGoodDryRunAnswersTheConfigurationAsItWouldBeAndWritesNothing() throws Exception {
    State before = state();
    try (SseListener stream =
        new SseListener(server.admin().base() + "/api/v1/stream", sdk, null)) {
      stream.next("configuration", 10);

      Response dry =
          admin.patch(PRODUCTION + "?dryRun=true", Map.of("targeting", STAFF, "state", "DISABLED"));
      assertThat(dry.status()).as(dry.text()).isEqualTo(200);
      assertThat(dry.object())
          .containsEntry("dryRun", true)
          .containsEntry("flag", "new-checkout")
          .containsEntry("environment", "production")
          .containsEntry("state", "DISABLED")
          .containsEntry("targeting", STAFF)
          .containsEntry("version", 2L);
      assertThat(dry.header("ETag")).as("no stored version is the dry run's").isNull();
      assertUnchanged(before);

      // The next change streamed is the real write's: the dry run sent none.
      assertThat(admin.patch(PRODUCTION, Map.of("defaultVariant", "on")).status()).isEqualTo(200);
      String next = stream.next("configuration", 10).data();
      assertThat(next).contains("\"defaultVariant\":\"on\"").doesNotContain("ends_with");
    }
  }

  @Test
  void aDryRunTakesIfMatchAsTheWriteDoesButNeedsNone() {
    State before = state();
    Response stale =
        admin.send(
            "PATCH", PRODUCTION + "?dryRun=true", Map.of("state", "DISABLED"), "If-Match", "\"7\"");
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.object()).containsEntry("code", "version_mismatch");
    Response current =
        admin.send(
            "PATCH", PRODUCTION + "?dryRun=true", Map.of("state", "DISABLED"), "If-Match", "\"1\"");
    assertThat(current.status()).isEqualTo(200);
    assertThat(admin.patch(PRODUCTION + "?dryRun=1", Map.of("state", "DISABLED")).status())
        .isEqualTo(200);
    assertThat(admin.patch(PRODUCTION + "?dryRun=maybe", Map.of()).object())
        .containsEntry("code", "invalid_field");
    assertUnchanged(before);
  }

  @Test
  void aDryRunNeedsTheRoleOfTheWrite() {
    Response viewer =
        server.as(token("viewer")).patch(PRODUCTION + "?dryRun=true", Map.of("state", "DISABLED"));
    assertThat(viewer.status()).isEqualTo(403);
    assertThat(
            server
                .as(token("editor"))
                .patch(PRODUCTION + "?dryRun=true", Map.of("state", "DISABLED"))
                .status())
        .isEqualTo(200);
  }

  @Test
  void flagCreatesAndUpdatesDryRunToo() {
    State before = state();
    Map<String, Object> fresh =
        Map.of(
            "key",
            "fresh",
            "variants",
            Map.of("a", "A", "b", "B"),
            "environments",
            Map.of("staging", Map.of("state", "ENABLED", "targeting", STAFF)));
    Response created = admin.post(P + "/flags?dryRun=true", fresh);
    assertThat(created.status()).as(created.text()).isEqualTo(200);
    assertThat(created.object())
        .containsEntry("dryRun", true)
        .containsEntry("key", "fresh")
        .containsEntry("version", 1L);
    assertThat(admin.get(P + "/flags/fresh").status()).isEqualTo(404);
    assertThat(admin.post(P + "/flags?dryRun=true", checkoutFlag()).status())
        .as("a key that exists")
        .isEqualTo(409);

    Response broken =
        admin.post(
            P + "/flags?dryRun=true",
            Map.of(
                "key",
                "fresh",
                "variants",
                Map.of("on", true, "off", false),
                "environments",
                Map.of("staging", Map.of("targeting", BROKEN))));
    assertThat(broken.status()).isEqualTo(400);
    assertThat((List<Map<String, Object>>) broken.object().get("details"))
        .singleElement()
        .satisfies(d ->
            assertThat(d)
                .containsEntry("environment", "staging")
                .containsEntry("field", "environments.staging.targeting.if[0].in[1].bogus"));

    Response renamed = admin.patch(P + "/flags/new-checkout?dryRun=true", Map.of("name", "New"));
    assertThat(renamed.status()).isEqualTo(200);
    assertThat(renamed.object())
        .containsEntry("dryRun", true)
        .containsEntry("name", "New")
        .containsEntry("version", 2L);
    Response breaking =
        admin.patch(
            P + "/flags/new-checkout?dryRun=true",
            Map.of("environments", Map.of("production", Map.of("targeting", BROKEN))));
    assertThat(breaking.status()).isEqualTo(400);
    assertThat((List<Map<String, Object>>) breaking.object().get("details"))
        .singleElement()
        .satisfies(d ->
            assertThat(d)
                .containsEntry("field", "environments.production.targeting.if[0].in[1].bogus"));
    assertUnchanged(before);
  }

  /**
   * A running rollout serves {"or": [the flag's targeting, its split]}: a problem in the flag's
   * targeting is still named where the request put it.
   */
  @Test
  void theFieldPointsIntoTheRequestsTargetingWhileARolloutSplitsTheFlag() {
    Response started =
        admin.post(
            P + "/environments/production/flags/new-checkout/rollout", Map.of("treatment", "on"));
    assertThat(started.status()).as(started.text()).isEqualTo(201);
    State before = state();
    Response dry = admin.patch(PRODUCTION + "?dryRun=true", Map.of("targeting", BROKEN));
    assertThat(dry.status()).isEqualTo(400);
    assertThat((List<Map<String, Object>>) dry.object().get("details"))
        .singleElement()
        .satisfies(d ->
            assertThat(d)
                .containsEntry("path", "flags.new-checkout.targeting.or[0].if[0].in[1].bogus")
                .containsEntry("field", "targeting.if[0].in[1].bogus"));
    assertUnchanged(before);
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.TestServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit trail names who acted by the token's id, with its name beside it; no token can take a
 * name that would read as another actor; and each reader sees only the events about what it may
 * read.
 */
class AuditActorTest extends ServerTestBase {

  private Response createToken(String name, String role) {
    return admin.post("/api/v1/tokens", Map.of("name", name, "role", role));
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> items(Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return (List<Map<String, Object>>) r.object().get("items");
  }

  @Test
  void namesOfTheServersOwnActorsAreRefused() {
    for (String name :
        List.of(
            "system",
            "System",
            "bootstrap-admin",
            "BOOTSTRAP-ADMIN",
            "bootstrap",
            "rollout-controller",
            "scheduler",
            "rollgate")) {
      Response r = createToken(name, "admin");
      assertThat(r.status()).as(name).isEqualTo(400);
      assertThat(r.object()).containsEntry("code", "invalid_field");
      assertThat(r.object().get("message").toString()).contains("reserved");
    }
    // Names that only look like another one at a glance are refused too.
    assertThat(createToken(" ci", "viewer").status()).isEqualTo(400);
    assertThat(createToken("ci ", "viewer").status()).isEqualTo(400);
    assertThat(createToken("c\ti", "viewer").status()).isEqualTo(400);
    assertThat(items(admin.get("/api/v1/tokens"))).isEmpty();
  }

  @Test
  void tokenNamesAreUniqueWhateverTheirCaseRevokedTokensIncluded() {
    Response first = createToken("ci-pipeline", "editor");
    assertThat(first.status()).isEqualTo(201);
    Response same = createToken("ci-pipeline", "admin");
    assertThat(same.status()).isEqualTo(409);
    assertThat(same.object()).containsKeys("status", "code", "message", "requestId");
    assertThat(createToken("CI-Pipeline", "viewer").status()).isEqualTo(409);

    admin.delete("/api/v1/tokens/" + first.object().get("id"));
    assertThat(createToken("ci-pipeline", "viewer").status()).isEqualTo(409);
    assertThat(items(admin.get("/api/v1/tokens"))).hasSize(1);
    // No event for the refused ones.
    assertThat(items(admin.get("/api/v1/audit?action=token.create"))).hasSize(1);
  }

  @Test
  void eventsNameTheActingTokenByIdAndName() {
    Response created = createToken("alice", "editor");
    String aliceId = (String) created.object().get("id");
    ApiClient alice = server.as((String) created.object().get("secret"));
    assertThat(alice.post(P + "/flags", checkoutFlag()).status()).isEqualTo(201);

    Map<String, Object> event = items(admin.get("/api/v1/audit?action=flag.create")).getFirst();
    assertThat(event).containsEntry("actorId", aliceId).containsEntry("actor", "alice");
    // The environment's admin token and the server itself have ids of their own.
    Map<String, Object> tokenCreate =
        items(admin.get("/api/v1/audit?action=token.create")).getFirst();
    assertThat(tokenCreate)
        .containsEntry("actorId", "bootstrap")
        .containsEntry("actor", "bootstrap-admin");
    Map<String, Object> setup = items(admin.get("/api/v1/audit?limit=1")).getFirst();
    assertThat(setup).containsEntry("actorId", "system").containsEntry("actor", "system");

    // Filtering by id finds alice's events and nobody else's.
    List<Map<String, Object>> hers = items(admin.get("/api/v1/audit?actorId=" + aliceId));
    assertThat(hers).extracting(e -> e.get("action")).containsExactly("flag.create");
    assertThat(admin.get("/api/v1/audit/verify").object()).containsEntry("valid", true);
  }

  @Test
  void readersSeeOnlyTheEventsOfWhatTheyMayRead() {
    // A webhook to this machine needs the private-address policy lifted.
    server.close();
    server = TestServer.start(store, Map.of("ROLLGATE_WEBHOOK_ALLOW_PRIVATE", "true"));
    admin = server.admin();
    ApiClient viewer = server.as(token("viewer"));
    ApiClient editor = server.as(token("editor"));
    Response hook =
        admin.post(
            "/api/v1/webhooks",
            Map.of("url", "http://127.0.0.1:9/hook", "events", List.of("segment.changed")));
    assertThat(hook.status()).as(hook.toString()).isEqualTo(201);
    admin.post(P + "/flags", checkoutFlag());

    List<Object> everything =
        items(admin.get("/api/v1/audit?limit=1000")).stream().map(e -> e.get("resource")).toList();
    assertThat(everything)
        .anySatisfy(r -> assertThat(r.toString()).startsWith("tokens/"))
        .anySatisfy(r -> assertThat(r.toString()).startsWith("webhooks/"))
        .contains("projects/default/flags/new-checkout");

    for (ApiClient reader : List.of(viewer, editor)) {
      List<Object> seen =
          items(reader.get("/api/v1/audit?limit=1000")).stream()
              .map(e -> e.get("resource"))
              .toList();
      assertThat(seen)
          .contains("projects/default/flags/new-checkout")
          .noneSatisfy(r -> assertThat(r.toString()).startsWith("tokens/"))
          .noneSatisfy(r -> assertThat(r.toString()).startsWith("webhooks/"));
      assertThat(items(reader.get("/api/v1/audit?resource=tokens"))).isEmpty();
      assertThat(items(reader.get("/api/v1/audit?action=webhook.create"))).isEmpty();
    }
    // Pages are full pages of what the reader sees, not pages with holes.
    Response page = viewer.get("/api/v1/audit?limit=1");
    assertThat(items(page)).hasSize(1);
    assertThat(items(page).getFirst().get("resource").toString()).startsWith("projects/");
    assertThat(server.as(token("sdk")).get("/api/v1/audit").status()).isEqualTo(403);
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A PATCH that changes nothing writes nothing: same version, no audit event. */
class NoOpPatchTest extends ServerTestBase {

  private int auditEvents() {
    return ((List<?>) admin.get("/api/v1/audit?limit=1000").object().get("items")).size();
  }

  @Test
  void anEmptyOrUnchangedProjectPatchChangesNothing() {
    Response before = admin.get(P);
    int events = auditEvents();
    Object name = before.object().get("name");
    Object description = before.object().get("description");
    for (Map<String, Object> patch :
        List.<Map<String, Object>>of(
            Map.of(), Map.of("name", name), Map.of("name", name, "description", description))) {
      Response r = admin.patch(P, patch);
      assertThat(r.status()).as(patch.toString()).isEqualTo(200);
      assertThat(r.object()).as(patch.toString()).isEqualTo(before.object());
      assertThat(r.header("ETag")).isEqualTo(before.header("ETag"));
    }
    assertThat(auditEvents()).isEqualTo(events);
    // A stale If-Match is still refused, change or not.
    assertThat(admin.send("PATCH", P, Map.of(), "If-Match", "\"999\"").status()).isEqualTo(412);

    Response changed = admin.patch(P, Map.of("description", "now it changes"));
    assertThat(changed.object().get("version"))
        .isEqualTo((Long) before.object().get("version") + 1);
    assertThat(auditEvents()).isEqualTo(events + 1);
  }

  @Test
  void anEmptyOrUnchangedEnvironmentPatchChangesNothing() {
    String env = P + "/environments/production";
    Response before = admin.get(env);
    int events = auditEvents();
    for (Map<String, Object> patch :
        List.<Map<String, Object>>of(Map.of(), Map.of("name", before.object().get("name")))) {
      Response r = admin.patch(env, patch);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.object()).isEqualTo(before.object());
    }
    assertThat(auditEvents()).isEqualTo(events);
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint × every kind of caller: 401 without a valid token, 403 for a role that may not,
 * 2xx otherwise.
 */
class AuthMatrixTest extends ServerTestBase {
  enum Needs {
    READ,
    /** Any reader, or an sdk token of the environment (the matrix's is production's). */
    READ_OR_OWN_SDK,
    EDIT,
    ADMIN,
    /** Admin or approver: approving releases. */
    APPROVE
  }

  /**
   * One endpoint: what it needs, and how to call it as {@code client} (setting up with admin);
   * {@code n} keeps keys unique.
   */
  record Endpoint(String name, Needs needs, BiFunction<ApiClient, String, Response> call) {}

  private List<Endpoint> endpoints() {
    List<Endpoint> e = new ArrayList<>();
    e.add(new Endpoint("GET projects", Needs.READ, (c, n) -> c.get("/api/v1/projects")));
    e.add(new Endpoint("GET project", Needs.READ, (c, n) -> c.get(P)));
    e.add(
        new Endpoint(
            "POST project",
            Needs.ADMIN,
            (c, n) -> c.post("/api/v1/projects", Map.of("key", "p" + n))));
    e.add(
        new Endpoint("PATCH project", Needs.ADMIN, (c, n) -> c.patch(P, Map.of("description", n))));
    e.add(
        new Endpoint(
            "DELETE project",
            Needs.ADMIN,
            (c, n) -> {
              admin.post("/api/v1/projects", Map.of("key", "gone" + n));
              return c.delete("/api/v1/projects/gone" + n);
            }));
    e.add(new Endpoint("GET environments", Needs.READ, (c, n) -> c.get(P + "/environments")));
    e.add(
        new Endpoint("GET environment", Needs.READ, (c, n) -> c.get(P + "/environments/staging")));
    e.add(
        new Endpoint(
            "POST environment",
            Needs.ADMIN,
            (c, n) -> c.post(P + "/environments", Map.of("key", "e" + n))));
    e.add(
        new Endpoint(
            "PATCH environment",
            Needs.ADMIN,
            (c, n) -> c.patch(P + "/environments/staging", Map.of("name", n))));
    e.add(
        new Endpoint(
            "DELETE environment",
            Needs.ADMIN,
            (c, n) -> {
              admin.post(P + "/environments", Map.of("key", "x" + n));
              return c.delete(P + "/environments/x" + n);
            }));
    e.add(new Endpoint("GET flags", Needs.READ, (c, n) -> c.get(P + "/flags")));
    e.add(
        new Endpoint(
            "POST flag",
            Needs.EDIT,
            (c, n) ->
                c.post(P + "/flags", Map.of("key", "f" + n, "variants", Map.of("on", true)))));
    e.add(new Endpoint("GET flag", Needs.READ, (c, n) -> c.get(P + "/flags/base")));
    e.add(
        new Endpoint(
            "PATCH flag",
            Needs.EDIT,
            (c, n) -> c.patch(P + "/flags/base", Map.of("description", n))));
    e.add(
        new Endpoint(
            "DELETE flag",
            Needs.EDIT,
            (c, n) -> {
              admin.post(P + "/flags", Map.of("key", "d" + n, "variants", Map.of("on", true)));
              return c.delete(P + "/flags/d" + n);
            }));
    e.add(
        new Endpoint(
            "GET flag environment",
            Needs.READ,
            (c, n) -> c.get(P + "/flags/base/environments/production")));
    e.add(
        new Endpoint(
            "PATCH flag environment (kill switch)",
            Needs.EDIT,
            (c, n) ->
                c.patch(P + "/flags/base/environments/production", Map.of("state", "DISABLED"))));
    e.add(
        new Endpoint(
            "PATCH flag environment (dry run)",
            Needs.EDIT,
            (c, n) ->
                c.patch(
                    P + "/flags/base/environments/production?dryRun=true",
                    Map.of("state", "DISABLED"))));
    e.add(
        new Endpoint(
            "POST flag (dry run)",
            Needs.EDIT,
            (c, n) ->
                c.post(
                    P + "/flags?dryRun=true",
                    Map.of("key", "f" + n, "variants", Map.of("on", true)))));
    e.add(
        new Endpoint(
            "PATCH flag (dry run)",
            Needs.EDIT,
            (c, n) -> c.patch(P + "/flags/base?dryRun=true", Map.of("description", n))));
    e.add(
        new Endpoint(
            "POST explain",
            Needs.READ_OR_OWN_SDK,
            (c, n) ->
                c.post(
                    P + "/environments/production/flags/base/explain",
                    Map.of("context", Map.of("targetingKey", "u" + n)))));
    e.add(
        new Endpoint(
            "POST explain under the flag",
            Needs.READ,
            (c, n) ->
                c.post(
                    P + "/flags/base/environments/production/explain",
                    Map.of("context", Map.of("targetingKey", "u" + n)))));
    e.add(
        new Endpoint(
            "GET environment usage",
            Needs.READ,
            (c, n) -> c.get(P + "/environments/production/usage")));
    e.add(
        new Endpoint(
            "GET flagd", Needs.READ, (c, n) -> c.get(P + "/environments/production/flagd")));
    e.add(
        new Endpoint(
            "PUT flagd",
            Needs.EDIT,
            (c, n) ->
                c.put(
                    P + "/environments/production/flagd",
                    Map.of(
                        "flags",
                        Map.of(
                            "i" + n,
                            Map.of("state", "ENABLED", "variants", Map.of("on", true)))))));
    e.add(new Endpoint("GET segments", Needs.READ, (c, n) -> c.get(P + "/segments")));
    e.add(
        new Endpoint(
            "POST segment",
            Needs.EDIT,
            (c, n) ->
                c.post(
                    P + "/segments",
                    Map.of("key", "s" + n, "rules", Map.of("==", List.of(1, 1))))));
    e.add(new Endpoint("GET segment", Needs.READ, (c, n) -> c.get(P + "/segments/base")));
    e.add(
        new Endpoint(
            "PATCH segment",
            Needs.EDIT,
            (c, n) -> c.patch(P + "/segments/base", Map.of("description", n))));
    e.add(
        new Endpoint(
            "DELETE segment",
            Needs.EDIT,
            (c, n) -> {
              admin.post(
                  P + "/segments", Map.of("key", "r" + n, "rules", Map.of("==", List.of(1, 1))));
              return c.delete(P + "/segments/r" + n);
            }));
    e.add(new Endpoint("GET tokens", Needs.ADMIN, (c, n) -> c.get("/api/v1/tokens")));
    e.add(
        new Endpoint(
            "POST token",
            Needs.ADMIN,
            (c, n) -> c.post("/api/v1/tokens", Map.of("name", "t" + n, "role", "viewer"))));
    e.add(
        new Endpoint(
            "DELETE token",
            Needs.ADMIN,
            (c, n) -> {
              String id =
                  (String)
                      admin
                          .post("/api/v1/tokens", Map.of("name", "v" + n, "role", "viewer"))
                          .object()
                          .get("id");
              return c.delete("/api/v1/tokens/" + id);
            }));
    e.add(new Endpoint("GET audit", Needs.READ, (c, n) -> c.get("/api/v1/audit")));
    e.add(new Endpoint("GET audit verify", Needs.READ, (c, n) -> c.get("/api/v1/audit/verify")));
    e.add(
        new Endpoint(
            "GET audit checkpoint", Needs.READ, (c, n) -> c.get("/api/v1/audit/checkpoint")));
    e.add(new Endpoint("GET status", Needs.READ, (c, n) -> c.get("/api/v1/status")));
    String triggers = P + "/environments/production/flags/base/triggers";
    e.add(new Endpoint("GET triggers", Needs.READ, (c, n) -> c.get(triggers)));
    e.add(
        new Endpoint(
            "POST trigger",
            Needs.EDIT,
            (c, n) -> c.post(triggers, Map.of("name", "t" + n, "action", "switch_off"))));
    e.add(
        new Endpoint(
            "DELETE trigger",
            Needs.EDIT,
            (c, n) -> {
              Object id =
                  admin
                      .post(triggers, Map.of("name", "d" + n, "action", "switch_off"))
                      .object()
                      .get("id");
              return c.delete(triggers + "/" + id);
            }));
    String releases = P + "/environments/production/releases";
    BiFunction<String, String, String> release =
        (service, version) ->
            (String)
                admin
                    .post(
                        releases,
                        Map.of(
                            "service", service, "version", version, "type", "patch", "flag",
                            "base"))
                    .object()
                    .get("id");
    e.add(new Endpoint("GET releases", Needs.READ, (c, n) -> c.get(releases)));
    e.add(
        new Endpoint(
            "POST release",
            Needs.EDIT,
            (c, n) ->
                c.post(
                    releases,
                    Map.of(
                        "service", "s" + n, "version", "1.0.0", "type", "patch", "flag", "base"))));
    e.add(
        new Endpoint(
            "GET release",
            Needs.READ,
            (c, n) -> c.get(releases + "/" + release.apply("g" + n, "1.0.0"))));
    e.add(
        new Endpoint(
            "POST release control",
            Needs.EDIT,
            (c, n) ->
                c.send(
                    "POST",
                    releases + "/" + release.apply("c" + n, "1.0.0") + "/abort",
                    null,
                    "If-Match",
                    "\"1\"")));
    e.add(
        new Endpoint(
            "POST release approval",
            Needs.APPROVE,
            (c, n) ->
                c.post(
                    releases + "/" + release.apply("a" + n, "1.0.0") + "/approvals",
                    Map.of("comment", "ok"))));
    e.add(
        new Endpoint(
            "GET release verify",
            Needs.READ,
            (c, n) ->
                c.get(releases + "/" + release.apply("v" + n, "1.0.0") + "/approvals/verify")));
    e.add(
        new Endpoint(
            "GET release report",
            Needs.READ,
            (c, n) -> c.get(releases + "/" + release.apply("r" + n, "1.0.0") + "/report")));
    String checks = P + "/health-checks";
    e.add(new Endpoint("GET health checks", Needs.READ, (c, n) -> c.get(checks)));
    e.add(
        new Endpoint(
            "POST health check",
            Needs.EDIT,
            (c, n) ->
                c.post(checks, Map.of("name", "h" + n, "type", "audit", "intervalSeconds", 3600))));
    e.add(
        new Endpoint(
            "POST health check run",
            Needs.EDIT,
            (c, n) -> {
              String id =
                  (String)
                      admin
                          .post(
                              checks,
                              Map.of("name", "run" + n, "type", "audit", "intervalSeconds", 3600))
                          .object()
                          .get("id");
              return c.post(checks + "/" + id + "/run", null);
            }));
    e.add(new Endpoint("GET violations", Needs.READ, (c, n) -> c.get(P + "/health/violations")));
    return e;
  }

  @Test
  void everyRoleGetsWhatItMayAndNothingElse() {
    admin.post(P + "/flags", Map.of("key", "base", "variants", Map.of("on", true, "off", false)));
    admin.post(P + "/segments", Map.of("key", "base", "rules", Map.of("==", List.of(1, 1))));
    Map<String, ApiClient> callers = new LinkedHashMap<>();
    callers.put("none", server.as(null));
    callers.put("invalid", server.as("rgt_not-a-real-token"));
    callers.put("sdk", server.as(token("sdk")));
    callers.put("viewer", server.as(token("viewer")));
    callers.put("editor", server.as(token("editor")));
    callers.put("approver", server.as(token("approver")));
    callers.put("admin", server.as(token("admin")));

    List<String> wrong = new ArrayList<>();
    int n = 0;
    for (Endpoint endpoint : endpoints()) {
      for (Map.Entry<String, ApiClient> caller : callers.entrySet()) {
        Response r = endpoint.call().apply(caller.getValue(), String.valueOf(n++));
        int expected = expected(caller.getKey(), endpoint.needs());
        boolean ok =
            expected == 200 ? r.status() >= 200 && r.status() < 300 : r.status() == expected;
        if (!ok) {
          wrong.add(
              endpoint.name() + " as " + caller.getKey() + ": expected " + expected + ", got " + r);
        }
        if (r.status() == 401 || r.status() == 403) {
          assertThat(r.object()).containsKeys("status", "code", "message", "requestId");
        }
      }
    }
    assertThat(wrong).isEmpty();
  }

  private static int expected(String caller, Needs needs) {
    return switch (caller) {
      case "none", "invalid" -> 401;
      case "sdk" -> needs == Needs.READ_OR_OWN_SDK ? 200 : 403;
      case "viewer" -> needs == Needs.READ || needs == Needs.READ_OR_OWN_SDK ? 200 : 403;
      case "approver" ->
          needs == Needs.READ || needs == Needs.READ_OR_OWN_SDK || needs == Needs.APPROVE
              ? 200
              : 403;
      case "editor" -> needs == Needs.ADMIN || needs == Needs.APPROVE ? 403 : 200;
      default -> 200;
    };
  }

  @Test
  void revokedTokensStopWorkingAtOnce() {
    Response created = admin.post("/api/v1/tokens", Map.of("name", "ci", "role", "editor"));
    assertThat(created.status()).isEqualTo(201);
    String secret = (String) created.object().get("secret");
    assertThat(secret).startsWith("rgt_");
    ApiClient ci = server.as(secret);
    assertThat(ci.get(P).status()).isEqualTo(200);

    List<?> listed = (List<?>) admin.get("/api/v1/tokens").object().get("items");
    assertThat(listed.toString()).doesNotContain(secret);

    assertThat(admin.delete("/api/v1/tokens/" + created.object().get("id")).object())
        .containsEntry("revoked", true);
    assertThat(ci.get(P).status()).isEqualTo(401);
  }

  @Test
  void sdkTokensNeedAnExistingProjectAndEnvironment() {
    Response r =
        admin.post(
            "/api/v1/tokens",
            Map.of("name", "x", "role", "sdk", "project", "default", "environment", "nope"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(admin.post("/api/v1/tokens", Map.of("name", "x", "role", "sdk")).status())
        .isEqualTo(400);
    assertThat(admin.post("/api/v1/tokens", Map.of("name", "x", "role", "root")).status())
        .isEqualTo(400);
    assertThat(
            admin
                .post("/api/v1/tokens", Map.of("name", "x", "role", "viewer", "project", "default"))
                .status())
        .isEqualTo(400);
  }
}

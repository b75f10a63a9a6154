package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What clients get wrong: each request is answered with the expected 4xx and a JSON error, none
 * with a 5xx, and none changes anything (flags, segments and the audit trail are as before).
 */
class MalformedInputTest extends ServerTestBase {
  @SuppressWarnings("ArrayRecordComponent") // never compared
  record Bad(String name, int status, String method, String path, Object body, String... headers) {}

  private static final String HUGE = "x".repeat(20_000);

  private static List<Bad> cases() {
    String flags = P + "/flags";
    String prod = P + "/flags/base/environments/production";
    String flagd = P + "/environments/production/flagd";
    List<Bad> c = new ArrayList<>();
    c.add(
        new Bad(
            "truncated JSON", 400, "POST", flags, "{\"key\": \"x\", \"variants\": {\"on\": tr"));
    c.add(new Bad("not an object", 400, "POST", flags, "[1, 2]"));
    c.add(new Bad("a bare string", 400, "POST", flags, "\"flag\""));
    c.add(new Bad("empty body", 400, "POST", flags, ""));
    c.add(
        new Bad(
            "trailing garbage",
            400,
            "POST",
            flags,
            "{\"key\": \"a\", \"variants\": {\"on\": true}} x"));
    c.add(
        new Bad(
            "duplicate member",
            400,
            "POST",
            flags,
            "{\"key\": \"a\", \"key\": \"b\", \"variants\": {\"on\": true}}"));
    c.add(
        new Bad(
            "number out of range",
            400,
            "POST",
            flags,
            "{\"key\": \"a\", \"variants\": {\"on\": 1e999}}"));
    c.add(new Bad("deep nesting", 400, "POST", flags, "[".repeat(5000) + "]".repeat(5000)));
    c.add(
        new Bad(
            "key of the wrong type",
            400,
            "POST",
            flags,
            Map.of("key", 12, "variants", Map.of("on", true))));
    c.add(
        new Bad(
            "key with spaces",
            400,
            "POST",
            flags,
            Map.of("key", "bad key", "variants", Map.of("on", true))));
    c.add(
        new Bad(
            "key too long",
            400,
            "POST",
            flags,
            Map.of("key", "k".repeat(200), "variants", Map.of("on", true))));
    c.add(
        new Bad(
            "huge name",
            400,
            "POST",
            flags,
            Map.of("key", "a", "name", HUGE, "variants", Map.of("on", true))));
    c.add(
        new Bad(
            "unknown field",
            400,
            "POST",
            flags,
            Map.of("key", "a", "colour", "red", "variants", Map.of("on", true))));
    c.add(new Bad("no variants", 400, "POST", flags, Map.of("key", "a")));
    c.add(new Bad("empty variants", 400, "POST", flags, Map.of("key", "a", "variants", Map.of())));
    c.add(
        new Bad(
            "mixed variant types",
            400,
            "POST",
            flags,
            Map.of("key", "a", "variants", Map.of("on", true, "n", 1))));
    c.add(
        new Bad(
            "tags not an array",
            400,
            "POST",
            flags,
            Map.of("key", "a", "variants", Map.of("on", true), "tags", "x")));
    c.add(
        new Bad(
            "unknown default variant",
            400,
            "POST",
            flags,
            Map.of("key", "a", "variants", Map.of("on", true), "defaultVariant", "off")));
    c.add(
        new Bad(
            "unknown environment",
            400,
            "POST",
            flags,
            Map.of(
                "key",
                "a",
                "variants",
                Map.of("on", true),
                "environments",
                Map.of("prod", Map.of("state", "ENABLED")))));
    c.add(new Bad("invalid state", 400, "PATCH", prod, Map.of("state", "ON")));
    c.add(new Bad("state of the wrong type", 400, "PATCH", prod, Map.of("state", 1)));
    c.add(new Bad("targeting not an object", 400, "PATCH", prod, Map.of("targeting", "if")));
    c.add(
        new Bad(
            "unknown operator",
            400,
            "PATCH",
            prod,
            Map.of("targeting", Map.of("regex", List.of("a", "b")))));
    c.add(
        new Bad("unknown $ref", 400, "PATCH", prod, Map.of("targeting", Map.of("$ref", "nobody"))));
    c.add(
        new Bad(
            "invalid sem_ver",
            400,
            "PATCH",
            prod,
            Map.of("targeting", Map.of("sem_ver", List.of(Map.of("var", "v"), "=>", "1.0.0")))));
    c.add(
        new Bad(
            "targeting names a missing variant",
            400,
            "PATCH",
            prod,
            Map.of(
                "targeting",
                Map.of("if", List.of(true, Map.of("fractional", List.of(List.of("on", -5))))))));
    c.add(
        new Bad(
            "metadata values must be simple",
            400,
            "PATCH",
            prod,
            Map.of("metadata", Map.of("m", List.of(1)))));
    c.add(new Bad("unknown config field", 400, "PATCH", prod, Map.of("enabled", true)));
    c.add(
        new Bad(
            "unknown flag",
            404,
            "PATCH",
            P + "/flags/missing/environments/production",
            Map.of("state", "DISABLED")));
    c.add(
        new Bad(
            "unknown environment path",
            404,
            "PATCH",
            P + "/flags/base/environments/nope",
            Map.of("state", "DISABLED")));
    c.add(new Bad("unknown project", 404, "GET", "/api/v1/projects/nope/flags", null));
    c.add(
        new Bad(
            "invalid flagd document",
            400,
            "PUT",
            flagd,
            Map.of("flags", Map.of("x", Map.of("state", "ON", "variants", Map.of("a", 1))))));
    c.add(new Bad("flagd document not an object", 400, "PUT", flagd, List.of()));
    c.add(
        new Bad(
            "flagd with an unknown member",
            400,
            "PUT",
            flagd,
            Map.of("flags", Map.of(), "extra", 1)));
    c.add(
        new Bad(
            "flagd with a bad key",
            400,
            "PUT",
            flagd,
            Map.of(
                "flags",
                Map.of("bad key", Map.of("state", "ENABLED", "variants", Map.of("a", 1))))));
    c.add(
        new Bad(
            "flagd changing a flag's kind",
            400,
            "PUT",
            flagd,
            Map.of(
                "flags", Map.of("base", Map.of("state", "ENABLED", "variants", Map.of("a", 1))))));
    c.add(
        new Bad(
            "flagd invalid mode",
            400,
            "PUT",
            flagd + "?mode=overwrite",
            Map.of("flags", Map.of())));
    c.add(
        new Bad(
            "segment rules not an object",
            400,
            "POST",
            P + "/segments",
            Map.of("key", "s", "rules", List.of())));
    c.add(
        new Bad(
            "segment with an unknown operator",
            400,
            "POST",
            P + "/segments",
            Map.of("key", "s", "rules", Map.of("nope", List.of()))));
    c.add(new Bad("wrong content type", 415, "POST", flags, "key=a", "Content-Type", "text/plain"));
    c.add(
        new Bad(
            "body over the limit",
            413,
            "POST",
            flags,
            "{\"key\": \"" + "k".repeat(1_100_000) + "\"}"));
    c.add(
        new Bad(
            "an entity tag we never issued",
            412,
            "PATCH",
            prod,
            Map.of("state", "DISABLED"),
            "If-Match",
            "yesterday"));
    c.add(
        new Bad(
            "comment too long",
            400,
            "PATCH",
            prod,
            Map.of("state", "DISABLED"),
            "X-Rollgate-Comment",
            "c".repeat(2000)));
    c.add(new Bad("limit not a number", 400, "GET", flags + "?limit=ten", null));
    c.add(new Bad("limit out of range", 400, "GET", flags + "?limit=0", null));
    c.add(
        new Bad(
            "flag parameter not a boolean", 400, "GET", flags + "?includeArchived=maybe", null));
    c.add(new Bad("audit time not ISO", 400, "GET", "/api/v1/audit?from=yesterday", null));
    c.add(new Bad("audit cursor not a cursor", 400, "GET", "/api/v1/audit?cursor=abc", null));
    c.add(new Bad("unknown token", 404, "DELETE", "/api/v1/tokens/nope", null));
    c.add(new Bad("token without a name", 400, "POST", "/api/v1/tokens", Map.of("role", "viewer")));
    c.add(new Bad("project key invalid", 400, "POST", "/api/v1/projects", Map.of("key", "../etc")));
    c.add(
        new Bad(
            "project environments invalid",
            400,
            "POST",
            "/api/v1/projects",
            Map.of("key", "p", "environments", List.of("a b"))));
    c.add(new Bad("no such endpoint", 404, "GET", "/api/v1/nothing", null));
    return c;
  }

  private Map<String, Object> state() {
    Map<String, Object> state = new LinkedHashMap<>();
    for (String env : List.of("development", "staging", "production")) {
      state.put(env, admin.get(P + "/environments/" + env + "/flagd").text());
    }
    state.put("segments", admin.get(P + "/segments").text());
    state.put("projects", admin.get("/api/v1/projects").text());
    state.put("tokens", admin.get("/api/v1/tokens").text());
    state.put("audit", admin.get("/api/v1/audit?limit=1000").text());
    return state;
  }

  @Test
  void badRequestsAreRejectedCleanlyAndChangeNothing() {
    admin.post(P + "/flags", Map.of("key", "base", "variants", Map.of("on", true, "off", false)));
    Map<String, Object> before = state();
    List<String> wrong = new ArrayList<>();
    for (Bad bad : cases()) {
      Response r = admin.send(bad.method(), bad.path(), bad.body(), bad.headers());
      Map<String, Object> error;
      try {
        error = r.object();
      } catch (RuntimeException e) {
        wrong.add(bad.name() + ": not JSON: " + r);
        continue;
      }
      if (r.status() != bad.status()) {
        wrong.add(bad.name() + ": expected " + bad.status() + ", got " + r);
      } else if (!error.keySet().containsAll(List.of("status", "code", "message", "requestId"))
          || !error.get("requestId").equals(r.header("X-Request-Id"))) {
        wrong.add(bad.name() + ": error body incomplete: " + r);
      }
      assertThat(r.text()).doesNotContain("Exception").doesNotContain("\tat ");
    }
    assertThat(wrong).isEmpty();
    assertThat(state()).isEqualTo(before);
  }

  /**
   * A request refused before its body is read (too large, no token) still gets its answer: closing
   * the socket on a client that is still sending resets the connection and loses the answer, which
   * happened to a few percent of such requests before the server learnt to read the body first.
   */
  @Test
  void refusalsOfALargeBodyReachTheClient() {
    String large = "{\"key\": \"" + "k".repeat(1_100_000) + "\"}";
    String fits = "{\"key\": \"" + "k".repeat(900_000) + "\"}";
    ApiClient anonymous = admin.withToken(null);
    List<String> statuses = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      statuses.add(admin.send("POST", P + "/flags", large).status() + "");
      statuses.add(anonymous.send("POST", P + "/flags", fits).status() + "");
    }
    assertThat(statuses).containsOnly("413", "401").hasSize(200);
  }
}

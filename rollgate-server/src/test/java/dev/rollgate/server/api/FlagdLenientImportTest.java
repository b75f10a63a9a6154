package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT .../flagd?strict=false} takes what flagd takes: flags that cannot compile are stored
 * as written, answer as {@code rollgate eval --flagd-compat} does, and are listed as warnings.
 */
class FlagdLenientImportTest extends ServerTestBase {
  private static final String IMPORT = P + "/environments/production/flagd";

  /** flagd loads all of these; the four broken flags fail only at evaluation. */
  private static final String DOCUMENT =
      """
      {"flags": {
        "fine": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "unknown-operator": {"state": "ENABLED", "variants": {"on": true, "off": false},
          "defaultVariant": "off", "targeting": {"if": [{"frobnicate": [1]}, "on", "off"]}},
        "bad-semver": {"state": "ENABLED", "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"if": [{"sem_ver": [{"var": "version"}, ">=", "2.0.0.0"]}, "on", "off"]}},
        "missing-ref": {"state": "ENABLED", "variants": {"on": true, "off": false},
          "defaultVariant": "off", "targeting": {"if": [{"$ref": "nobody"}, "on", "off"]}},
        "zero-weights": {"state": "ENABLED", "variants": {"a": "a", "b": "b"},
          "defaultVariant": "a", "targeting": {"fractional": [["a", 0], ["b", 0]]}}
      }}
      """;

  private Response importText(String query, String text) {
    return admin.send("PUT", IMPORT + query, text, "Content-Type", "application/json");
  }

  @Test
  @SuppressWarnings("unchecked")
  void storesFlagsThatDoNotCompileAndServesThemAsFlagdWould() {
    Response strict = importText("", DOCUMENT);
    assertThat(strict.status()).as("without strict=false: all or nothing").isEqualTo(400);
    assertThat(admin.get(P + "/flags/fine").status()).isEqualTo(404);

    Response lenient = importText("?strict=false", DOCUMENT);
    assertThat(lenient.status()).as(lenient.toString()).isEqualTo(200);
    List<Map<String, Object>> warnings =
        (List<Map<String, Object>>) lenient.object().get("warnings");
    assertThat(warnings)
        .extracting(w -> w.get("flag"))
        .containsOnly("unknown-operator", "bad-semver", "missing-ref", "zero-weights");
    assertThat(warnings)
        .extracting(w -> (String) w.get("path"))
        .allMatch(path -> path.startsWith("flags."));
    assertThat(warnings)
        .anySatisfy(
            w -> assertThat(w).containsEntry("path", "flags.missing-ref.targeting.if[0].$ref"));

    ApiClient sdk = admin.withToken(token("sdk"));
    Map<String, Object> context =
        Map.of("context", Map.of("targetingKey", "u1", "version", "3.0.0"));
    assertThat(sdk.post("/ofrep/v1/evaluate/flags/fine", context).object())
        .containsEntry("value", true);
    for (String broken : List.of("unknown-operator", "missing-ref")) {
      Response r = sdk.post("/ofrep/v1/evaluate/flags/" + broken, context);
      assertThat(r.object()).as(broken).containsEntry("errorCode", "PARSE_ERROR");
    }
    // flagd yields null for a misused operator: the condition is false, so "else" is served.
    assertThat(sdk.post("/ofrep/v1/evaluate/flags/bad-semver", context).object())
        .containsEntry("value", false)
        .containsEntry("variant", "off");
    assertThat(sdk.post("/ofrep/v1/evaluate/flags/zero-weights", context).object())
        .containsEntry("value", "a");

    Map<String, Object> flag = admin.get(P + "/flags/unknown-operator").object();
    Map<String, Object> production =
        ((Map<String, Map<String, Object>>) flag.get("environments")).get("production");
    assertThat(production).containsEntry("valid", false).containsEntry("strict", false);
    assertThat((List<Map<String, Object>>) production.get("problems"))
        .extracting(p -> p.get("path"))
        .containsExactly("flags.unknown-operator.targeting.if[0].frobnicate");
    Map<String, Object> list = admin.get(P + "/flags?q=unknown").object();
    assertThat(list.toString()).contains("valid=false");
    assertThat(admin.get(P + "/flags/fine/environments/production").object())
        .containsEntry("valid", true);

    // Export gives them back as written.
    Map<String, Object> exported = admin.get(IMPORT).object();
    Map<String, Object> flags = (Map<String, Object>) exported.get("flags");
    assertThat(((Map<String, Object>) flags.get("unknown-operator")).get("targeting"))
        .isEqualTo(Map.of("if", List.of(Map.of("frobnicate", List.of(1L)), "on", "off")));
  }

  @Test
  void adminWritesStayStrict() {
    assertThat(importText("?strict=false", DOCUMENT).status()).isEqualTo(200);
    String config = P + "/flags/unknown-operator/environments/production";
    // A write that leaves the broken targeting alone is taken (the kill switch must always work).
    assertThat(admin.patch(config, Map.of("state", "DISABLED")).status()).isEqualTo(200);
    // Writing targeting through the API is strict: broken targeting is refused...
    Response broken =
        admin.patch(config, Map.of("targeting", Map.of("if", List.of(Map.of("nope", 1), "on"))));
    assertThat(broken.status()).isEqualTo(400);
    // ...and a fix makes the flag valid and strict again.
    Response fixed = admin.patch(config, Map.of("targeting", Map.of("if", List.of(true, "on"))));
    assertThat(fixed.status()).as(fixed.toString()).isEqualTo(200);
    assertThat(fixed.object()).containsEntry("strict", true);
    assertThat(admin.get(config).object()).containsEntry("valid", true);
    // Other flags' writes are not held back by the invalid flags beside them.
    assertThat(
            admin
                .patch(P + "/flags/fine/environments/production", Map.of("state", "DISABLED"))
                .status())
        .isEqualTo(200);
  }

  @Test
  void structuralErrorsAreRefusedInEitherMode() {
    Response r =
        importText(
            "?strict=false",
            """
            {"flags": {"a": {"state": "on", "variants": {"x": 1}},
                       "b": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on",
                             "targeting": {"nope": []}}}}
            """);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).contains("flags.a.state");
    assertThat(admin.get(P + "/flags/b").status()).as("nothing half-imported").isEqualTo(404);
    assertThat(importText("?strict=maybe", DOCUMENT).status()).isEqualTo(400);
  }
}

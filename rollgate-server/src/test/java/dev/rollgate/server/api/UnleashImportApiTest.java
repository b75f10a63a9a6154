package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code PUT .../environments/{env}/unleash} over real HTTP: an Unleash payload becomes flags that
 * answer as Unleash did (the buckets of the Unleash client specification), once, all or nothing.
 */
class UnleashImportApiTest extends ServerTestBase {
  private static final String IMPORT = P + "/environments/production/unleash";

  /** Features from the Unleash client specification, with its expected answers below. */
  private static final String PAYLOAD =
      """
      {"version": 2,
       "features": [
        {"name": "Feature.B3", "description": "50% of users", "enabled": true,
         "strategies": [{"name": "gradualRolloutUserId",
                         "parameters": {"percentage": "50", "groupId": "AB12A"}}]},
        {"name": "Feature.Variants.C", "enabled": true, "strategies": [],
         "variants": [
           {"name": "variant1", "weight": 33, "payload": {"type": "string", "value": "val1"}},
           {"name": "variant2", "weight": 33, "payload": {"type": "string", "value": "val2"}},
           {"name": "variant3", "weight": 33, "payload": {"type": "string", "value": "val3"}}]},
        {"name": "in-prod", "enabled": true,
         "strategies": [{"name": "default", "segments": [1]}]},
        {"name": "child", "enabled": true, "dependencies": [{"feature": "in-prod"}],
         "strategies": [{"name": "default"}]},
        {"name": "Feature.UTF-8.Hellø_Wørld", "enabled": true, "strategies": [{"name": "default"}]},
        {"name": "switched-off", "enabled": false, "strategies": [{"name": "default"}]}
       ],
       "segments": [{"id": 1, "constraints": [
         {"contextName": "environment", "operator": "IN", "values": ["prod"]}]}]}
      """;

  private Response importText(String text) {
    return admin.send("PUT", IMPORT, text, "Content-Type", "application/json");
  }

  private Map<String, Object> evaluate(String key, Map<String, Object> context) {
    ApiClient sdk = admin.withToken(token("sdk"));
    return sdk.post("/ofrep/v1/evaluate/flags/" + key, Map.of("context", context)).object();
  }

  @Test
  @SuppressWarnings("unchecked")
  void importedFlagsAnswerAsUnleashDid() {
    Response imported = importText(PAYLOAD);
    assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
    String utf8Key = "Feature.UTF-8.Hell__W_rld-";
    assertThat((List<String>) imported.object().get("created"))
        .hasSize(6)
        .contains("Feature.B3", "Feature.Variants.C", "child", "switched-off")
        .anySatisfy(k -> assertThat(k).startsWith(utf8Key));
    assertThat((List<Map<String, Object>>) imported.object().get("renamed"))
        .singleElement()
        .satisfies(r -> assertThat(r).containsEntry("feature", "Feature.UTF-8.Hellø_Wørld"));

    // Users keep Unleash's buckets: 122 is in the 50%, 155 is not (spec 03).
    assertThat(evaluate("Feature.B3", Map.of("userId", "122"))).containsEntry("value", true);
    assertThat(evaluate("Feature.B3", Map.of("targetingKey", "122")))
        .as("the targeting key stands for userId")
        .containsEntry("value", true);
    assertThat(evaluate("Feature.B3", Map.of("userId", "155"))).containsEntry("value", false);
    // And their variants (spec 08): 607 gets variant2 with its payload.
    Map<String, Object> variant = evaluate("Feature.Variants.C", Map.of("userId", "607"));
    assertThat((Map<String, Object>) variant.get("value"))
        .containsEntry("name", "variant2")
        .containsEntry("enabled", true)
        .containsEntry("feature_enabled", true)
        .containsEntry("payload", Map.of("type", "string", "value", "val2"));
    assertThat(variant).containsEntry("reason", "SPLIT");
    // Segments and dependencies: the child follows its parent, in the same context.
    assertThat(evaluate("child", Map.of("environment", "prod"))).containsEntry("value", true);
    assertThat(evaluate("child", Map.of("environment", "dev"))).containsEntry("value", false);
    assertThat(evaluate("switched-off", Map.of())).containsEntry("reason", "DISABLED");

    Map<String, Object> flag = admin.get(P + "/flags/Feature.B3").object();
    assertThat(flag).containsEntry("kind", "boolean").containsEntry("description", "50% of users");
    Map<String, Object> staging =
        ((Map<String, Map<String, Object>>) flag.get("environments")).get("staging");
    assertThat(staging).as("other environments start off").containsEntry("state", "DISABLED");

    Response again = importText(PAYLOAD);
    assertThat(again.status()).isEqualTo(200);
    assertThat((List<String>) again.object().get("unchanged")).hasSize(6);
    assertThat((List<String>) again.object().get("updated")).isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void whatCannotBeConvertedIsRefusedAndNothingIsImported() {
    Response refused =
        importText(
            """
            {"features": [
              {"name": "fine", "enabled": true, "strategies": [{"name": "default"}]},
              {"name": "custom", "enabled": true, "strategies": [{"name": "myOwnStrategy"}]},
              {"name": "bad-rollout", "enabled": true,
               "strategies": [{"name": "flexibleRollout", "parameters": {"rollout": "lots"}}]}
            ]}
            """);
    assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
    assertThat(refused.object())
        .containsEntry("code", "unleash_not_convertible")
        .containsKey("requestId");
    assertThat((String) refused.object().get("message"))
        .contains("feature custom: strategy \"myOwnStrategy\" is a custom strategy");
    assertThat((List<Map<String, Object>>) refused.object().get("details"))
        .extracting(d -> d.get("feature"))
        .containsExactly("custom", "bad-rollout");
    assertThat(admin.get(P + "/flags/fine").status()).as("nothing half-imported").isEqualTo(404);

    assertThat(importText("{\"features\": [").status()).isEqualTo(400);
    assertThat(importText("[1]").object()).containsEntry("code", "unleash_not_convertible");
    assertThat(
            admin
                .send(
                    "PUT",
                    P + "/environments/nowhere/unleash",
                    PAYLOAD,
                    "Content-Type",
                    "application/json")
                .status())
        .isEqualTo(404);
  }

  @Test
  @SuppressWarnings("unchecked")
  void aDryRunAnswersWhatTheImportWouldDoAndWritesNothing() {
    Response dry =
        admin.send("PUT", IMPORT + "?dryRun=true", PAYLOAD, "Content-Type", "application/json");
    assertThat(dry.status()).as(dry.toString()).isEqualTo(200);
    assertThat(dry.object()).containsEntry("dryRun", true);
    assertThat((List<String>) dry.object().get("created")).hasSize(6);
    assertThat(admin.get(P + "/flags/Feature.B3").status()).isEqualTo(404);
    Response refused =
        admin.send(
            "PUT",
            IMPORT + "?dryRun=true",
            "{\"features\": [{\"name\": \"x\", \"strategies\": [{\"name\": \"mine\"}]}]}",
            "Content-Type",
            "application/json");
    assertThat(refused.object()).containsEntry("code", "unleash_not_convertible");
  }

  @Test
  void aFlagKeepsItsKind() {
    assertThat(
            importText(
                    """
                    {"features": [{"name": "plain", "enabled": true, "strategies": []}]}
                    """)
                .status())
        .isEqualTo(200);
    Response withVariants =
        importText(
            """
            {"features": [{"name": "plain", "enabled": true, "strategies": [],
              "variants": [{"name": "a", "weight": 1}]}]}
            """);
    assertThat(withVariants.status()).isEqualTo(400);
    assertThat(withVariants.object().get("message").toString())
        .contains("plain", "exists as a boolean flag");
  }

  @Test
  @SuppressWarnings("unchecked")
  void eachEnvironmentKeepsItsOwnVariants() {
    Response staging =
        admin.send(
            "PUT",
            P + "/environments/staging/unleash",
            """
            {"features": [{"name": "color", "enabled": true, "strategies": [],
              "variants": [{"name": "red", "weight": 1, "payload": {"type": "string", "value": "#f00"}}]}]}
            """,
            "Content-Type",
            "application/json");
    assertThat(staging.status()).as(staging.toString()).isEqualTo(200);
    Response production =
        importText(
            """
            {"features": [{"name": "color", "enabled": true, "strategies": [],
              "variants": [
                {"name": "red", "weight": 1, "payload": {"type": "string", "value": "#e00"}},
                {"name": "blue", "weight": 1, "payload": {"type": "string", "value": "#00f"}}]}]}
            """);
    assertThat(production.status()).as(production.toString()).isEqualTo(200);
    assertThat((List<String>) production.object().get("updated")).containsExactly("color");

    Map<String, Object> flag = admin.get(P + "/flags/color").object();
    assertThat((Map<String, Object>) flag.get("variants")).containsKeys("red", "red-2", "blue");
    Map<String, Map<String, Object>> envs =
        (Map<String, Map<String, Object>>) flag.get("environments");
    assertThat(envs.get("staging")).containsEntry("defaultVariant", "red");
    assertThat(Json.write(envs.get("production").get("targeting"))).contains("red-2", "blue");
    Map<String, Object> answer =
        (Map<String, Object>) evaluate("color", Map.of("userId", "42")).get("value");
    Map<String, String> productionColors = Map.of("red", "#e00", "blue", "#00f");
    assertThat(answer.get("payload"))
        .as("production's payload for " + answer.get("name"))
        .isEqualTo(Map.of("type", "string", "value", productionColors.get(answer.get("name"))));
  }

  /**
   * The Unleash client specification once more, end to end: each file's state imported over HTTP,
   * each assertion answered by OFREP as an SDK would read it (caller default false or the disabled
   * variant).
   */
  @Test
  @SuppressWarnings("unchecked")
  void theUnleashSpecificationHoldsThroughTheApi() throws IOException {
    Path dir =
        Path.of(
            System.getProperty("rollgate.shared.dir", "../../shared"),
            "conformance",
            "unleash-client-specification",
            "specifications");
    assumeTrue(Files.isDirectory(dir), "unleash-client-specification not found at " + dir);
    ApiClient sdk = admin.withToken(token("sdk"));
    int passed = 0;
    List<String> failures = new ArrayList<>();
    List<Path> files;
    try (var listing = Files.list(dir)) {
      files =
          listing
              .filter(f -> f.getFileName().toString().matches("(0\\d|1[0-8]|2[12])-.*\\.json"))
              .sorted()
              .toList();
    }
    for (Path file : files) {
      Map<String, Object> spec = (Map<String, Object>) Json.parse(Files.readString(file));
      Response imported = importText(Json.write(spec.get("state")));
      assertThat(imported.status()).as(file + ": " + imported).isEqualTo(200);
      Map<String, String> keys = new LinkedHashMap<>();
      for (Object r : (List<Object>) imported.object().get("renamed")) {
        Map<String, Object> renamed = (Map<String, Object>) r;
        keys.put((String) renamed.get("feature"), (String) renamed.get("key"));
      }
      List<Object> tests = new ArrayList<>((List<Object>) spec.getOrDefault("tests", List.of()));
      int booleans = tests.size();
      tests.addAll((List<Object>) spec.getOrDefault("variantTests", List.of()));
      for (int i = 0; i < tests.size(); i++) {
        Map<String, Object> test = (Map<String, Object>) tests.get(i);
        String name = (String) test.get("toggleName");
        Map<String, Object> body =
            Map.of("context", unleashContext((Map<String, Object>) test.get("context")));
        Response r = sdk.post("/ofrep/v1/evaluate/flags/" + keys.getOrDefault(name, name), body);
        Object value = r.status() == 200 ? r.object().get("value") : null;
        Object actual;
        if (i < booleans) {
          actual = value instanceof Map<?, ?> m ? m.get("feature_enabled") : value;
          actual = actual == null ? Boolean.FALSE : actual;
        } else {
          actual =
              value instanceof Map<?, ?>
                  ? value
                  : Map.of(
                      "name",
                      "disabled",
                      "enabled",
                      false,
                      "feature_enabled",
                      value != null && (Boolean) value);
        }
        if (actual.equals(test.get("expectedResult"))) {
          passed++;
        } else {
          failures.add(file.getFileName() + ": " + test.get("description") + ": got " + actual);
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(passed).isEqualTo(275);
  }

  /** An Unleash context as OFREP's: its fields and properties as attributes. */
  private static Map<String, Object> unleashContext(Map<String, Object> unleash) {
    Map<String, Object> context = new LinkedHashMap<>();
    if (unleash.get("properties") instanceof Map<?, ?> properties) {
      properties.forEach((k, v) -> context.put((String) k, v));
    }
    unleash.forEach((k, v) -> {
      if (!k.equals("properties")) {
        context.put(k, v);
      }
    });
    return context;
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Prerequisites through the admin API, OFREP and flagd export and import, on both stores. */
class PrerequisiteApiTest extends ServerTestBase {
  private static final String OFREP = "/ofrep/v1/evaluate/flags/";

  private void flag(String key, Map<String, Object> production) {
    Response r =
        admin.post(
            P + "/flags",
            Map.of(
                "key",
                key,
                "variants",
                Map.of("on", true, "off", false),
                "defaultVariant",
                "off",
                "environments",
                Map.of("production", production)));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  private static Map<String, Object> requires(String flag, String... variants) {
    return Map.of("flag", flag, "variants", List.of(variants));
  }

  private Map<String, Object> evaluate(ApiClient sdk, String key, String tenant) {
    Response r =
        sdk.post(OFREP + key, Map.of("context", Map.of("targetingKey", "u1", "tenant", tenant)));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.object();
  }

  @Test
  void aFlagServesItsRulesOnlyWhenItsPrerequisitesAreMet() {
    flag(
        "payments-v2",
        Map.of(
            "state",
            "ENABLED",
            "targeting",
            Map.of("if", List.of(Map.of("==", List.of(Map.of("var", "tenant"), "acme")), "on"))));
    flag(
        "one-click",
        Map.of(
            "state",
            "ENABLED",
            "targeting",
            Map.of("if", List.of(true, "on")),
            "prerequisites",
            List.of(requires("payments-v2", "on"))));
    ApiClient sdk = admin.withToken(token("sdk"));
    assertThat(evaluate(sdk, "one-click", "acme"))
        .containsEntry("value", true)
        .containsEntry("reason", "TARGETING_MATCH");
    assertThat(evaluate(sdk, "one-click", "initech"))
        .containsEntry("value", false)
        .containsEntry("variant", "off")
        .containsEntry("reason", "PREREQUISITE_FAILED");

    Map<String, Object> config = admin.get(P + "/flags/one-click/environments/production").object();
    assertThat(config.get("prerequisites"))
        .isEqualTo(List.of(Map.of("flag", "payments-v2", "variants", List.of("on"))));
    assertThat(config).containsEntry("valid", true).containsEntry("strict", true);

    Response explained =
        admin.post(
            P + "/flags/one-click/environments/production/explain",
            Map.of("context", Map.of("targetingKey", "u1", "tenant", "initech")));
    assertThat(explained.status()).as(explained.toString()).isEqualTo(200);
    assertThat(explained.text())
        .contains("prerequisite \\\"payments-v2\\\" served variant \\\"off\\\"");

    // Cleared with null: the flag evaluates its rules again for everyone.
    Map<String, Object> none = new java.util.HashMap<>();
    none.put("prerequisites", null);
    assertThat(admin.patch(P + "/flags/one-click/environments/production", none).status())
        .isEqualTo(200);
    assertThat(evaluate(sdk, "one-click", "initech")).containsEntry("value", true);
  }

  @Test
  void cyclesAndMissingFlagsAreRefusedWithTheirNames() {
    flag("a", Map.of("state", "ENABLED"));
    flag("b", Map.of("state", "ENABLED", "prerequisites", List.of(requires("a", "on"))));
    Response cycle =
        admin.patch(
            P + "/flags/a/environments/production",
            Map.of("prerequisites", List.of(requires("b", "on"))));
    assertThat(cycle.status()).as(cycle.toString()).isEqualTo(400);
    assertThat((String) cycle.object().get("message"))
        .contains("prerequisites form a cycle: a -> b -> a");

    Response missing =
        admin.patch(
            P + "/flags/a/environments/production",
            Map.of("prerequisites", List.of(requires("ghost", "on"))));
    assertThat(missing.status()).isEqualTo(400);
    assertThat((String) missing.object().get("message")).contains("there is no flag \"ghost\"");
    @SuppressWarnings("unchecked")
    Map<String, Object> detail =
        ((List<Map<String, Object>>) missing.object().get("details")).getFirst();
    assertThat(detail).containsEntry("field", "prerequisites[0].flag");

    Response unknownVariant =
        admin.patch(
            P + "/flags/a/environments/production",
            Map.of("prerequisites", List.of(requires("b", "maybe"))));
    assertThat(unknownVariant.status()).isEqualTo(400);
    assertThat((String) unknownVariant.object().get("message"))
        .contains("\"maybe\" is not a variant of flag \"b\"");

    for (Object bad :
        List.of(
            "b",
            List.of(Map.of("flag", "b")),
            List.of(Map.of("flag", "b", "variants", List.of())),
            List.of(Map.of("flag", "b", "variants", List.of("on"), "extra", 1)),
            List.of(requires("b", "on"), requires("b", "off")))) {
      Response r =
          admin.patch(P + "/flags/a/environments/production", Map.of("prerequisites", bad));
      assertThat(r.status()).as(bad.toString()).isEqualTo(400);
    }
    assertThat(admin.get(P + "/flags/a").object().get("version"))
        .as("nothing refused was written")
        .isEqualTo(1L);
  }

  @Test
  void aRequiredFlagCannotBeDeletedOrArchived() {
    flag("base", Map.of("state", "ENABLED"));
    flag("child", Map.of("state", "ENABLED", "prerequisites", List.of(requires("base", "on"))));
    Response delete = admin.delete(P + "/flags/base");
    assertThat(delete.status()).isEqualTo(409);
    assertThat(delete.object()).containsEntry("code", "flag_required");
    assertThat((String) delete.object().get("message"))
        .contains("prerequisite of child (production)");
    Response archive = admin.patch(P + "/flags/base", Map.of("archived", true));
    assertThat(archive.status()).isEqualTo(409);
    assertThat(admin.get(P + "/flags/base").status()).isEqualTo(200);

    // Once the dependent is archived it no longer holds the prerequisite back.
    assertThat(admin.patch(P + "/flags/child", Map.of("archived", true)).status()).isEqualTo(200);
    assertThat(admin.delete(P + "/flags/base").status()).isEqualTo(204);
  }

  @Test
  @SuppressWarnings("unchecked")
  void flagdExportKeepsPrerequisitesInMetadataAndImportReadsThemBack() {
    flag("base", Map.of("state", "ENABLED"));
    flag("child", Map.of("state", "ENABLED", "prerequisites", List.of(requires("base", "on"))));
    Map<String, Object> exported = admin.get(P + "/environments/production/flagd").object();
    Map<String, Object> child =
        (Map<String, Object>) ((Map<String, Object>) exported.get("flags")).get("child");
    assertThat(child).doesNotContainKey("prerequisites");
    Map<String, Object> metadata = (Map<String, Object>) child.get("metadata");
    assertThat(Json.parse((String) metadata.get("rollgate.prerequisites")))
        .isEqualTo(List.of(Map.of("flag", "base", "variants", List.of("on"))));

    Response imported = admin.put(P + "/environments/staging/flagd", exported);
    assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
    Map<String, Object> staging = admin.get(P + "/flags/child/environments/staging").object();
    assertThat(staging.get("prerequisites"))
        .isEqualTo(List.of(Map.of("flag", "base", "variants", List.of("on"))));
    assertThat((Map<String, Object>) staging.get("metadata"))
        .doesNotContainKey("rollgate.prerequisites");

    // A document may also name them as a flag member, Rollgate's extension of the format.
    Response member =
        admin.put(
            P + "/environments/development/flagd",
            Map.of(
                "flags",
                Map.of(
                    "gate",
                    Map.of(
                        "state",
                        "ENABLED",
                        "variants",
                        Map.of("on", true, "off", false),
                        "defaultVariant",
                        "on",
                        "prerequisites",
                        List.of(requires("base", "on"))))));
    assertThat(member.status()).as(member.toString()).isEqualTo(200);
    assertThat(admin.get(P + "/flags/gate/environments/development").object().get("prerequisites"))
        .isEqualTo(List.of(Map.of("flag", "base", "variants", List.of("on"))));
  }
}

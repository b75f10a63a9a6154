package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.ValueType;
import dev.rollgate.server.testing.ApiClient.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlagApiTest extends ServerTestBase {

  @Test
  void firstStartCreatesTheDefaultProject() {
    Response r = admin.get(P);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.object()).containsEntry("key", "default");
    assertThat(r.object().get("environments"))
        .isEqualTo(List.of("development", "production", "staging"));
  }

  @Test
  void createsAFlagWithAConfigurationPerEnvironment() {
    Response created = admin.post(P + "/flags", checkoutFlag());
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.header("ETag")).isEqualTo("\"1\"");
    Map<String, Object> flag = admin.get(P + "/flags/new-checkout").object();
    assertThat(flag).containsEntry("kind", "boolean").containsEntry("version", 1L);
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> envs =
        (Map<String, Map<String, Object>>) flag.get("environments");
    assertThat(envs.keySet()).containsExactly("development", "production", "staging");
    assertThat(envs.get("development"))
        .containsEntry("state", "DISABLED")
        .containsEntry("defaultVariant", "off");
    assertThat(envs.get("production")).containsEntry("state", "ENABLED");
  }

  @Test
  void duplicateKeysConflict() {
    admin.post(P + "/flags", checkoutFlag());
    Response again = admin.post(P + "/flags", checkoutFlag());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.object()).containsEntry("code", "conflict");
  }

  @Test
  void killSwitchTurnsTheFlagOffAndBackOn() {
    admin.post(P + "/flags", checkoutFlag());
    var pro = EvaluationContext.of("u1", Map.of("plan", "pro"));
    assertThat(
            server
                .snapshot("production")
                .evaluate("new-checkout", ValueType.BOOLEAN, false, pro)
                .value())
        .isEqualTo(true);

    Response off =
        admin.patch(P + "/flags/new-checkout/environments/production", Map.of("state", "DISABLED"));
    assertThat(off.status()).isEqualTo(200);
    assertThat(off.object()).containsEntry("state", "DISABLED").containsEntry("version", 2L);
    var disabled =
        server.snapshot("production").evaluate("new-checkout", ValueType.BOOLEAN, false, pro);
    assertThat(disabled.reason().name()).isEqualTo("DISABLED");

    admin.patch(P + "/flags/new-checkout/environments/production", Map.of("state", "ENABLED"));
    assertThat(
            server
                .snapshot("production")
                .evaluate("new-checkout", ValueType.BOOLEAN, false, pro)
                .value())
        .isEqualTo(true);

    List<Object> actions =
        ((List<?>)
                admin
                    .get("/api/v1/audit?resource=projects/default/flags/new-checkout")
                    .object()
                    .get("items"))
            .stream().map(e -> (Object) ((Map<?, ?>) e).get("action")).toList();
    assertThat(actions).containsExactly("flag.create", "flag.disable", "flag.enable");
  }

  @Test
  void staleIfMatchIs412AndChangesNothing() {
    admin.post(P + "/flags", checkoutFlag());
    assertThat(
            admin
                .send("PATCH", P + "/flags/new-checkout", Map.of("name", "A"), "If-Match", "\"1\"")
                .status())
        .isEqualTo(200);
    Response stale =
        admin.send("PATCH", P + "/flags/new-checkout", Map.of("name", "B"), "If-Match", "\"1\"");
    assertThat(stale.status()).isEqualTo(412);
    assertThat(stale.object()).containsEntry("code", "version_mismatch");
    assertThat(admin.get(P + "/flags/new-checkout").object())
        .containsEntry("name", "A")
        .containsEntry("version", 2L);
  }

  @Test
  void changesThatBreakAFlagAreRejectedWithThePath() {
    admin.post(P + "/flags", checkoutFlag());
    Response r =
        admin.patch(
            P + "/flags/new-checkout/environments/staging",
            Map.of("targeting", Map.of("if", List.of(Map.of("starts_with", List.of("x")), "on"))));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.object()).containsEntry("code", "invalid_flag");
    assertThat(r.object().get("details"))
        .isEqualTo(
            List.of(
                Map.of(
                    "environment",
                    "staging",
                    "path",
                    "flags.new-checkout.targeting.if[0].starts_with",
                    "message",
                    "\"starts_with\" takes 2 argument(s), got 1",
                    "field",
                    "targeting.if[0].starts_with")));
    assertThat(admin.get(P + "/flags/new-checkout").object()).containsEntry("version", 1L);
  }

  @Test
  void kindCannotChange() {
    admin.post(P + "/flags", checkoutFlag());
    Response r =
        admin.patch(
            P + "/flags/new-checkout", Map.of("variants", Map.of("on", "yes", "off", "no")));
    assertThat(r.status()).isEqualTo(400);
    assertThat((String) r.object().get("message"))
        .isEqualTo("variants: must stay boolean (the flag's kind cannot change)");
  }

  @Test
  void listsFiltersAndPaginates() {
    for (String key : List.of("a-one", "a-two", "b-three", "a-four")) {
      admin.post(
          P + "/flags",
          Map.of(
              "key",
              key,
              "variants",
              Map.of("x", 1, "y", 2),
              "tags",
              key.startsWith("a") ? List.of("alpha") : List.of()));
    }
    admin.patch(P + "/flags/a-two", Map.of("archived", true));

    assertThat(keys(admin.get(P + "/flags").object()))
        .containsExactly("a-four", "a-one", "b-three");
    assertThat(keys(admin.get(P + "/flags?includeArchived=true").object()))
        .containsExactly("a-four", "a-one", "a-two", "b-three");
    assertThat(keys(admin.get(P + "/flags?tag=alpha").object())).containsExactly("a-four", "a-one");
    assertThat(keys(admin.get(P + "/flags?q=b-").object())).containsExactly("b-three");

    Map<String, Object> first = admin.get(P + "/flags?limit=2&includeArchived=true").object();
    assertThat(keys(first)).containsExactly("a-four", "a-one");
    Map<String, Object> second =
        admin
            .get(P + "/flags?limit=2&includeArchived=true&cursor=" + first.get("nextCursor"))
            .object();
    assertThat(keys(second)).containsExactly("a-two", "b-three");
    assertThat(second.get("nextCursor")).isNull();
  }

  private static List<Object> keys(Map<String, Object> page) {
    return ((List<?>) page.get("items"))
        .stream().map(f -> (Object) ((Map<?, ?>) f).get("key")).toList();
  }

  @Test
  void archivedFlagsAreNotServedAndDeletedFlagsAreGone() {
    admin.post(P + "/flags", checkoutFlag());
    admin.patch(P + "/flags/new-checkout", Map.of("archived", true));
    assertThat(server.snapshot("production").flagKeys()).doesNotContain("new-checkout");
    assertThat(admin.delete(P + "/flags/new-checkout").status()).isEqualTo(204);
    assertThat(admin.get(P + "/flags/new-checkout").status()).isEqualTo(404);
  }

  @Test
  void segmentsAreSharedAndProtectedWhileInUse() {
    Response seg =
        admin.post(
            P + "/segments",
            Map.of(
                "key",
                "staff",
                "rules",
                Map.of("ends_with", List.of(Map.of("var", "email"), "@rollgate.dev"))));
    assertThat(seg.status()).isEqualTo(201);
    Map<String, Object> flag = new java.util.HashMap<>(checkoutFlag());
    flag.put(
        "environments",
        Map.of(
            "staging",
            Map.of(
                "state",
                "ENABLED",
                "targeting",
                Map.of("if", List.of(Map.of("$ref", "staff"), "on")))));
    assertThat(admin.post(P + "/flags", flag).status()).isEqualTo(201);

    var staff = EvaluationContext.of("u", Map.of("email", "ana@rollgate.dev"));
    assertThat(
            server
                .snapshot("staging")
                .evaluate("new-checkout", ValueType.BOOLEAN, false, staff)
                .value())
        .isEqualTo(true);

    Response refused = admin.delete(P + "/segments/staff");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.object()).containsEntry("code", "segment_in_use");
    assertThat(refused.object().get("details"))
        .isEqualTo(List.of(Map.of("flag", "new-checkout", "environment", "staging")));

    admin.patch(P + "/flags/new-checkout/environments/staging", Map.of("targeting", Map.of()));
    assertThat(admin.delete(P + "/segments/staff").status()).isEqualTo(204);
  }

  @Test
  void flagdExportLoadsInTheEngineAndRoundTrips() {
    admin.post(
        P + "/segments",
        Map.of(
            "key",
            "staff",
            "rules",
            Map.of("ends_with", List.of(Map.of("var", "email"), "@x.io"))));
    admin.post(P + "/flags", checkoutFlag());
    Map<String, Object> exported = admin.get(P + "/environments/production/flagd").object();
    dev.rollgate.core.FlagSnapshot.parse(dev.rollgate.core.json.Json.write(exported));

    Response imported = admin.put(P + "/environments/production/flagd", exported);
    assertThat(imported.status()).as(imported.toString()).isEqualTo(200);
    assertThat(imported.object())
        .containsEntry("unchanged", List.of("new-checkout"))
        .containsEntry("created", List.of());
    assertThat(admin.get(P + "/environments/production/flagd").object()).isEqualTo(exported);
  }

  @Test
  void flagdImportCreatesMergesAndReplaces() {
    admin.post(P + "/flags", checkoutFlag());
    Map<String, Object> document =
        Map.of(
            "flags",
            Map.of(
                "banner",
                Map.of(
                    "state",
                    "ENABLED",
                    "variants",
                    Map.of("a", "Hello", "b", "Hi"),
                    "defaultVariant",
                    "b",
                    "targeting",
                    Map.of("if", List.of(Map.of("$ref", "emea"), "a")))),
            "$evaluators",
            Map.of(
                "emea", Map.of("in", List.of(Map.of("var", "region"), List.of("eu", "me", "af")))));
    Response merged = admin.put(P + "/environments/production/flagd", document);
    assertThat(merged.status()).as(merged.toString()).isEqualTo(200);
    assertThat(merged.object())
        .containsEntry("created", List.of("banner"))
        .containsEntry("segmentsChanged", List.of("emea"));
    assertThat(server.snapshot("production").flagKeys()).containsExactly("banner", "new-checkout");
    assertThat(server.snapshot("development").flagKeys()).contains("banner");
    assertThat(admin.get(P + "/segments/emea").status()).isEqualTo(200);

    Response replaced = admin.put(P + "/environments/production/flagd?mode=replace", document);
    assertThat(replaced.object()).containsEntry("removed", List.of("new-checkout"));
    assertThat(server.snapshot("production").flagKeys()).containsExactly("banner");
    assertThat(server.snapshot("staging").flagKeys()).contains("new-checkout");
  }

  @Test
  void flagdImportIsAllOrNothing() {
    Map<String, Object> broken =
        Map.of(
            "flags",
            Map.of(
                "good", Map.of("state", "ENABLED", "variants", Map.of("on", true)),
                "bad",
                    Map.of(
                        "state",
                        "ENABLED",
                        "variants",
                        Map.of("on", true),
                        "defaultVariant",
                        "off")));
    Response r = admin.put(P + "/environments/production/flagd", broken);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.object()).containsEntry("code", "invalid_flag_document");
    assertThat(r.object().get("details"))
        .isEqualTo(
            List.of(
                Map.of(
                    "path",
                    "flags.bad.defaultVariant",
                    "message",
                    "\"off\" is not one of the variants [on]")));
    assertThat(admin.get(P + "/flags/good").status()).isEqualTo(404);
  }

  @Test
  void newEnvironmentsGetEveryFlagSwitchedOff() {
    admin.post(P + "/flags", checkoutFlag());
    Response env = admin.post(P + "/environments", Map.of("key", "qa"));
    assertThat(env.status()).isEqualTo(201);
    Map<String, Object> config = admin.get(P + "/flags/new-checkout/environments/qa").object();
    assertThat(config).containsEntry("state", "DISABLED").containsEntry("defaultVariant", "off");
    assertThat(server.snapshot("qa").flagKeys()).containsExactly("new-checkout");
  }

  @Test
  void projectsWithFlagsNeedForceToDelete() {
    assertThat(
            admin
                .post("/api/v1/projects", Map.of("key", "shop", "environments", List.of("prod")))
                .status())
        .isEqualTo(201);
    admin.post("/api/v1/projects/shop/flags", Map.of("key", "f", "variants", Map.of("on", true)));
    Response refused = admin.delete("/api/v1/projects/shop");
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.object()).containsEntry("code", "not_empty");
    assertThat(admin.delete("/api/v1/projects/shop?force=true").status()).isEqualTo(204);
    assertThat(admin.get("/api/v1/projects/shop").status()).isEqualTo(404);
    assertThat(server.snapshot("shop", "prod")).isNull();
  }
}

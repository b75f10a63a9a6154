package dev.rollgate.server.unleash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.json.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the conversion decides beyond the specification: keys, kinds, refusals, warnings. */
class UnleashConversionTest {
  private static UnleashConversion.Result convert(String payload) {
    return UnleashConversion.convert(Json.parse(payload), Map.of());
  }

  private static FlagSnapshot compile(UnleashConversion.Result result) {
    return FlagSnapshot.parse(
        Json.write(result.document()), ParseOptions.defaults().withEnvironment(Map.of()));
  }

  @Test
  void keysAreNamesWhenTheyCanBe() {
    assertThat(UnleashConversion.keyFor("new-checkout.v2_b")).isEqualTo("new-checkout.v2_b");
    String derived = UnleashConversion.keyFor("Feature.UTF-8.Hellø_Wørld");
    assertThat(derived).matches("Feature\\.UTF-8\\.Hell__W_rld-[0-9a-f]{8}");
    assertThat(UnleashConversion.keyFor("Feature.UTF-8.Hellö_Wörld")).isNotEqualTo(derived);
    assertThat(UnleashConversion.keyFor("~tilde")).matches("u_tilde-[0-9a-f]{8}");
    assertThat(UnleashConversion.keyFor("x".repeat(200))).hasSizeLessThanOrEqualTo(128);
  }

  @Test
  void refusesWhatItCannotConvertNamingEachFeature() {
    UnleashConversion.Result result =
        convert(
            """
            {"features": [
              {"name": "ok", "enabled": true},
              {"name": "custom", "enabled": true, "strategies": [{"name": "companyNetwork"}]},
              {"name": "weights", "enabled": true, "variants": [{"name": "a", "weight": 1.5}]},
              {"name": "nameless-constraint", "enabled": true, "strategies": [{"name": "default",
                "constraints": [{"operator": "IN", "values": ["x"]}]}]},
              {"name": "ok", "enabled": false},
              {"name": "Hellø"}, {"name": "Hellø"}
            ]}
            """);
    assertThat(result.flags()).as("nothing half-converted").isEmpty();
    assertThat(result.refused())
        .extracting(UnleashConversion.Refusal::feature)
        .containsExactly("custom", "weights", "nameless-constraint", "ok", "Hellø");
    assertThat(result.refused().get(0).reason()).contains("custom strategy");
    assertThat(convert("{\"segments\": []}").refused())
        .singleElement()
        .satisfies(r -> assertThat(r.feature()).isNull());
  }

  @Test
  void keepsTheVariantsAFlagHasAndItsKind() {
    String payload =
        """
        {"features": [{"name": "color", "enabled": true,
          "variants": [{"name": "red", "weight": 1, "payload": {"type": "string", "value": "#f00"}}]}]}
        """;
    Map<String, Object> stored = new LinkedHashMap<>();
    stored.put(
        "red",
        Map.of(
            "name",
            "red",
            "enabled",
            true,
            "feature_enabled",
            true,
            "payload",
            Map.of("type", "string", "value", "#e00")));
    UnleashConversion.Result result =
        UnleashConversion.convert(
            Json.parse(payload), Map.of("color", new UnleashConversion.Existing("object", stored)));
    UnleashConversion.Converted color = result.flags().get(0);
    assertThat(color.variants())
        .as("another environment's red stays as it is; this one's is red-2")
        .containsKeys("red", "red-2", "disabled", "enabled");
    assertThat(color.defaultVariant()).isEqualTo("red-2");

    UnleashConversion.Result plain =
        UnleashConversion.convert(
            Json.parse("{\"features\": [{\"name\": \"color\", \"enabled\": true}]}"),
            Map.of("color", new UnleashConversion.Existing("object", stored)));
    assertThat(plain.flags().get(0).kind()).as("an object flag stays one").isEqualTo("object");
    assertThat(plain.flags().get(0).defaultVariant()).isEqualTo("enabled");

    UnleashConversion.Result typed =
        UnleashConversion.convert(
            Json.parse(payload),
            Map.of("color", new UnleashConversion.Existing("string", Map.of("a", "b"))));
    assertThat(typed.refused())
        .singleElement()
        .satisfies(r -> assertThat(r.reason()).contains("exists as a string flag"));
  }

  @Test
  void whatUnleashAnswersAsOffConvertsToOffWithAWarning() {
    UnleashConversion.Result result =
        convert(
            """
            {"features": [
              {"name": "parent", "enabled": false},
              {"name": "orphan", "enabled": true, "dependencies": [{"feature": "gone"}]},
              {"name": "wants-off", "enabled": true,
               "dependencies": [{"feature": "parent", "enabled": false}]},
              {"name": "odd-operator", "enabled": true, "strategies": [{"name": "default",
                "constraints": [{"contextName": "x", "operator": "FUZZY", "value": "1"}]}]},
              {"name": "paused", "enabled": true,
               "strategies": [{"name": "default", "disabled": true}]}
            ]}
            """);
    assertThat(result.refused()).isEmpty();
    assertThat(result.warnings())
        .extracting(UnleashConversion.Warning::feature)
        .containsExactlyInAnyOrder("orphan", "odd-operator", "wants-off");
    FlagSnapshot flags = compile(result);
    EvaluationContext anyone = EvaluationContext.of("u1");
    assertThat(flags.evaluate("orphan", ValueType.BOOLEAN, true, anyone).value()).isEqualTo(false);
    assertThat(flags.evaluate("odd-operator", ValueType.BOOLEAN, true, anyone).value())
        .isEqualTo(false);
    assertThat(flags.evaluate("paused", ValueType.BOOLEAN, true, anyone).value()).isEqualTo(false);
    assertThat(flags.evaluate("wants-off", ValueType.BOOLEAN, false, anyone).value())
        .as("its parent is off here, so the dependency holds")
        .isEqualTo(true);
  }

  @Test
  void randomStickinessIsStablePerUserAndExactAtTheEnds() {
    UnleashConversion.Result result =
        convert(
            """
            {"features": [
              {"name": "half", "enabled": true, "strategies": [
                {"name": "gradualRolloutRandom", "parameters": {"percentage": "50"}}]},
              {"name": "all", "enabled": true, "strategies": [
                {"name": "gradualRolloutRandom", "parameters": {"percentage": 100}}]}
            ]}
            """);
    FlagSnapshot flags = compile(result);
    int on = 0;
    for (int i = 0; i < 1000; i++) {
      EvaluationContext user = EvaluationContext.of("user-" + i);
      Object first = flags.evaluate("half", ValueType.BOOLEAN, false, user).value();
      assertThat(flags.evaluate("half", ValueType.BOOLEAN, false, user).value()).isEqualTo(first);
      on += Boolean.TRUE.equals(first) ? 1 : 0;
    }
    assertThat(on).isBetween(430, 570);
    EvaluationContext nobody = EvaluationContext.empty();
    assertThat(flags.evaluate("half", ValueType.BOOLEAN, true, nobody).value()).isEqualTo(false);
    assertThat(flags.evaluate("all", ValueType.BOOLEAN, false, nobody).value()).isEqualTo(true);
  }

  @Test
  void theTargetingReadsAsTheStrategies() {
    UnleashConversion.Result result =
        convert(
            """
            {"features": [{"name": "eu-rollout", "enabled": true, "strategies": [
              {"name": "flexibleRollout",
               "parameters": {"rollout": "25", "stickiness": "tenant", "groupId": "eu"},
               "constraints": [{"contextName": "region", "operator": "IN", "values": ["eu"],
                                "caseInsensitive": true}]}]}]}
            """);
    assertThat(Json.write(result.flags().get(0).targeting()))
        .isEqualTo(
            "{\"if\":[{\"and\":[{\"unleash_constraint\":[{\"contextName\":\"region\","
                + "\"operator\":\"IN\",\"values\":[\"eu\"]}]},"
                + "{\"unleash_rollout\":[25,\"eu\",\"tenant\"]}]},\"on\",\"off\"]}");
    assertThat(result.flags().get(0).prerequisites()).isEqualTo(List.of());
  }

  /** Hostile or malformed payloads: refused with a reason, never an exception. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"features\": {}}",
        "{\"features\": [1, null, []]}",
        "{\"features\": [{\"name\": \"x\", \"enabled\": \"yes\"}]}",
        "{\"features\": [{\"name\": \"x\", \"strategies\": \"default\"}]}",
        "{\"features\": [{\"name\": \"x\", \"strategies\": [{\"parameters\": {}}]}]}",
        "{\"features\": [{\"name\": \"x\", \"strategies\": [{\"name\": \"flexibleRollout\","
            + " \"parameters\": {\"rollout\": \"NaN\"}}]}]}",
        "{\"features\": [{\"name\": \"x\", \"strategies\": [{\"name\": \"default\","
            + " \"constraints\": [{\"contextName\": \"a\", \"operator\": \"IN\", \"values\": [{}]}]}]}]}",
        "{\"features\": [{\"name\": \"x\", \"variants\": [{\"name\": \"a\", \"weight\": 1e20},"
            + " {\"name\": \"b\", \"weight\": 1e20}]}]}",
        "{\"features\": [{\"name\": \"x\", \"variants\": [{\"name\": \"a\", \"weight\": 1,"
            + " \"payload\": \"text\"}]}]}",
        "{\"features\": [{\"name\": \"x\", \"dependencies\": [{\"enabled\": true}]}]}"
      })
  void malformedPayloadsAreRefusedWithAReason(String payload) {
    UnleashConversion.Result result = convert(payload);
    assertThat(result.flags()).isEmpty();
    assertThat(result.refused()).isNotEmpty().allSatisfy(r -> assertThat(r.reason()).isNotBlank());
  }

  @Test
  void oddButHarmlessPartsAreIgnored() {
    UnleashConversion.Result result =
        convert(
            """
            {"version": 2, "query": {}, "meta": {"etag": "x"}, "segments": [1, {"id": "s"}],
             "features": [{"name": "x", "type": "release", "project": "default", "stale": false,
               "impressionData": true, "strategies": [{"name": "default", "id": "abc",
               "sortOrder": 0, "title": "everyone"}]}]}
            """);
    assertThat(result.refused()).isEmpty();
    assertThat(result.flags())
        .singleElement()
        .satisfies(f -> assertThat(f.defaultVariant()).isEqualTo("on"));
  }
}

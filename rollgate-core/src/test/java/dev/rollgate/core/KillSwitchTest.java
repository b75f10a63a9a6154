package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code ROLLGATE_FLAG_<KEY>} overrides every other source. */
class KillSwitchTest {
  private static final String FLAGS =
      """
      {"flags": {
        "new-checkout.v2": {"state": "ENABLED", "variants": {"on": true, "off": false},
                            "defaultVariant": "off",
                            "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "on"]}},
        "paused": {"state": "DISABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"}
      }}
      """;
  private static final EvaluationContext PRO = EvaluationContext.of("u", Map.of("plan", "pro"));

  private static FlagSnapshot withEnv(Map<String, String> env) {
    return FlagSnapshot.parse(FLAGS, ParseOptions.defaults().withEnvironment(env));
  }

  @ParameterizedTest
  @CsvSource({
    "new-checkout.v2, ROLLGATE_FLAG_NEW_CHECKOUT_V2",
    "a-b, ROLLGATE_FLAG_A_B",
    "MiXed9, ROLLGATE_FLAG_MIXED9",
    "ünï, ROLLGATE_FLAG__N_"
  })
  void variableNameUpperCasesAndReplacesOtherCharacters(String key, String variable) {
    assertThat(KillSwitch.variableName(key)).isEqualTo(variable);
  }

  @Test
  void offDisablesTheFlagWhateverTargetingSays() {
    FlagSnapshot flags = withEnv(Map.of("ROLLGATE_FLAG_NEW_CHECKOUT_V2", "off"));
    Resolution r = flags.evaluate("new-checkout.v2", ValueType.BOOLEAN, false, PRO);
    assertThat(r.reason()).isEqualTo(Reason.DISABLED);
    assertThat(r.value()).isEqualTo(false);
    assertThat(
            withEnv(Map.of("ROLLGATE_FLAG_NEW_CHECKOUT_V2", " OFF "))
                .evaluate("new-checkout.v2", ValueType.BOOLEAN, false, PRO)
                .reason())
        .isEqualTo(Reason.DISABLED);
  }

  @Test
  void variantNameServesThatVariantEvenWhenTheFlagIsDisabled() {
    FlagSnapshot flags =
        withEnv(Map.of("ROLLGATE_FLAG_NEW_CHECKOUT_V2", "on", "ROLLGATE_FLAG_PAUSED", "off"));
    Resolution r =
        flags.evaluate("new-checkout.v2", ValueType.BOOLEAN, false, EvaluationContext.empty());
    assertThat(r.value()).isEqualTo(true);
    assertThat(r.variant()).isEqualTo("on");
    assertThat(r.reason()).isEqualTo(Reason.STATIC);

    FlagSnapshot forced = withEnv(Map.of("ROLLGATE_FLAG_PAUSED", "on"));
    assertThat(forced.evaluate("paused", ValueType.BOOLEAN, false, null).value()).isEqualTo(true);
  }

  @Test
  void unknownValueIsAnErrorThatServesTheCallersDefault() {
    FlagSnapshot flags = withEnv(Map.of("ROLLGATE_FLAG_NEW_CHECKOUT_V2", "maybe"));
    Resolution r = flags.evaluate("new-checkout.v2", ValueType.BOOLEAN, false, PRO);
    assertThat(r.errorCode()).isEqualTo(ErrorCode.GENERAL);
    assertThat(r.value()).isEqualTo(false);
    assertThat(r.errorMessage())
        .isEqualTo(
            "ROLLGATE_FLAG_NEW_CHECKOUT_V2=maybe names no variant of flag \"new-checkout.v2\" (use off or one of [on, off])");
  }

  @Test
  void blankIsIgnored() {
    FlagSnapshot flags = withEnv(Map.of("ROLLGATE_FLAG_NEW_CHECKOUT_V2", "  "));
    assertThat(flags.evaluate("new-checkout.v2", ValueType.BOOLEAN, false, PRO).reason())
        .isEqualTo(Reason.TARGETING_MATCH);
  }

  @Test
  void showsInTheExplanation() {
    FlagSnapshot flags = withEnv(Map.of("ROLLGATE_FLAG_NEW_CHECKOUT_V2", "off"));
    Resolution r = flags.explain("new-checkout.v2", ValueType.BOOLEAN, false, PRO);
    assertThat(r.explanation()).hasSize(1);
    assertThat(r.explanation().getFirst().at()).isEqualTo("env");
    assertThat(r.explanation().getFirst().note())
        .isEqualTo(
            "ROLLGATE_FLAG_NEW_CHECKOUT_V2=off overrides every other source: the flag is off");
  }
}

package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A server's kill switches baked into the document it serves: compiled without the server's
 * environment, the result answers what the server answers with it.
 */
class KillSwitchesTest {
  private static final String DOCUMENT =
      """
      {"flags": {
        "checkout": {"state": "ENABLED", "variants": {"on": true, "off": false},
                     "defaultVariant": "off",
                     "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "on", "off"]}},
        "banner": {"state": "DISABLED", "variants": {"on": true, "off": false},
                   "defaultVariant": "off"},
        "ranking": {"state": "ENABLED", "variants": {"a": "a", "b": "b"}, "defaultVariant": "a"},
        "untouched": {"state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on"}
      }}
      """;

  @SuppressWarnings("unchecked")
  private static Map<String, Object> document() {
    return (Map<String, Object>) Json.parse(DOCUMENT);
  }

  @Test
  void aDocumentWithoutSwitchesIsReturnedAsItIs() {
    Map<String, Object> document = document();
    assertThat(KillSwitches.apply(document, name -> null)).isSameAs(document);
  }

  @Test
  void switchedFlagsAnswerWithoutTheEnvironmentWhatTheServerAnswersWithIt() {
    Map<String, String> env =
        Map.of(
            "ROLLGATE_FLAG_CHECKOUT", "off",
            "ROLLGATE_FLAG_BANNER", "on",
            "ROLLGATE_FLAG_RANKING", "no-such-variant");
    FlagSnapshot server =
        FlagSnapshot.parse(DOCUMENT, ParseOptions.defaults().withEnvironment(env));
    FlagSnapshot sdk =
        FlagSnapshot.parse(
            Json.write(KillSwitches.apply(document(), env::get)),
            ParseOptions.defaults().withEnvironment(Map.of()));
    EvaluationContext pro = EvaluationContext.of("u", Map.of("plan", "pro"));
    for (String flag : new String[] {"checkout", "banner", "untouched"}) {
      Resolution expected = server.evaluate(flag, ValueType.ANY, "code-default", pro);
      Resolution actual = sdk.evaluate(flag, ValueType.ANY, "code-default", pro);
      assertThat(actual.value()).as(flag).isEqualTo(expected.value());
      assertThat(actual.reason()).as(flag).isEqualTo(expected.reason());
    }
    // A variant the flag lacks: the server answers an error with the code default; the SDK is told
    // the flag is off, which also gives the code default.
    assertThat(server.evaluate("ranking", ValueType.ANY, "code-default", pro).value())
        .isEqualTo("code-default");
    assertThat(sdk.evaluate("ranking", ValueType.ANY, "code-default", pro).value())
        .isEqualTo("code-default");
    assertThat(sdk.evaluate("banner", ValueType.ANY, false, pro).value()).isEqualTo(true);
  }
}

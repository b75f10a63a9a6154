package dev.rollgate.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonSyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The JsonLogic compiler and evaluator: any targeting rule, inside an otherwise valid flag, either
 * compiles or is refused with the parser's exception, and a rule that compiles evaluates against
 * any context (the input's text after its first new line) without throwing, within a second.
 * Replays TargetingFuzzTestInputs on every test run.
 */
class TargetingFuzzTest {
  @FuzzTest(maxDuration = "30s")
  @DictionaryEntries({
    "{\"if\":[",
    "{\"var\":\"",
    "{\"fractional\":[",
    "{\"sem_ver\":[",
    "{\"starts_with\":[",
    "{\"ends_with\":[",
    "{\"in\":[",
    "{\"==\":[",
    "{\"!=\":[",
    "{\"<\":[",
    "{\">=\":[",
    "{\"and\":[",
    "{\"or\":[",
    "{\"!\":",
    "{\"!!\":",
    "{\"cat\":[",
    "{\"substr\":[",
    "{\"+\":[",
    "{\"%\":[",
    "{\"$ref\":\"",
    "\"$flagd.flagKey\"",
    "\"$flagd.timestamp\"",
    "\"targetingKey\"",
    "\"on\"",
    "\"off\""
  })
  void aRuleCompilesOrIsRefusedAndEvaluatesForAnyContext(byte[] input) throws Exception {
    // The rule, a new line, then the context: seed files stay readable.
    String text = new String(input, StandardCharsets.UTF_8);
    int newline = text.indexOf('\n');
    String rule = newline < 0 ? text : text.substring(0, newline);
    String context = newline < 0 ? "{}" : text.substring(newline + 1);
    Bounded.run(() -> {
      String document =
          "{\"flags\":{\"f\":{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},"
              + "\"defaultVariant\":\"off\",\"targeting\":"
              + rule
              + "}},\"$evaluators\":{\"shared\":{\"in\":[\"@example.com\",{\"var\":\"email\"}]}}}";
      FlagSnapshot snapshot;
      try {
        snapshot = FlagSnapshot.parse(document);
      } catch (InvalidFlagDocumentException | JsonSyntaxException e) {
        assertThat(e.getMessage()).isNotBlank();
        return;
      }
      EvaluationContext ctx = EvaluationContext.empty();
      try {
        if (Json.parse(context) instanceof Map<?, ?> map) {
          @SuppressWarnings("unchecked")
          Map<String, ?> json = (Map<String, ?>) map;
          ctx = EvaluationContext.fromJson(json);
        }
      } catch (IllegalArgumentException notAContext) {
        // not JSON, or not a context: evaluate for nobody in particular
      }
      Resolution r = snapshot.evaluate("f", ValueType.ANY, false, ctx);
      assertThat(r.reason()).isNotNull();
      assertThat(snapshot.explain("f", ValueType.ANY, false, ctx).explanation()).isNotNull();
    });
  }
}

package dev.rollgate.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.json.JsonSyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Any text given as a flag document either compiles or is refused with the parser's own exceptions
 * (listing problems), and every flag of a document that compiles evaluates without throwing, within
 * a second, for a few contexts. Replays the corpus in FlagDocumentFuzzTestInputs on every test run;
 * fuzzes in the verify phase (pom.xml, fuzz-*).
 */
class FlagDocumentFuzzTest {
  private static final EvaluationContext[] CONTEXTS = {
    EvaluationContext.empty(),
    EvaluationContext.of("user-1", Map.of("email", "a@example.com", "age", 42, "version", "1.2.3")),
    EvaluationContext.of("", Map.of("tier", "pro", "tags", java.util.List.of("a", "b"))),
  };

  @FuzzTest(maxDuration = "30s")
  @DictionaryEntries({
    "{\"flags\":{",
    "\"state\":\"ENABLED\"",
    "\"state\":\"DISABLED\"",
    "\"variants\":{",
    "\"defaultVariant\":",
    "\"targeting\":{",
    "\"$evaluators\":{",
    "\"$ref\":",
    "\"if\":[",
    "\"var\":",
    "\"fractional\":[",
    "\"sem_ver\":[",
    "\"starts_with\":[",
    "\"ends_with\":[",
    "\"in\":[",
    "\"==\":[",
    "\"and\":[",
    "\"or\":[",
    "\"!\":",
    "\"$flagd\":",
    "\"metadata\":{"
  })
  void aDocumentCompilesOrIsRefusedAndItsFlagsEvaluate(byte[] input) throws Exception {
    String document = new String(input, StandardCharsets.UTF_8);
    Bounded.run(() -> {
      FlagSnapshot snapshot;
      try {
        snapshot = FlagSnapshot.parse(document);
      } catch (InvalidFlagDocumentException e) {
        assertThat(e.problems()).isNotEmpty();
        return;
      } catch (JsonSyntaxException e) {
        assertThat(e.getMessage()).isNotBlank();
        return;
      }
      for (String key : snapshot.flagKeys()) {
        for (EvaluationContext context : CONTEXTS) {
          Resolution r = snapshot.evaluate(key, ValueType.ANY, "fallback", context);
          assertThat(r.reason()).isNotNull();
          assertThat(snapshot.explain(key, ValueType.ANY, "fallback", context).explanation())
              .isNotNull();
        }
      }
    });
  }
}

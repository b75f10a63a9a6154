package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A context that reads its attributes where they are, one at a time, as targeting asks. */
class EvaluationContextViewTest {
  private static final FlagSnapshot FLAGS =
      FlagSnapshot.parse(
          """
          {"flags": {
            "rule": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
              "targeting": {"if": [{"and": [
                {"==": [{"var": "plan"}, "pro"]},
                {"==": [{"var": "org.tier"}, 2]},
                {"==": [{"var": "targetingKey"}, "u1"]}]}, "on", "off"]}}
          }}
          """,
          ParseOptions.defaults().withEnvironment(Map.of()));

  /** Attributes in a map, recording which ones were read. */
  private static final class Recording implements EvaluationContext.Attributes {
    final Map<String, Object> values = new LinkedHashMap<>();
    final List<String> read = new ArrayList<>();

    @Override
    public Object get(String name) {
      read.add(name);
      return values.get(name);
    }

    @Override
    public Map<String, ?> toMap() {
      return values;
    }
  }

  @Test
  void targetingReadsOnlyWhatItNeeds() {
    Recording attributes = new Recording();
    attributes.values.put("plan", "pro");
    attributes.values.put("org", Map.of("tier", 2L));
    attributes.values.put("unused", "x");
    EvaluationContext context = EvaluationContext.view("u1", attributes);

    assertThat(FLAGS.evaluate("rule", ValueType.BOOLEAN, false, context).value()).isEqualTo(true);
    assertThat(attributes.read).containsExactly("plan", "org"); // the targeting key is not read

    attributes.values.put("plan", "free");
    assertThat(FLAGS.evaluate("rule", ValueType.BOOLEAN, false, context).value()).isEqualTo(false);
  }

  @Test
  void aViewShowsItsAttributesLikeACopy() {
    Recording attributes = new Recording();
    attributes.values.put("targetingKey", "ignored");
    attributes.values.put("plan", "pro");
    EvaluationContext view = EvaluationContext.view("u1", attributes);
    EvaluationContext copy = EvaluationContext.of("u1", attributes.values);

    assertThat(view.get("targetingKey")).isEqualTo("u1");
    assertThat(view.attributes()).isEqualTo(copy.attributes()).isEqualTo(Map.of("plan", "pro"));
    assertThat(view.asMap()).isEqualTo(copy.asMap());
    assertThat(view).hasToString(copy.toString());
  }
}

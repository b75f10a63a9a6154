package dev.rollgate.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One step of an explanation: where in the flag it happened ({@code at}, a path such as {@code
 * targeting.if[0]}), what was evaluated, what came out, and a sentence saying what it meant.
 *
 * @param at path inside the flag definition, or a source such as {@code env} or {@code state}
 * @param expression the JSON of the rule or condition that was evaluated, when there is one
 * @param result what the step produced (a JSON-like value), may be null
 * @param note a sentence for people
 * @param details extra facts (for bucketing: input, hash, bucket, total weight), may be empty
 */
public record ExplanationStep(
    String at, String expression, Object result, String note, Map<String, Object> details) {

  public ExplanationStep {
    details = details == null ? Map.of() : details;
  }

  public static ExplanationStep of(String at, String note) {
    return new ExplanationStep(at, null, null, note, Map.of());
  }

  /** The step as a JSON-like map, leaving out empty fields. */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("at", at);
    if (expression != null) {
      json.put("expression", expression);
    }
    if (result != null) {
      json.put("result", result);
    }
    json.put("note", note);
    if (!details.isEmpty()) {
      json.put("details", details);
    }
    return json;
  }
}

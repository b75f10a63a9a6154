package dev.rollgate.cli;

import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.json.JsonPath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One evaluation asked for in a JSON-lines file: {@code {"flag": KEY, "context": {...}, "type":
 * "boolean", "default": false}}, where only {@code flag} is required.
 *
 * @param line the 1-based line it came from
 * @param extra members other than the request's own (test cases put {@code expect} and {@code name}
 *     there)
 */
record EvaluationRequest(
    int line,
    String flag,
    EvaluationContext context,
    ValueType type,
    Object defaultValue,
    Map<String, Object> extra) {

  private static final Set<String> FIELDS = Set.of("flag", "context", "type", "default");

  Resolution evaluate(FlagSnapshot flags, boolean explain) {
    return explain
        ? flags.explain(flag, type, defaultValue, context)
        : flags.evaluate(flag, type, defaultValue, context);
  }

  /** Context from a JSON object: {@code targetingKey} plus attributes. */
  static EvaluationContext context(Map<String, Object> json, String where) {
    try {
      return EvaluationContext.fromJson(json);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(where + ": " + e.getMessage());
    }
  }

  static ValueType type(String name, String where) {
    try {
      return ValueType.parse(name);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(where + ": " + e.getMessage());
    }
  }

  /**
   * Reads every line of a JSON-lines file before anything is evaluated, so a bad line stops the
   * command before it prints anything. Blank lines are skipped.
   *
   * @param allowed members allowed besides the request's own
   */
  static List<EvaluationRequest> readAll(String text, String file, Set<String> allowed) {
    List<EvaluationRequest> requests = new ArrayList<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.isBlank()) {
        requests.add(parse(line, file + ":" + (i + 1), i + 1, allowed));
      }
    }
    return requests;
  }

  private static EvaluationRequest parse(
      String line, String where, int number, Set<String> allowed) {
    Map<String, Object> json = Inputs.jsonObject(line, where);
    for (String key : json.keySet()) {
      if (!FIELDS.contains(key) && !allowed.contains(key)) {
        throw new UserInputException(where + ": unknown member \"" + key + "\"");
      }
    }
    if (!(json.get("flag") instanceof String flag)) {
      throw new UserInputException(where + ": \"flag\" must be a flag key (a string)");
    }
    Object contextJson = json.getOrDefault("context", Map.of());
    if (!(contextJson instanceof Map<?, ?>)) {
      throw new UserInputException(
          where + ": \"context\" must be a JSON object, not " + JsonPath.typeName(contextJson));
    }
    @SuppressWarnings("unchecked")
    EvaluationContext context = context((Map<String, Object>) contextJson, where);
    Object typeName = json.getOrDefault("type", "any");
    if (!(typeName instanceof String t)) {
      throw new UserInputException(where + ": \"type\" must be a string");
    }
    Map<String, Object> extra = new LinkedHashMap<>(json);
    extra.keySet().removeAll(FIELDS);
    return new EvaluationRequest(number, flag, context, type(t, where), json.get("default"), extra);
  }
}

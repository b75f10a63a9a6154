package dev.rollgate.server.experiments;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.domain.Failure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an experiment compares and how: fixed when it is created.
 *
 * @param variants variant to weight (whole numbers), in order; users split in these proportions
 * @param control the variant the others are compared with
 * @param direction the direction of the primary metric that counts as a win: increase or decrease
 * @param guardrails metric to the direction that is bad
 * @param nStar the sequential tuning sample size
 * @param plannedSampleSize units per variant for a fixed-horizon analysis, or null (sequential)
 */
record ExperimentDefinition(
    Map<String, Long> variants,
    String control,
    String hypothesis,
    String primaryMetric,
    String direction,
    Map<String, String> guardrails,
    double nStar,
    Long plannedSampleSize,
    double alpha) {

  private static final Set<String> DIRECTIONS = Set.of("increase", "decrease");

  /** Checks a definition as the caller wrote it, against the flag's variants and default. */
  static ExperimentDefinition of(
      ExperimentService.Create c, Set<String> flagVariants, String flagDefault) {
    Map<String, Object> rawVariants = c.variants();
    if (rawVariants == null || rawVariants.size() < 2) {
      throw Failure.invalidField(
          "variants", "is required: at least two variants with their weights");
    }
    Map<String, Long> variants = new LinkedHashMap<>();
    long total = 0;
    for (Map.Entry<String, Object> e : rawVariants.entrySet()) {
      String at = JsonPath.member("variants", e.getKey());
      if (!flagVariants.contains(e.getKey())) {
        throw Failure.invalidField(at, "the flag has no variant " + e.getKey());
      }
      if (!(e.getValue() instanceof Number n)
          || n.doubleValue() != Math.rint(n.doubleValue())
          || n.longValue() < 0
          || n.longValue() > 1_000_000) {
        throw Failure.invalidField(at, "a weight is a whole number from 0 to 1000000");
      }
      variants.put(e.getKey(), n.longValue());
      total += n.longValue();
    }
    if (total == 0) {
      throw Failure.invalidField("variants", "the weights are all zero");
    }
    String control = c.control();
    if (control == null) {
      control =
          variants.containsKey(flagDefault) ? flagDefault : variants.keySet().iterator().next();
    } else if (!variants.containsKey(control)) {
      throw Failure.invalidField("control", "must be one of the variants");
    }
    String direction = c.direction();
    if (direction != null && !DIRECTIONS.contains(direction)) {
      throw Failure.invalidField("direction", "must be increase or decrease");
    }
    Map<String, String> guardrails = new LinkedHashMap<>();
    List<ExperimentService.Guardrail> given = c.guardrails() == null ? List.of() : c.guardrails();
    for (int i = 0; i < given.size(); i++) {
      ExperimentService.Guardrail g = given.get(i);
      if (!DIRECTIONS.contains(g.bad())) {
        throw Failure.invalidField(
            JsonPath.member(JsonPath.element("guardrails", i), "bad"),
            "must be increase or decrease");
      }
      guardrails.put(g.metric(), g.bad());
    }
    return new ExperimentDefinition(
        variants,
        control,
        c.hypothesis(),
        c.primaryMetric(),
        direction == null ? "increase" : direction,
        guardrails,
        c.nStar() == null ? 5000 : c.nStar(),
        c.plannedSampleSize(),
        c.alpha() == null ? 0.05 : c.alpha());
  }

  /** The primary metric, then the guardrails. */
  List<String> metrics() {
    List<String> all = new ArrayList<>();
    all.add(primaryMetric);
    guardrails.keySet().stream().filter(m -> !m.equals(primaryMetric)).forEach(all::add);
    return all;
  }

  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("variants", variants);
    json.put("control", control);
    json.put("hypothesis", hypothesis);
    json.put("primaryMetric", primaryMetric);
    json.put("direction", direction);
    List<Map<String, Object>> g = new ArrayList<>();
    guardrails.forEach((metric, bad) -> g.add(Map.of("metric", metric, "bad", bad)));
    json.put("guardrails", g);
    json.put("nStar", nStar);
    json.put("plannedSampleSize", plannedSampleSize);
    json.put("alpha", alpha);
    return json;
  }

  @SuppressWarnings("unchecked")
  static ExperimentDefinition fromJson(Map<String, Object> json) {
    Map<String, Long> variants = new LinkedHashMap<>();
    ((Map<String, Object>) json.get("variants"))
        .forEach((k, v) -> variants.put(k, ((Number) v).longValue()));
    Map<String, String> guardrails = new LinkedHashMap<>();
    for (Object g : (List<Object>) json.get("guardrails")) {
      Map<String, Object> m = (Map<String, Object>) g;
      guardrails.put((String) m.get("metric"), (String) m.get("bad"));
    }
    Object planned = json.get("plannedSampleSize");
    return new ExperimentDefinition(
        variants,
        (String) json.get("control"),
        (String) json.get("hypothesis"),
        (String) json.get("primaryMetric"),
        (String) json.get("direction"),
        guardrails,
        ((Number) json.get("nStar")).doubleValue(),
        planned == null ? null : ((Number) planned).longValue(),
        ((Number) json.get("alpha")).doubleValue());
  }
}

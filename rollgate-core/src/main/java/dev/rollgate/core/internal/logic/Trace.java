package dev.rollgate.core.internal.logic;

import dev.rollgate.core.ExplanationStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Collects the steps of one explained evaluation. Not thread-safe: one per evaluation. */
public final class Trace {
  private final List<ExplanationStep> steps = new ArrayList<>();

  public void step(String at, String expression, Object result, String note) {
    steps.add(new ExplanationStep(at, expression, result, note, Map.of()));
  }

  public void step(
      String at, String expression, Object result, String note, Map<String, Object> details) {
    steps.add(new ExplanationStep(at, expression, result, note, details));
  }

  public List<ExplanationStep> steps() {
    return steps;
  }
}

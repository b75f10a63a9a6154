package dev.rollgate.core.conformance;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import java.nio.file.Path;

/**
 * What the conformance steps evaluate through. By default the engine itself; another module runs
 * the same scenarios through its own API by registering an implementation as a service ({@code
 * META-INF/services/dev.rollgate.core.conformance.ConformanceEvaluator}).
 */
public interface ConformanceEvaluator {
  /** Loads the testkit flag file; called once, before any evaluation. */
  void load(Path testkitFlags) throws Exception;

  Resolution evaluate(String key, ValueType type, Object defaultValue, EvaluationContext context);
}

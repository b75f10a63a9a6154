package dev.rollgate.bench;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Evaluating one flag from a compiled snapshot: a static flag, a flag with a three-condition
 * targeting rule, a fractional split, and a fractional split that requires the targeted flag (its
 * prerequisite) to serve "on" (so its cost is to be compared with the other two together), and what
 * an import from Unleash makes of a gradual rollout and of weighted variants. Contexts rotate over
 * 1,024 users so that nothing is constant-folded. Run as docs/benchmarks.md says.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EvaluationBenchmark {
  private static final String FLAGS =
      """
      {"flags": {
        "static-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "targeted-flag": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"if": [
            {"and": [
              {"in": [{"var": "country"}, ["DE", "FR", "NL"]]},
              {"ends_with": [{"var": "email"}, "@example.com"]},
              {">=": [{"var": "age"}, 18]}
            ]},
            "on", "off"
          ]}
        },
        "fractional-flag": {
          "state": "ENABLED",
          "variants": {"control": "control", "treatment": "treatment"},
          "defaultVariant": "control",
          "targeting": {"fractional": [["control", 50], ["treatment", 50]]}
        },
        "prerequisite-flag": {
          "state": "ENABLED",
          "variants": {"control": "control", "treatment": "treatment"},
          "defaultVariant": "control",
          "prerequisites": [{"flag": "targeted-flag", "variants": ["on"]}],
          "targeting": {"fractional": [["control", 50], ["treatment", 50]]}
        },
        "unleash-rollout": {
          "state": "ENABLED",
          "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"if": [
            {"and": [
              {"unleash_constraint": [{"contextName": "country", "operator": "IN", "values": ["DE", "FR", "NL"]}]},
              {"unleash_rollout": [50, "unleash-rollout", "default"]}
            ]},
            "on", "off"
          ]}
        },
        "unleash-variants": {
          "state": "ENABLED",
          "variants": {
            "disabled": {"name": "disabled", "enabled": false, "feature_enabled": false},
            "a": {"name": "a", "enabled": true, "feature_enabled": true, "payload": {"type": "string", "value": "A"}},
            "b": {"name": "b", "enabled": true, "feature_enabled": true, "payload": {"type": "string", "value": "B"}},
            "c": {"name": "c", "enabled": true, "feature_enabled": true, "payload": {"type": "string", "value": "C"}}
          },
          "defaultVariant": "disabled",
          "targeting": {"unleash_variant": ["unleash-variants", "default", [["a", 333], ["b", 333], ["c", 334]]]}
        }
      }}
      """;

  private static final int USERS = 1024;

  private FlagSnapshot snapshot;
  private EvaluationContext[] contexts;
  private int next;

  @Setup
  public void setUp() {
    snapshot = FlagSnapshot.parse(FLAGS, ParseOptions.defaults().withEnvironment(Map.of()));
    String[] countries = {"DE", "FR", "US", "NL"};
    contexts = new EvaluationContext[USERS];
    for (int i = 0; i < USERS; i++) {
      contexts[i] =
          EvaluationContext.of(
              "user-" + i,
              Map.of(
                  "country", countries[i % countries.length],
                  "email", "user" + i + (i % 3 == 0 ? "@example.org" : "@example.com"),
                  "age", 14 + i % 50));
    }
  }

  private EvaluationContext nextContext() {
    next = (next + 1) & (USERS - 1);
    return contexts[next];
  }

  @Benchmark
  public Resolution staticFlag() {
    return snapshot.evaluate("static-flag", ValueType.BOOLEAN, false, nextContext());
  }

  @Benchmark
  public Resolution targetingRule() {
    return snapshot.evaluate("targeted-flag", ValueType.BOOLEAN, false, nextContext());
  }

  @Benchmark
  public Resolution fractionalSplit() {
    return snapshot.evaluate("fractional-flag", ValueType.STRING, "control", nextContext());
  }

  /** What an import from Unleash makes of a flexibleRollout at 50% with an IN constraint. */
  @Benchmark
  public Resolution unleashRollout() {
    return snapshot.evaluate("unleash-rollout", ValueType.BOOLEAN, false, nextContext());
  }

  /** What an import from Unleash makes of three weighted variants: an object flag. */
  @Benchmark
  public Resolution unleashVariants() {
    return snapshot.evaluate("unleash-variants", ValueType.OBJECT, null, nextContext());
  }

  @Benchmark
  public Resolution prerequisite() {
    return snapshot.evaluate("prerequisite-flag", ValueType.STRING, "control", nextContext());
  }
}

package dev.rollgate.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hot path allocates nothing for static flags, fractional splits, Unleash's bucketing and a
 * rule with {@code in}, {@code ==} and {@code sem_ver}. Allocation is counted by the JVM per
 * thread, so this is deterministic (unlike timing); JMH's gc profiler shows the same
 * (docs/benchmarks.md).
 */
class AllocationTest {

  private static final FlagSnapshot FLAGS =
      FlagSnapshot.parse(
          """
          {"flags": {
            "static": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
            "split": {"state": "ENABLED", "variants": {"a": "A", "b": "B", "c": "C"}, "defaultVariant": "a",
                      "targeting": {"fractional": [["a", 10], ["b", 20], ["c", 70]]}},
            "split-by-tenant": {"state": "ENABLED", "variants": {"a": "A", "b": "B"}, "defaultVariant": "a",
                      "targeting": {"fractional": [{"var": "tenant"}, ["a", 50], ["b", 50]]}},
            "unleash": {"state": "ENABLED", "variants": {"off": "off", "a": "A", "b": "B"}, "defaultVariant": "off",
                      "targeting": {"if": [{"and": [
                          {"unleash_constraint": [{"contextName": "tenant", "operator": "STR_STARTS_WITH", "values": ["tenant-"]}]},
                          {"unleash_rollout": [50, "unleash", "default"]}]},
                        {"unleash_variant": ["unleash", "default", [["a", 1], ["b", 1]]]}, "off"]}},
            "semver-rule": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
                      "targeting": {"if": [{"and": [
                          {"in": [{"var": "country"}, ["DE", "FR", "NL"]]},
                          {"==": [{"var": "plan"}, "pro"]},
                          {"sem_ver": [{"var": "appVersion"}, ">=", "2.1.0"]},
                          {"sem_ver": ["1.0.0-rc.1", "<", {"var": "appVersion"}]},
                          {"sem_ver": [{"var": "appVersion"}, "^", "2.0.0"]}]}, "on", "off"]}}
          }}
          """,
          ParseOptions.defaults().withEnvironment(Map.of()));

  private static long allocatedBy(Runnable work) {
    return Allocations.steadyState(work);
  }

  private static Runnable times(int n, Runnable body) {
    return () -> {
      for (int i = 0; i < n; i++) {
        body.run();
      }
    };
  }

  @Test
  void staticFlagAllocatesNothing() {
    EvaluationContext context = EvaluationContext.of("user-1");
    long bytes =
        allocatedBy(
            times(100_000, () -> FLAGS.evaluate("static", ValueType.BOOLEAN, false, context)));
    assertThat(bytes).as("bytes for 100,000 evaluations").isLessThan(1_000);
  }

  @Test
  void fractionalSplitAllocatesNothing() {
    EvaluationContext[] users = new EvaluationContext[1000];
    for (int i = 0; i < users.length; i++) {
      users[i] = EvaluationContext.of("user-" + i, Map.of("tenant", "tenant-" + (i % 37)));
    }
    long implicit =
        allocatedBy(
            times(
                100,
                () -> {
                  for (EvaluationContext user : users) {
                    FLAGS.evaluate("split", ValueType.STRING, "", user);
                  }
                }));
    long byAttribute =
        allocatedBy(
            times(
                100,
                () -> {
                  for (EvaluationContext user : users) {
                    FLAGS.evaluate("split-by-tenant", ValueType.STRING, "", user);
                  }
                }));
    long unleash =
        allocatedBy(
            times(
                100,
                () -> {
                  for (EvaluationContext user : users) {
                    FLAGS.evaluate("unleash", ValueType.STRING, "", user);
                  }
                }));
    assertThat(implicit).as("bytes for 100,000 evaluations").isLessThan(1_000);
    assertThat(unleash).as("bytes for 100,000 Unleash evaluations").isLessThan(1_000);
    assertThat(byAttribute).as("bytes for 100,000 evaluations").isLessThan(1_000);
  }

  @Test
  void semVerRuleAllocatesNothing() {
    String[] versions = {"2.3.1", "1.9.0", "2.1.0-rc.1", "v2.1.0+build.7", "2.10.0-beta.2", "x"};
    EvaluationContext[] users = new EvaluationContext[1000];
    for (int i = 0; i < users.length; i++) {
      users[i] =
          EvaluationContext.of(
              "user-" + i,
              Map.of(
                  "country",
                  i % 4 == 0 ? "US" : "DE",
                  "plan",
                  "pro",
                  "appVersion",
                  versions[i % versions.length]));
    }
    // Every user but the US ones reaches the sem_ver conditions; 2.3.1 passes them, 1.9.0 not.
    assertThat(FLAGS.evaluate("semver-rule", ValueType.BOOLEAN, false, users[6]).value())
        .isEqualTo(true);
    assertThat(FLAGS.evaluate("semver-rule", ValueType.BOOLEAN, false, users[1]).value())
        .isEqualTo(false);
    long bytes =
        allocatedBy(
            times(
                100,
                () -> {
                  for (EvaluationContext user : users) {
                    FLAGS.evaluate("semver-rule", ValueType.BOOLEAN, false, user);
                  }
                }));
    assertThat(bytes).as("bytes for 100,000 evaluations").isLessThan(1_000);
  }
}

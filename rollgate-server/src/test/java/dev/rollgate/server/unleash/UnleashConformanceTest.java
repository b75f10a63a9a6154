package dev.rollgate.server.unleash;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Unleash's client specification (../shared/conformance/unleash-client-specification), through the
 * import path: each file's {@code state} converted as the server converts it, compiled by the core
 * engine, and every {@code tests} ({@code isEnabled}) and {@code variantTests} ({@code getVariant})
 * assertion of 01-18, 21 and 22 evaluated as an SDK would, with the caller's default false (or the
 * disabled variant). 19 and 20 cover Unleash's delta API, which an import has no use for.
 */
class UnleashConformanceTest {
  private static final List<String> FILES =
      List.of(
          "01-simple-examples.json",
          "02-user-with-id-strategy.json",
          "03-gradual-rollout-user-id-strategy.json",
          "04-gradual-rollout-session-id-strategy.json",
          "05-gradual-rollout-random-strategy.json",
          "06-remote-address-strategy.json",
          "07-multiple-strategies.json",
          "08-variants.json",
          "09-strategy-constraints.json",
          "10-flexible-rollout-strategy.json",
          "11-strategy-constraints-edge-cases.json",
          "12-custom-stickiness.json",
          "13-constraint-operators.json",
          "14-constraint-semver-operators.json",
          "15-global-constraints.json",
          "16-strategy-variants.json",
          "17-dependent-features.json",
          "18-utf8-flag-names.json",
          "21-regex-constraint-operators.json",
          "22-cidr-constraint-operators.json");

  private static final Map<String, Object> DISABLED_VARIANT =
      Map.of("name", "disabled", "enabled", false, "feature_enabled", false);

  static Path specifications() {
    String shared = System.getProperty("rollgate.shared.dir", "../../shared");
    return Path.of(shared, "conformance", "unleash-client-specification", "specifications");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAssertionHolds() throws IOException {
    Path dir = specifications();
    assumeTrue(
        Files.isDirectory(dir),
        "unleash-client-specification not found at "
            + dir.toAbsolutePath().normalize()
            + ": the Unleash conformance suite is skipped");
    int passed = 0;
    int total = 0;
    List<String> failures = new ArrayList<>();
    for (String file : FILES) {
      Map<String, Object> spec =
          (Map<String, Object>) Json.parse(Files.readString(dir.resolve(file)));
      UnleashConversion.Result result = UnleashConversion.convert(spec.get("state"), Map.of());
      assertThat(result.refused()).as(file + ": refused").isEmpty();
      FlagSnapshot flags =
          FlagSnapshot.parse(
              Json.write(result.document()), ParseOptions.defaults().withEnvironment(Map.of()));
      for (Object t : (List<Object>) spec.getOrDefault("tests", List.of())) {
        Map<String, Object> test = (Map<String, Object>) t;
        total++;
        Object expected = test.get("expectedResult");
        Object actual = isEnabled(flags, (String) test.get("toggleName"), context(test));
        if (expected.equals(actual)) {
          passed++;
        } else {
          failures.add(file + ": " + test.get("description") + ": got " + actual);
        }
      }
      for (Object t : (List<Object>) spec.getOrDefault("variantTests", List.of())) {
        Map<String, Object> test = (Map<String, Object>) t;
        total++;
        Object expected = test.get("expectedResult");
        Object actual = variant(flags, (String) test.get("toggleName"), context(test));
        if (expected.equals(actual)) {
          passed++;
        } else {
          failures.add(file + ": " + test.get("description") + ": got " + actual);
        }
      }
    }
    System.out.println("unleash conformance: " + passed + "/" + total);
    assertThat(failures).as("failed assertions").isEmpty();
    // The suite's 279 assertions less the 4 of 19 and 20 (the delta API).
    assertThat(total).as("assertions run").isEqualTo(275);
  }

  /** Unleash's {@code isEnabled}: the boolean value, or an object flag's feature_enabled. */
  private static Object isEnabled(FlagSnapshot flags, String name, EvaluationContext context) {
    Resolution r =
        flags.evaluate(UnleashConversion.keyFor(name), ValueType.ANY, Boolean.FALSE, context);
    return switch (r.value()) {
      case Boolean b -> b;
      case Map<?, ?> m -> m.get("feature_enabled");
      case null, default -> r.value();
    };
  }

  /** Unleash's {@code getVariant}: an object flag's value, or what a boolean flag means. */
  private static Object variant(FlagSnapshot flags, String name, EvaluationContext context) {
    Resolution r =
        flags.evaluate(UnleashConversion.keyFor(name), ValueType.ANY, DISABLED_VARIANT, context);
    if (r.value() instanceof Boolean on) {
      return Map.of("name", "disabled", "enabled", false, "feature_enabled", on);
    }
    return r.value();
  }

  /**
   * An Unleash context as a Rollgate one: its fields and properties as attributes (fields win, as
   * Unleash resolves them).
   */
  @SuppressWarnings("unchecked")
  static EvaluationContext context(Map<String, Object> test) {
    Map<String, Object> unleash = (Map<String, Object>) test.getOrDefault("context", Map.of());
    Map<String, Object> attributes = new LinkedHashMap<>();
    if (unleash.get("properties") instanceof Map<?, ?> properties) {
      properties.forEach((k, v) -> attributes.put((String) k, v));
    }
    unleash.forEach((k, v) -> {
      if (!k.equals("properties")) {
        attributes.put(k, v);
      }
    });
    return EvaluationContext.of(null, attributes);
  }
}

package dev.rollgate.core.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.json.Json;
import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Step definitions for flagd-testbed's evaluator scenarios ("Given an evaluator"), run against
 * Rollgate's engine with the testkit flags loaded the way flagd loads them, or through whatever
 * {@link ConformanceEvaluator} the classpath provides.
 */
public class EvaluatorSteps {
  private static ConformanceEvaluator evaluator;

  private String flagKey;
  private ValueType type;
  private Object fallback;
  private String targetingKey;
  private final Map<String, Object> attributes = new LinkedHashMap<>();
  private Resolution resolution;

  @Given("an evaluator")
  public void anEvaluator() throws Exception {
    if (evaluator == null) {
      ConformanceEvaluator chosen =
          ServiceLoader.load(ConformanceEvaluator.class)
              .findFirst()
              .orElseGet(EngineEvaluator::new);
      chosen.load(FlagdTestbed.flagsFile());
      evaluator = chosen;
    }
  }

  /** The engine itself, on the testkit loaded as flagd loads it. */
  static final class EngineEvaluator implements ConformanceEvaluator {
    private FlagSnapshot snapshot;

    @Override
    public void load(Path testkitFlags) throws IOException {
      snapshot =
          FlagSnapshot.parse(
              Files.readString(testkitFlags),
              ParseOptions.defaults()
                  .withStrictness(ParseOptions.Strictness.FLAGD)
                  .withEnvironment(Map.of()));
    }

    @Override
    public Resolution evaluate(
        String key, ValueType type, Object defaultValue, EvaluationContext context) {
      return snapshot.evaluate(key, type, defaultValue, context);
    }
  }

  @Given("a {word}-flag with key {string} and a fallback value {string}")
  public void aFlag(String typeName, String key, String fallbackText) {
    flagKey = key;
    type = typeOf(typeName);
    fallback = typed(typeName, fallbackText);
  }

  @Given("a context containing a targeting key with value {string}")
  public void targetingKey(String value) {
    targetingKey = value;
  }

  @Given(
      "a context containing a nested property with outer key {string} and inner key {string}, with value {string}")
  public void nestedProperty(String outer, String inner, String value) {
    attributes.put(outer, Map.of(inner, value));
  }

  @Given("a context containing a key {string}, with type {string} and with value {string}")
  public void contextKey(String key, String typeName, String value) {
    attributes.put(key, typed(typeName, value));
  }

  @When("the flag was evaluated with details")
  public void evaluate() {
    resolution =
        evaluator.evaluate(flagKey, type, fallback, EvaluationContext.of(targetingKey, attributes));
  }

  @Then("the resolved details value should be {string}")
  public void valueShouldBe(String expected) {
    Object want = typed(typeName(type), expected);
    assertThat(resolution.value()).as(resolution.toString()).isEqualTo(want);
  }

  @Then("the reason should be {string}")
  public void reasonShouldBe(String expected) {
    assertThat(resolution.reason().name()).as(resolution.toString()).isEqualTo(expected);
  }

  @Then("the error-code should be {string}")
  public void errorCodeShouldBe(String expected) {
    assertThat(resolution.errorCode()).as(resolution.toString()).isNotNull();
    assertThat(resolution.errorCode().name()).isEqualTo(expected);
  }

  @Then("the resolved metadata should contain")
  public void metadataShouldContain(DataTable table) {
    for (Map<String, String> row : table.asMaps()) {
      Object want = typed(row.get("metadata_type"), row.get("value"));
      assertThat(resolution.metadata()).containsEntry(row.get("key"), want);
    }
  }

  @Then("the resolved metadata is empty")
  public void metadataIsEmpty() {
    assertThat(resolution.metadata()).isEmpty();
  }

  private static ValueType typeOf(String name) {
    return switch (name) {
      case "Boolean" -> ValueType.BOOLEAN;
      case "String" -> ValueType.STRING;
      case "Integer" -> ValueType.INTEGER;
      case "Float" -> ValueType.DOUBLE;
      case "Object" -> ValueType.OBJECT;
      default -> throw new IllegalArgumentException("unknown flag type " + name);
    };
  }

  private static String typeName(ValueType type) {
    return switch (type) {
      case BOOLEAN -> "Boolean";
      case INTEGER -> "Integer";
      case DOUBLE -> "Float";
      case OBJECT -> "Object";
      default -> "String";
    };
  }

  private static Object typed(String typeName, String text) {
    return switch (typeName) {
      case "Boolean" -> Boolean.parseBoolean(text);
      case "Integer" -> Long.parseLong(text);
      case "Float" -> Double.parseDouble(text);
      case "Object" -> Json.parse(text);
      default -> text;
    };
  }
}

package dev.rollgate.sdk.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.json.Json;
import dev.rollgate.sdk.RollgateClient;
import io.cucumber.datatable.DataTable;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.cucumber.java.en.When;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * flagd-testbed's evaluator steps, answered by a client that serves the testkit as its bootstrap
 * file (its server is unreachable), through the typed methods an application calls.
 */
public class ClientSteps {
  private static RollgateClient client;

  private String flagKey;
  private String type;
  private Object fallback;
  private String targetingKey;
  private final Map<String, Object> attributes = new LinkedHashMap<>();
  private Resolution resolution;

  @Given("an evaluator")
  public void anEvaluator() {
    if (client == null) {
      Path testkit =
          Path.of(System.getProperty("rollgate.conformance.dir"), "flags", "testkit-flags.json");
      client =
          RollgateClient.builder()
              .baseUrl("http://127.0.0.1:9")
              .sdkToken("conformance")
              .bootstrapFile(testkit)
              .pollInterval(Duration.ofMinutes(10))
              .environment(Map.of())
              .build();
    }
  }

  @Given("a {word}-flag with key {string} and a fallback value {string}")
  public void aFlag(String typeName, String key, String fallbackText) {
    flagKey = key;
    type = typeName;
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
    EvaluationContext context = EvaluationContext.of(targetingKey, attributes);
    resolution =
        switch (type) {
          case "Boolean" -> client.booleanDetails(flagKey, context, (Boolean) fallback);
          case "Integer" -> client.longDetails(flagKey, context, (Long) fallback);
          case "Float" -> client.doubleDetails(flagKey, context, (Double) fallback);
          case "Object" -> client.objectDetails(flagKey, context, fallback);
          default -> client.stringDetails(flagKey, context, (String) fallback);
        };
  }

  @Then("the resolved details value should be {string}")
  public void valueShouldBe(String expected) {
    assertThat(resolution.value()).as(resolution.toString()).isEqualTo(typed(type, expected));
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
      assertThat(resolution.metadata())
          .containsEntry(row.get("key"), typed(row.get("metadata_type"), row.get("value")));
    }
  }

  @Then("the resolved metadata is empty")
  public void metadataIsEmpty() {
    assertThat(resolution.metadata()).isEmpty();
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

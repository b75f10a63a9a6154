package dev.rollgate.sdk.conformance;

import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.conformance.ConformanceEvaluator;
import dev.rollgate.sdk.RollgateClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Answers the conformance scenarios through the client's typed methods, as an application calls
 * them. The client serves the testkit as its bootstrap file; its server is unreachable.
 */
public final class ClientEvaluator implements ConformanceEvaluator {
  private RollgateClient client;

  @Override
  public void load(Path testkitFlags) {
    client =
        RollgateClient.builder()
            .baseUrl("http://127.0.0.1:9")
            .sdkToken("conformance")
            .bootstrapFile(testkitFlags)
            .pollInterval(Duration.ofMinutes(10))
            .events(false)
            .environment(Map.of())
            .build();
  }

  @Override
  public Resolution evaluate(
      String key, ValueType type, Object defaultValue, EvaluationContext context) {
    return switch (type) {
      case BOOLEAN -> client.booleanDetails(key, context, (Boolean) defaultValue);
      case INTEGER -> client.longDetails(key, context, (Long) defaultValue);
      case DOUBLE -> client.doubleDetails(key, context, (Double) defaultValue);
      case OBJECT -> client.objectDetails(key, context, defaultValue);
      default -> client.stringDetails(key, context, (String) defaultValue);
    };
  }
}

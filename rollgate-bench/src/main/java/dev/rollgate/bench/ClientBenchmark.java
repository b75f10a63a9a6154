package dev.rollgate.bench;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import dev.rollgate.core.EvaluationContext;
import dev.rollgate.openfeature.RollgateProvider;
import dev.rollgate.sdk.RollgateClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Evaluation through the SDK's client API and through OpenFeature with the Rollgate provider, on
 * the same static flag as {@link EvaluationBenchmark#staticFlag} and a targeting rule. The client
 * serves a bootstrap file (its server is unreachable), which is the same in-memory path as a
 * streamed snapshot.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ClientBenchmark {
  private static final String FLAGS =
      """
      {"flags": {
        "static-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "targeted-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"if": [{"==": [{"var": "plan"}, "pro"]}, "on", "off"]}}
      }}
      """;

  private RollgateClient rollgate;
  private Client openFeature;
  private EvaluationContext context;
  private ImmutableContext openFeatureContext;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    Path bootstrap = Files.createTempFile("rollgate-bench", ".json");
    Files.writeString(bootstrap, FLAGS);
    rollgate =
        RollgateClient.builder()
            .baseUrl("http://127.0.0.1:9") // nothing listens: the bootstrap file is served
            .sdkToken("bench")
            .bootstrapFile(bootstrap)
            .pollInterval(Duration.ofMinutes(10))
            .environment(Map.of())
            .build();
    context = EvaluationContext.of("user-1", Map.of("plan", "pro"));
    OpenFeatureAPI.getInstance()
        .setProviderAndWait("bench", new RollgateProvider(rollgate, Duration.ofMillis(100)));
    openFeature = OpenFeatureAPI.getInstance().getClient("bench");
    openFeatureContext = new ImmutableContext("user-1", Map.of("plan", new Value("pro")));
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    OpenFeatureAPI.getInstance().shutdown();
  }

  @Benchmark
  public boolean clientStaticFlag() {
    return rollgate.booleanValue("static-flag", context, false);
  }

  @Benchmark
  public boolean clientTargetingRule() {
    return rollgate.booleanValue("targeted-flag", context, false);
  }

  @Benchmark
  public boolean openFeatureStaticFlag() {
    return openFeature.getBooleanValue("static-flag", false, openFeatureContext);
  }

  @Benchmark
  public boolean openFeatureTargetingRule() {
    return openFeature.getBooleanValue("targeted-flag", false, openFeatureContext);
  }
}

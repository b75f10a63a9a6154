package dev.rollgate.bench;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.FeatureProvider;
import dev.openfeature.sdk.Hook;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.Metadata;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Value;
import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.openfeature.RollgateProvider;
import dev.rollgate.sdk.RollgateClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * One evaluation through the core snapshot, the SDK's client and OpenFeature (SDK 1.22) with {@link
 * RollgateProvider}, on three shapes: a static flag, a three-condition rule ({@code in}, {@code
 * ==}, {@code sem_ver}) and a 25% fractional split. {@code openFeatureNoOp} is the OpenFeature
 * SDK's own cost: the same call with a provider that returns one prepared answer, the floor any
 * provider sits on. The client serves a bootstrap file (its server is unreachable), the same
 * in-memory path as a streamed snapshot. Contexts rotate over 1,024 users, as in {@link
 * EvaluationBenchmark}.
 */
@State(Scope.Thread)
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
        "semver-rule": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"if": [{"and": [
            {"in": [{"var": "country"}, ["DE", "FR", "NL"]]},
            {"==": [{"var": "plan"}, "pro"]},
            {"sem_ver": [{"var": "appVersion"}, ">=", "2.1.0"]}
          ]}, "on", "off"]}},
        "fractional-flag": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"fractional": [["on", 25], ["off", 75]]}}
      }}
      """;
  private static final int USERS = 1024;
  private static final String OPEN_FEATURE_DOMAIN = "bench-rollgate";
  private static final String NO_OP_DOMAIN = "bench-no-op";

  private FlagSnapshot snapshot;
  private RollgateClient rollgate;
  private Client openFeature;
  private Client noOp;
  private EvaluationContext[] contexts;
  private ImmutableContext[] openFeatureContexts;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    snapshot =
        FlagSnapshot.parse(
            FLAGS,
            ParseOptions.defaults()
                .withStrictness(ParseOptions.Strictness.FLAGD)
                .withEnvironment(Map.of()));
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
    String[] countries = {"DE", "FR", "US", "NL"};
    String[] versions = {"2.3.1", "1.9.0", "2.1.0-rc.1", "v3.0.0"};
    contexts = new EvaluationContext[USERS];
    openFeatureContexts = new ImmutableContext[USERS];
    for (int i = 0; i < USERS; i++) {
      String user = "user-" + i;
      String country = countries[i % countries.length];
      String plan = i % 3 == 0 ? "free" : "pro";
      String version = versions[i / 4 % versions.length];
      contexts[i] =
          EvaluationContext.of(
              user, Map.of("country", country, "plan", plan, "appVersion", version));
      openFeatureContexts[i] =
          new ImmutableContext(
              user,
              Map.of(
                  "country", new Value(country),
                  "plan", new Value(plan),
                  "appVersion", new Value(version)));
    }
    OpenFeatureAPI api = OpenFeatureAPI.getInstance();
    api.setProviderAndWait(
        OPEN_FEATURE_DOMAIN, new RollgateProvider(rollgate, Duration.ofMillis(100)));
    api.setProviderAndWait(NO_OP_DOMAIN, new PreparedAnswerProvider());
    openFeature = api.getClient(OPEN_FEATURE_DOMAIN);
    noOp = api.getClient(NO_OP_DOMAIN);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    OpenFeatureAPI.getInstance().shutdown();
  }

  private int nextUser() {
    next = (next + 1) & (USERS - 1);
    return next;
  }

  @Benchmark
  public Resolution coreStaticFlag() {
    return snapshot.evaluate("static-flag", ValueType.BOOLEAN, false, contexts[nextUser()]);
  }

  @Benchmark
  public Resolution coreSemVerRule() {
    return snapshot.evaluate("semver-rule", ValueType.BOOLEAN, false, contexts[nextUser()]);
  }

  @Benchmark
  public Resolution coreFractional() {
    return snapshot.evaluate("fractional-flag", ValueType.BOOLEAN, false, contexts[nextUser()]);
  }

  @Benchmark
  public boolean clientStaticFlag() {
    return rollgate.booleanValue("static-flag", contexts[nextUser()], false);
  }

  @Benchmark
  public boolean clientSemVerRule() {
    return rollgate.booleanValue("semver-rule", contexts[nextUser()], false);
  }

  @Benchmark
  public boolean clientFractional() {
    return rollgate.booleanValue("fractional-flag", contexts[nextUser()], false);
  }

  @Benchmark
  public boolean openFeatureStaticFlag() {
    return openFeature.getBooleanValue("static-flag", false, openFeatureContexts[nextUser()]);
  }

  @Benchmark
  public boolean openFeatureSemVerRule() {
    return openFeature.getBooleanValue("semver-rule", false, openFeatureContexts[nextUser()]);
  }

  @Benchmark
  public boolean openFeatureFractional() {
    return openFeature.getBooleanValue("fractional-flag", false, openFeatureContexts[nextUser()]);
  }

  /** The OpenFeature SDK alone: what any provider's evaluation costs at least. */
  @Benchmark
  public boolean openFeatureNoOp() {
    return noOp.getBooleanValue("static-flag", false, openFeatureContexts[nextUser()]);
  }

  /** A provider that does nothing: one prepared answer for every flag, no hooks. */
  static final class PreparedAnswerProvider implements FeatureProvider {
    private static final ProviderEvaluation<Boolean> TRUE =
        ProviderEvaluation.<Boolean>builder().value(true).variant("on").reason("STATIC").build();

    @Override
    public Metadata getMetadata() {
      return () -> "prepared-answer";
    }

    @Override
    @SuppressWarnings("rawtypes") // the SDK's signature
    public List<Hook> getProviderHooks() {
      return List.of();
    }

    @Override
    public ProviderEvaluation<Boolean> getBooleanEvaluation(
        String key, Boolean defaultValue, dev.openfeature.sdk.EvaluationContext ctx) {
      return TRUE;
    }

    @Override
    public ProviderEvaluation<String> getStringEvaluation(
        String key, String defaultValue, dev.openfeature.sdk.EvaluationContext ctx) {
      throw new UnsupportedOperationException("booleans only");
    }

    @Override
    public ProviderEvaluation<Integer> getIntegerEvaluation(
        String key, Integer defaultValue, dev.openfeature.sdk.EvaluationContext ctx) {
      throw new UnsupportedOperationException("booleans only");
    }

    @Override
    public ProviderEvaluation<Double> getDoubleEvaluation(
        String key, Double defaultValue, dev.openfeature.sdk.EvaluationContext ctx) {
      throw new UnsupportedOperationException("booleans only");
    }

    @Override
    public ProviderEvaluation<Value> getObjectEvaluation(
        String key, Value defaultValue, dev.openfeature.sdk.EvaluationContext ctx) {
      throw new UnsupportedOperationException("booleans only");
    }
  }
}

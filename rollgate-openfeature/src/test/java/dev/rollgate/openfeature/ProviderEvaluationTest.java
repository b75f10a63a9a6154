package dev.rollgate.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.EvaluationContext;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.ImmutableStructure;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvaluation;
import dev.openfeature.sdk.Value;
import dev.rollgate.core.Allocations;
import dev.rollgate.sdk.RollgateClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the provider makes of OpenFeature's context and what it answers, on a client serving a
 * bootstrap file: every kind of attribute reaches targeting, answers for served variants are shared
 * (and cannot be changed), and evaluating allocates only the context view.
 */
class ProviderEvaluationTest {
  private static final String FLAGS =
      """
      {"flags": {
        "static": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
        "attributes": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"if": [{"and": [
            {"==": [{"var": "targetingKey"}, "u1"]},
            {"==": [{"var": "plan"}, "pro"]},
            {"===": [{"var": "seats"}, 1000]},
            {">": [{"var": "ratio"}, 0.5]},
            {"===": [{"var": "beta"}, true]},
            {"==": [{"var": "org.tier"}, 2]},
            {"in": ["eu", {"var": "regions"}]},
            {"sem_ver": [{"var": "appVersion"}, ">=", "2.1.0"]}]}, "on", "off"]}},
        "rule": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"if": [{"and": [
            {"==": [{"var": "plan"}, "pro"]},
            {"sem_ver": [{"var": "appVersion"}, ">=", "2.1.0"]}]}, "on", "off"]}},
        "split": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "off",
          "targeting": {"fractional": [["on", 50], ["off", 50]]}},
        "limit": {"state": "ENABLED", "variants": {"n": 42}, "defaultVariant": "n"},
        "theme": {"state": "ENABLED", "variants": {"dark": {"bg": "#000", "sizes": [1, 2]}}, "defaultVariant": "dark"},
        "off-flag": {"state": "DISABLED", "variants": {"on": true}, "defaultVariant": "on"}
      }}
      """;
  private static final String DOMAIN = "provider-evaluation-test";

  @TempDir static Path dir;
  private static RollgateClient rollgate;
  private static RollgateProvider provider;
  private static Client client;

  @BeforeAll
  static void start() throws Exception {
    Path bootstrap = dir.resolve("flags.json");
    Files.writeString(bootstrap, FLAGS);
    rollgate =
        RollgateClient.builder()
            .baseUrl("http://127.0.0.1:9") // nothing listens: the bootstrap file is served
            .sdkToken("test")
            .bootstrapFile(bootstrap)
            .pollInterval(Duration.ofMinutes(10))
            .environment(Map.of())
            .build();
    provider = new RollgateProvider(rollgate, Duration.ofMillis(50));
    OpenFeatureAPI.getInstance().setProviderAndWait(DOMAIN, provider);
    client = OpenFeatureAPI.getInstance().getClient(DOMAIN);
  }

  @AfterAll
  static void stop() {
    OpenFeatureAPI.getInstance().shutdown();
  }

  private static ImmutableContext user(String key, String plan) {
    return new ImmutableContext(
        key,
        Map.of(
            "plan", new Value(plan),
            "seats", new Value(1000),
            "ratio", new Value(0.75),
            "beta", new Value(true),
            "org", new Value(new ImmutableStructure(Map.of("tier", new Value(2)))),
            "regions", new Value(List.of(new Value("us"), new Value("eu"))),
            "appVersion", new Value("v2.3.0")));
  }

  @Test
  void everyKindOfAttributeReachesTargeting() {
    FlagEvaluationDetails<Boolean> pro =
        client.getBooleanDetails("attributes", false, user("u1", "pro"));
    assertThat(pro.getValue()).isTrue();
    assertThat(pro.getReason()).isEqualTo("TARGETING_MATCH");
    assertThat(client.getBooleanValue("attributes", true, user("u1", "free"))).isFalse();
    assertThat(client.getBooleanValue("attributes", true, user("u2", "pro"))).isFalse();
  }

  @Test
  void theClientAndApiContextsCountAsOpenFeatureMergesThem() {
    Client layered = OpenFeatureAPI.getInstance().getClient(DOMAIN);
    layered.setEvaluationContext(user("u1", "free"));
    // The invocation's plan wins over the client's; the rest comes from the client's context.
    assertThat(
            layered.getBooleanValue(
                "attributes", false, new ImmutableContext(Map.of("plan", new Value("pro")))))
        .isTrue();
  }

  @Test
  void anEmptyTargetingKeyIsNone() {
    FlagEvaluationDetails<Boolean> split =
        client.getBooleanDetails("split", true, new ImmutableContext(""));
    assertThat(split.getReason()).isEqualTo("DEFAULT"); // fractional has nothing to bucket by
    assertThat(client.getBooleanDetails("split", true, new ImmutableContext("u1")).getReason())
        .isEqualTo("SPLIT");
  }

  @Test
  void servedVariantsShareOneAnswerPerFlagVariantAndType() {
    ImmutableContext u1 = new ImmutableContext("u1");
    ProviderEvaluation<Boolean> first = provider.getBooleanEvaluation("static", false, u1);
    assertThat(provider.getBooleanEvaluation("static", false, new ImmutableContext("u2")))
        .isSameAs(first);
    assertThat(first.getValue()).isTrue();
    assertThat(first.getVariant()).isEqualTo("on");
    assertThat(first.getReason()).isEqualTo("STATIC");

    // The integer and long answers come from one resolution and stay apart.
    assertThat(provider.getIntegerEvaluation("limit", 0, u1).getValue()).isEqualTo(42);
    assertThat(provider.getLongEvaluation("limit", 0L, u1).getValue()).isEqualTo(42L);
    assertThat(provider.getIntegerEvaluation("limit", 0, u1).getValue()).isEqualTo(42);
    assertThat(provider.getDoubleEvaluation("limit", 0.0, u1).getValue()).isEqualTo(42.0);

    // The caller's default is served anew each time: it is the caller's.
    ProviderEvaluation<Boolean> disabled = provider.getBooleanEvaluation("off-flag", false, u1);
    assertThat(disabled.getValue()).isFalse();
    assertThat(provider.getBooleanEvaluation("off-flag", true, u1).getValue()).isTrue();
  }

  @Test
  void aSharedObjectAnswerCannotBeChanged() {
    Value theme = client.getObjectValue("theme", new Value(), new ImmutableContext("u1"));
    assertThat(theme.asStructure().getValue("bg").asString()).isEqualTo("#000");
    theme.asStructure().asMap().put("bg", new Value("#fff")); // a copy: the answer stays
    assertThat(client.getObjectValue("theme", new Value(), new ImmutableContext("u2")))
        .isSameAs(theme);
    assertThat(theme.asStructure().getValue("bg").asString()).isEqualTo("#000");
    List<Value> sizes = theme.asStructure().getValue("sizes").asList();
    assertThat(sizes).extracting(Value::asInteger).containsExactly(1, 2);
    sizes.clear(); // OpenFeature hands out a copy, whatever the answer holds
    assertThat(theme.asStructure().getValue("sizes").asList()).hasSize(2);
  }

  /**
   * The provider's own cost: the context view (two small objects, 40 bytes), no maps, no answer.
   * The context is one that allocates nothing itself (OpenFeature's {@code ImmutableContext} copies
   * each value it is asked for; the SDK hands providers a context that does not copy the key).
   */
  @Test
  void evaluatingAllocatesOnlyTheContextView() {
    PlainContext[] users = new PlainContext[1000];
    String[] versions = {"2.3.1", "1.9.0", "2.1.0-rc.1", "v3.0.0"};
    for (int i = 0; i < users.length; i++) {
      users[i] =
          new PlainContext(
              "user-" + i,
              Map.of(
                  "plan", new Value(i % 2 == 0 ? "pro" : "free"),
                  "appVersion", new Value(versions[i / 2 % versions.length])));
    }
    assertThat(provider.getBooleanEvaluation("rule", false, users[0]).getValue()).isTrue();
    assertThat(provider.getBooleanEvaluation("rule", true, users[2]).getValue()).isFalse();
    for (String flag : new String[] {"static", "rule", "split"}) {
      long bytes =
          Allocations.steadyState(() -> {
            for (int round = 0; round < 100; round++) {
              for (PlainContext user : users) {
                provider.getBooleanEvaluation(flag, false, user);
              }
            }
          });
      assertThat(bytes / 100_000.0).as("bytes per evaluation of %s", flag).isLessThanOrEqualTo(40);
    }
  }

  /** An OpenFeature context over a map that hands out its values as they are. */
  private record PlainContext(String targetingKey, Map<String, Value> values)
      implements EvaluationContext {
    @Override
    public String getTargetingKey() {
      return targetingKey;
    }

    @Override
    public Value getValue(String key) {
      return values.get(key);
    }

    @Override
    public Set<String> keySet() {
      return values.keySet();
    }

    @Override
    public boolean isEmpty() {
      return values.isEmpty();
    }

    @Override
    public Map<String, Value> asMap() {
      return new HashMap<>(values);
    }

    @Override
    public Map<String, Value> asUnmodifiableMap() {
      return values;
    }

    @Override
    public Map<String, Object> asObjectMap() {
      throw new UnsupportedOperationException("the provider must not copy the context");
    }

    @Override
    public EvaluationContext merge(EvaluationContext overriding) {
      throw new UnsupportedOperationException("not merged here");
    }
  }
}

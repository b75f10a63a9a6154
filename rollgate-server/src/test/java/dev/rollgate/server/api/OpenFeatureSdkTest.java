package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.openfeature.contrib.providers.ofrep.OfrepProvider;
import dev.openfeature.contrib.providers.ofrep.OfrepProviderOptions;
import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.Value;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The official OpenFeature Java SDK with its OFREP provider, against a running Rollgate server. */
class OpenFeatureSdkTest extends ServerTestBase {

  @Test
  void everyFlagTypeEvaluatesThroughTheOpenFeatureSdk() {
    admin.post(P + "/flags", checkoutFlag());
    for (var flag :
        List.<Map<String, Object>>of(
            Map.of(
                "key",
                "banner",
                "variants",
                Map.of("a", "Hello", "b", "Hi"),
                "defaultVariant",
                "b"),
            Map.of(
                "key",
                "limit",
                "variants",
                Map.of("low", 10, "high", 1000),
                "defaultVariant",
                "high"),
            Map.of(
                "key",
                "ratio",
                "variants",
                Map.of("low", 0.25, "high", 0.75),
                "defaultVariant",
                "high"),
            Map.of(
                "key",
                "theme",
                "variants",
                Map.of("dark", Map.of("bg", "#000")),
                "defaultVariant",
                "dark"))) {
      var body = new java.util.HashMap<>(flag);
      body.put("environments", Map.of("production", Map.of("state", "ENABLED")));
      assertThat(admin.post(P + "/flags", body).status()).isEqualTo(201);
    }
    String secret = token("sdk");

    OpenFeatureAPI api = OpenFeatureAPI.getInstance();
    OfrepProvider provider =
        OfrepProvider.constructProvider(
            OfrepProviderOptions.builder()
                .baseUrl(admin.base())
                .headers(ImmutableMap.of("Authorization", ImmutableList.of("Bearer " + secret)))
                .build());
    api.setProviderAndWait("rollgate-" + store, provider);
    Client client = api.getClient("rollgate-" + store);
    try {
      var pro = new ImmutableContext("user-1", Map.of("plan", new Value("pro")));
      FlagEvaluationDetails<Boolean> checkout =
          client.getBooleanDetails("new-checkout", false, pro);
      assertThat(checkout.getValue()).isTrue();
      assertThat(checkout.getVariant()).isEqualTo("on");
      assertThat(checkout.getReason()).isEqualTo("TARGETING_MATCH");
      assertThat(client.getBooleanValue("new-checkout", true, new ImmutableContext("user-2")))
          .isFalse();
      assertThat(client.getStringValue("banner", "x", pro)).isEqualTo("Hi");
      assertThat(client.getIntegerValue("limit", 0, pro)).isEqualTo(1000);
      assertThat(client.getDoubleValue("ratio", 0.0, pro)).isEqualTo(0.75);
      assertThat(
              client
                  .getObjectValue("theme", new Value(), pro)
                  .asStructure()
                  .getValue("bg")
                  .asString())
          .isEqualTo("#000");

      FlagEvaluationDetails<String> missing = client.getStringDetails("nope", "fallback", pro);
      assertThat(missing.getValue()).isEqualTo("fallback");
      assertThat(missing.getErrorCode()).isEqualTo(ErrorCode.FLAG_NOT_FOUND);

      admin.patch(P + "/flags/banner/environments/production", Map.of("state", "DISABLED"));
      assertThat(client.getStringValue("banner", "code default", pro)).isEqualTo("code default");
    } finally {
      provider.shutdown();
    }
  }
}

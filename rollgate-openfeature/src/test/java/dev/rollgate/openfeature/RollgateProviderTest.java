package dev.rollgate.openfeature;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.Client;
import dev.openfeature.sdk.ErrorCode;
import dev.openfeature.sdk.FlagEvaluationDetails;
import dev.openfeature.sdk.ImmutableContext;
import dev.openfeature.sdk.MutableTrackingEventDetails;
import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderEvent;
import dev.openfeature.sdk.Value;
import dev.rollgate.sdk.RollgateClient;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The OpenFeature Java SDK with the Rollgate provider, against a real server. */
class RollgateProviderTest {

  @Test
  void evaluatesEveryTypeInProcessAndForwardsEvents() throws Exception {
    TestServer server = TestServer.start(StoreKind.SQLITE);
    try {
      ApiClient admin = server.admin();
      admin.post(TestFlags.FLAGS, TestFlags.checkout());
      admin.post(
          TestFlags.FLAGS, TestFlags.enabled("banner", Map.of("a", "Hello", "b", "Hi"), "a"));
      admin.post(TestFlags.FLAGS, TestFlags.enabled("limit", Map.of("n", 42), "n"));
      admin.post(TestFlags.FLAGS, TestFlags.enabled("ratio", Map.of("r", 0.5), "r"));
      admin.post(
          TestFlags.FLAGS,
          TestFlags.enabled("theme", Map.of("dark", Map.of("bg", "#000")), "dark"));
      String token = server.sdkToken();

      RollgateClient rollgate =
          RollgateClient.builder()
              .baseUrl(admin.base())
              .sdkToken(token)
              .pollInterval(Duration.ofMillis(200))
              .environment(Map.of())
              .build();
      OpenFeatureAPI api = OpenFeatureAPI.getInstance();
      api.setProviderAndWait("rollgate-provider-test", new RollgateProvider(rollgate));
      Client client = api.getClient("rollgate-provider-test");
      List<List<String>> changes = new CopyOnWriteArrayList<>();
      List<ProviderEvent> events = new CopyOnWriteArrayList<>();
      client.onProviderConfigurationChanged(e -> changes.add(e.getFlagsChanged()));
      client.onProviderStale(e -> events.add(ProviderEvent.PROVIDER_STALE));

      var pro = new ImmutableContext("u1", Map.of("plan", new Value("pro")));
      FlagEvaluationDetails<Boolean> checkout =
          client.getBooleanDetails("new-checkout", false, pro);
      assertThat(checkout.getValue()).isTrue();
      assertThat(checkout.getVariant()).isEqualTo("on");
      assertThat(checkout.getReason()).isEqualTo("TARGETING_MATCH");
      assertThat(client.getBooleanValue("new-checkout", true, new ImmutableContext("u2")))
          .isFalse();
      assertThat(client.getStringValue("banner", "x", pro)).isEqualTo("Hello");
      assertThat(client.getIntegerValue("limit", 0, pro)).isEqualTo(42);
      assertThat(client.getDoubleValue("ratio", 0.0, pro)).isEqualTo(0.5);
      assertThat(
              client
                  .getObjectValue("theme", new Value(), pro)
                  .asStructure()
                  .getValue("bg")
                  .asString())
          .isEqualTo("#000");
      assertThat(client.getStringDetails("nope", "fallback", pro).getErrorCode())
          .isEqualTo(ErrorCode.FLAG_NOT_FOUND);
      assertThat(client.getIntegerDetails("banner", 3, pro).getErrorCode())
          .isEqualTo(ErrorCode.TYPE_MISMATCH);

      admin.patch(
          TestFlags.FLAGS + "/banner/environments/production", Map.of("defaultVariant", "b"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (changes.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(changes).contains(List.of("banner"));
      assertThat(client.getStringValue("banner", "x", pro)).isEqualTo("Hi");

      client.track("purchase", pro, new MutableTrackingEventDetails(9.99));
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (rollgate.sentEvents() < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20); // the exposures and the track event go out within the flush interval
      }
      assertThat(rollgate.sentEvents()).isGreaterThanOrEqualTo(3);

      server.stop();
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (events.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(events).contains(ProviderEvent.PROVIDER_STALE);
      assertThat(client.getStringValue("banner", "x", pro)).isEqualTo("Hi"); // still served
      api.shutdown();
    } finally {
      server.close();
    }
  }
}

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
import dev.rollgate.core.json.Json;
import dev.rollgate.sdk.RollgateClient;
import dev.rollgate.server.RollgateServer;
import dev.rollgate.server.ServerConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The OpenFeature Java SDK with the Rollgate provider, against a real server. */
class RollgateProviderTest {
  private static final String ADMIN = "provider-test-admin";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static String send(int port, String method, String path, Object body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
    return r.body();
  }

  @Test
  void evaluatesEveryTypeInProcessAndForwardsEvents() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Map<String, String> env =
        Map.of(
            "ROLLGATE_PORT",
            String.valueOf(port),
            "ROLLGATE_DATA_DIR",
            dir.toString(),
            "ROLLGATE_ADMIN_TOKEN",
            ADMIN,
            "ROLLGATE_RATE_LIMIT_WRITES",
            "0");
    RollgateServer server =
        RollgateServer.start(ServerConfig.fromEnvironment(env), env, Clock.systemUTC());
    try {
      String flags = "/api/v1/projects/default/flags";
      Map<String, Object> enabled = Map.of("production", Map.of("state", "ENABLED"));
      send(
          port,
          "POST",
          flags,
          Map.of(
              "key",
              "new-checkout",
              "variants",
              Map.of("on", true, "off", false),
              "defaultVariant",
              "off",
              "environments",
              Map.of(
                  "production",
                  Map.of(
                      "state",
                      "ENABLED",
                      "targeting",
                      Map.of(
                          "if",
                          List.of(Map.of("==", List.of(Map.of("var", "plan"), "pro")), "on"))))));
      send(
          port,
          "POST",
          flags,
          Map.of(
              "key",
              "banner",
              "variants",
              Map.of("a", "Hello", "b", "Hi"),
              "defaultVariant",
              "a",
              "environments",
              enabled));
      send(
          port,
          "POST",
          flags,
          Map.of("key", "limit", "variants", Map.of("n", 42), "environments", enabled));
      send(
          port,
          "POST",
          flags,
          Map.of("key", "ratio", "variants", Map.of("r", 0.5), "environments", enabled));
      send(
          port,
          "POST",
          flags,
          Map.of(
              "key",
              "theme",
              "variants",
              Map.of("dark", Map.of("bg", "#000")),
              "environments",
              enabled));
      String token =
          (String)
              ((Map<?, ?>)
                      Json.parse(
                          send(
                              port,
                              "POST",
                              "/api/v1/tokens",
                              Map.of(
                                  "name",
                                  "svc",
                                  "role",
                                  "sdk",
                                  "project",
                                  "default",
                                  "environment",
                                  "production"))))
                  .get("secret");

      RollgateClient rollgate =
          RollgateClient.builder()
              .baseUrl("http://127.0.0.1:" + port)
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

      send(port, "PATCH", flags + "/banner/environments/production", Map.of("defaultVariant", "b"));
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

      server.close();
      server = null;
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (events.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(events).contains(ProviderEvent.PROVIDER_STALE);
      assertThat(client.getStringValue("banner", "x", pro)).isEqualTo("Hi"); // still served
      api.shutdown();
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }
}

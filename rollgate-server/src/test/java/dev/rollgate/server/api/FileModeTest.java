package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.ApiClient.Response;
import dev.rollgate.server.testing.SseListener;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File mode: flagd files served by a real server on both stores, the admin API read-only, a saved
 * change streamed to SDKs, a broken edit kept out with a warning in {@code /ready}.
 */
@SuppressWarnings("unchecked") // JSON read back as maps
class FileModeTest extends ServerTestBase {
  private static final String BASE =
      """
      {"flags": {
        "banner": {"state": "ENABLED", "variants": {"a": "Hello", "b": "Hi"}, "defaultVariant": "a"},
        "new-checkout": {"state": "ENABLED", "variants": {"on": true, "off": false},
          "defaultVariant": "off",
          "targeting": {"if": [{"$ref": "pro"}, "on"]}}},
       "$evaluators": {"pro": {"==": [{"var": "plan"}, "pro"]}}}
      """;
  private static final String OVERRIDES =
      """
      {"flags": {"banner": {"state": "ENABLED", "variants": {"a": "Hello", "b": "Hi"},
        "defaultVariant": "b"}}}
      """;

  @TempDir Path dir;

  private Path base() {
    return dir.resolve("flags.json");
  }

  private Path overrides() {
    return dir.resolve("overrides.json");
  }

  @Override
  Map<String, String> environment() {
    write(base(), BASE);
    write(overrides(), "{\"flags\": {}}");
    return Map.of(
        "ROLLGATE_FLAGS",
        base() + File.pathSeparator + overrides(),
        "ROLLGATE_FLAGS_WATCH",
        "true");
  }

  /** Writes a file as editors save it: a new file moved over the old one. */
  private static void write(Path file, String text) {
    try {
      Path next = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(next, text);
      Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Object value(ApiClient sdk, String flag, Map<String, Object> context) {
    Response r = sdk.post("/ofrep/v1/evaluate/flags/" + flag, Map.of("context", context));
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return r.object().get("value");
  }

  /** Waits (bounded) for what the watcher does within its quarter-second polls. */
  private static <T> T eventually(Supplier<T> read, java.util.function.Predicate<T> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    T seen = read.get();
    while (!done.test(seen) && System.nanoTime() < deadline) {
      Thread.sleep(25);
      seen = read.get();
    }
    return seen;
  }

  @Test
  void theFilesAreServedInEveryEnvironmentAndTheAdminApiIsReadOnly() {
    ApiClient sdk = server.as(server.sdkToken()); // tokens are not flags: still made by the API
    assertThat(value(sdk, "banner", Map.of())).isEqualTo("Hello");
    assertThat(value(sdk, "new-checkout", Map.of("targetingKey", "u1", "plan", "pro")))
        .isEqualTo(true);
    assertThat(admin.get(P + "/flags/banner/environments/staging").object())
        .containsEntry("defaultVariant", "a");

    for (Response refused :
        List.of(
            admin.post(P + "/flags", Map.of("key", "x", "variants", Map.of("on", true))),
            admin.patch(P + "/flags/banner/environments/production", Map.of("defaultVariant", "b")),
            admin.delete(P + "/flags/banner"),
            admin.post("/api/v1/projects", Map.of("key", "other")),
            admin.send("PUT", P + "/environments/production/flagd", Map.of("flags", Map.of())))) {
      assertThat(refused.status()).as(refused.text()).isEqualTo(403);
      assertThat(refused.object())
          .containsEntry("code", "read_only")
          .containsKeys("message", "requestId");
    }
    assertThat(admin.get(P + "/flags/banner/environments/production").object())
        .containsEntry("defaultVariant", "a");
    // Reading and explaining still work.
    assertThat(admin.post(P + "/environments/production/flags/banner/explain", Map.of()).status())
        .isEqualTo(200);
    Response audit = admin.get("/api/v1/audit?resource=projects/default/flags/banner");
    assertThat(audit.text()).contains("flag files");
  }

  @Test
  void aSavedChangeReachesStreamClientsAndLaterFilesWin() throws Exception {
    String secret = server.sdkToken();
    ApiClient sdk = server.as(secret);
    try (SseListener stream = new SseListener(admin.base() + "/api/v1/stream", secret, null)) {
      stream.next("configuration", 10);
      long saved = System.nanoTime();
      write(overrides(), OVERRIDES);
      SseListener.Event event = stream.next("configuration", 10);
      assertThat(event).isNotNull();
      System.out.printf(
          "file mode: save to stream event in %.0f ms%n", (System.nanoTime() - saved) / 1e6);
      assertThat(event.data()).contains("\"defaultVariant\":\"b\"");
    }
    assertThat(value(sdk, "banner", Map.of())).isEqualTo("Hi");
    assertThat(value(sdk, "new-checkout", Map.of("targetingKey", "u1", "plan", "pro")))
        .as("the first file's other flags stay")
        .isEqualTo(true);

    // A flag taken out of the files is no longer served.
    write(base(), BASE.replace("\"banner\"", "\"banner-v2\""));
    write(overrides(), "{\"flags\": {}}");
    Response gone =
        eventually(
            () -> sdk.post("/ofrep/v1/evaluate/flags/banner", Map.of("context", Map.of())),
            r -> r.status() == 404);
    assertThat(gone.status()).isEqualTo(404);
  }

  @Test
  void aBrokenEditKeepsTheLastGoodVersionAndSaysSoInReady() throws Exception {
    ApiClient sdk = server.as(server.sdkToken());
    ApiClient anyone = server.as(null);
    assertThat(anyone.get("/ready").object()).doesNotContainKey("warnings");

    write(base(), BASE.replace("{\"$ref\": \"pro\"}", "{\"$ref\": \"staff\"}"));
    Response ready =
        eventually(() -> anyone.get("/ready"), r -> r.object().containsKey("warnings"));
    assertThat(ready.status()).as("a warning, not an outage").isEqualTo(200);
    assertThat((List<String>) ready.object().get("warnings"))
        .singleElement()
        .asString()
        .contains("flags.new-checkout.targeting.if[0].$ref")
        .contains("staff")
        .contains("flag new-checkout is from " + base())
        .endsWith("serving the last good version");
    assertThat(value(sdk, "new-checkout", Map.of("targetingKey", "u1", "plan", "pro")))
        .isEqualTo(true);

    write(base(), "{\"flags\": ");
    ready =
        eventually(
            () -> anyone.get("/ready"),
            r -> String.valueOf(r.object().get("warnings")).contains(base().toString() + ":"));
    assertThat(String.valueOf(ready.object().get("warnings"))).contains(base() + ":");
    assertThat(value(sdk, "banner", Map.of())).isEqualTo("Hello");

    write(base(), BASE);
    ready = eventually(() -> anyone.get("/ready"), r -> !r.object().containsKey("warnings"));
    assertThat(ready.object()).doesNotContainKey("warnings");
  }

  @Test
  void aBrokenFileStopsTheStartWithOneLine() {
    server.stop();
    write(base(), "{\"flags\": {\"x\": {\"state\": \"ON\"}}}");
    assertThatThrownBy(server::start)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("flag files: ")
        .hasMessageContaining("flags.x.state");
    write(base(), BASE);
    server.start(); // and the close after the test finds it running
  }
}

package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code kill -9} under event load, on both stores: every event batch that {@code POST
 * /api/v1/events} acknowledged (202) is counted after the restart, in the experiment's results and
 * in the flag's outcome metrics, and nothing is counted twice.
 */
class CrashIT {
  private static final String TOKEN = "crash-it-admin-token";
  private static final String[] VARIANTS = {"off", "on"};
  private static final int UNITS_PER_BATCH = 10;
  private static final int WRITERS = 4;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  private Process serve(int port, String dbUrl, String name) throws IOException {
    Map<String, String> env = new java.util.HashMap<>();
    env.put("ROLLGATE_ADMIN_TOKEN", TOKEN);
    env.put("ROLLGATE_RATE_LIMIT_WRITES", "0");
    if (dbUrl != null) {
      env.put("ROLLGATE_DB_URL", dbUrl);
    }
    return ServeProcess.start(port, dir.resolve("data"), dir.resolve(name + ".log"), env);
  }

  private record Answer(int status, Object body) {}

  private static Answer send(String token, String method, String url, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + token);
    if (body == null) {
      request.GET();
    } else {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(Json.write(body)));
    }
    HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(r.statusCode(), r.body().isEmpty() ? null : Json.parse(r.body()));
  }

  private static Answer admin(String method, String url, Object body) throws Exception {
    Answer a = send(TOKEN, method, url, body);
    if (a.status() >= 300) {
      throw new AssertionError(method + " " + url + " answered " + a.status() + ": " + a.body());
    }
    return a;
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  @SuppressWarnings("unchecked")
  void everyAcknowledgedEventIsCountedAfterKill9(StoreKind kind) throws Exception {
    String dbUrl = kind == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    int port = ServeProcess.freePort();
    String api = "http://127.0.0.1:" + port + "/api/v1";
    String project = api + "/projects/default";
    String experiments = project + "/environments/production/experiments";
    Process server = serve(port, dbUrl, "first");
    try {
      ServeProcess.awaitReady(port);
      admin(
          "POST",
          project + "/flags",
          Map.of("key", "checkout", "variants", Map.of("on", true, "off", false)));
      admin(
          "PATCH", project + "/flags/checkout/environments/production", Map.of("state", "ENABLED"));
      admin(
          "POST",
          project + "/metrics",
          Map.of("key", "revenue", "kind", "sum", "event", "revenue"));
      admin(
          "POST",
          experiments,
          Map.of(
              "key",
              "crash",
              "flag",
              "checkout",
              "variants",
              Map.of("off", 1, "on", 1),
              "primaryMetric",
              "revenue"));
      admin("POST", experiments + "/crash/start", Map.of());
      Map<String, Object> sdk =
          (Map<String, Object>)
              admin(
                      "POST",
                      api + "/tokens",
                      Map.of(
                          "name",
                          "crash-sdk",
                          "role",
                          "sdk",
                          "project",
                          "default",
                          "environment",
                          "production"))
                  .body();
      String sdkToken = (String) sdk.get("secret");

      // acknowledged[v] and unanswered[v]: units (and outcome requests) per variant in batches that
      // were answered 202, and in batches sent without an answer (the kill may or may not keep
      // those).
      AtomicLongArray acknowledged = new AtomicLongArray(2);
      AtomicLongArray unanswered = new AtomicLongArray(2);
      AtomicBoolean stop = new AtomicBoolean();
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        writers.add(
            Thread.ofPlatform()
                .start(() -> {
                  for (int batch = 0; !stop.get(); batch++) {
                    int variant = (writer + batch) % 2;
                    Object events = batch(writer, batch, VARIANTS[variant]);
                    try {
                      Answer a = send(sdkToken, "POST", api + "/events", events);
                      (a.status() == 202 ? acknowledged : unanswered)
                          .addAndGet(variant, UNITS_PER_BATCH);
                    } catch (IOException e) {
                      unanswered.addAndGet(variant, UNITS_PER_BATCH);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (acknowledged.get(0) + acknowledged.get(1) < 400 * UNITS_PER_BATCH
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      server.destroyForcibly(); // SIGKILL: no shutdown hook, no last flush
      assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
      stop.set(true);
      for (Thread t : writers) {
        t.join();
      }
      assertThat(acknowledged.get(0) + acknowledged.get(1)).isGreaterThan(0);

      server = serve(port, dbUrl, "second");
      ServeProcess.awaitReady(port);
      Map<String, Long> units = Map.of();
      Map<String, Long> requests = Map.of();
      Map<String, Object> variants = Map.of();
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < until) {
        Map<String, Object> results =
            (Map<String, Object>) admin("GET", experiments + "/crash/results", null).body();
        units = numbers((Map<String, Object>) results.get("units"));
        variants =
            (Map<String, Object>)
                ((Map<String, Object>) ((List<Object>) results.get("metrics")).getFirst())
                    .get("variants");
        requests = outcomeRequests(project);
        if (units.getOrDefault("off", 0L) >= acknowledged.get(0)
            && units.getOrDefault("on", 0L) >= acknowledged.get(1)
            && requests.getOrDefault("off", 0L) >= acknowledged.get(0)
            && requests.getOrDefault("on", 0L) >= acknowledged.get(1)) {
          break;
        }
        Thread.sleep(250);
      }
      for (int v = 0; v < 2; v++) {
        String variant = VARIANTS[v];
        long least = acknowledged.get(v);
        long most = least + unanswered.get(v);
        assertThat(units.getOrDefault(variant, 0L))
            .as("units of " + variant)
            .isBetween(least, most);
        // Every unit's one track event of value 1 counted once: a mean of exactly 1.
        Map<String, Object> stats = (Map<String, Object>) variants.get(variant);
        assertThat(((Number) stats.get("mean")).doubleValue())
            .as("mean of " + variant)
            .isEqualTo(1.0);
        assertThat(requests.getOrDefault(variant, 0L))
            .as("outcome requests of " + variant)
            .isBetween(least, most);
      }
    } finally {
      server.destroyForcibly();
      server.waitFor(30, TimeUnit.SECONDS);
      if (dbUrl != null) {
        TestPostgres.dropSchema(dbUrl);
      }
    }
  }

  /**
   * A batch of {@link #UNITS_PER_BATCH} new units in {@code variant}: each exposed, then worth 1 in
   * revenue, and an outcome window of one request per unit.
   */
  private static Object batch(int writer, int batch, String variant) {
    long now = System.currentTimeMillis();
    List<Object> events = new ArrayList<>();
    for (int u = 0; u < UNITS_PER_BATCH; u++) {
      String unit = "w" + writer + "-b" + batch + "-u" + u;
      events.add(
          Map.of(
              "type",
              "exposure",
              "flag",
              "checkout",
              "variant",
              variant,
              "targetingKey",
              unit,
              "time",
              now - 2000));
      events.add(
          Map.of(
              "type",
              "track",
              "name",
              "revenue",
              "targetingKey",
              unit,
              "value",
              1,
              "time",
              now - 1000));
    }
    long start = now - Math.floorMod(now, 1000) - 1000;
    events.add(
        Map.of(
            "type",
            "outcomes",
            "flag",
            "checkout",
            "variant",
            variant,
            "start",
            start,
            "end",
            start + 1000,
            "count",
            UNITS_PER_BATCH,
            "errors",
            0));
    return Map.of("events", events);
  }

  /** Outcome requests per variant over the last hour, from the flag's metrics endpoint. */
  @SuppressWarnings("unchecked")
  private static Map<String, Long> outcomeRequests(String project) throws Exception {
    Map<String, Object> body =
        (Map<String, Object>)
            admin(
                    "GET",
                    project + "/environments/production/flags/checkout/metrics?step=3600",
                    null)
                .body();
    Map<String, Long> out = new java.util.TreeMap<>();
    for (Object point : (List<Object>) body.get("points")) {
      ((Map<String, Object>) ((Map<String, Object>) point).get("variants"))
          .forEach((variant, stats) ->
              out.merge(
                  variant,
                  ((Number) ((Map<String, Object>) stats).get("requests")).longValue(),
                  Long::sum));
    }
    return out;
  }

  private static Map<String, Long> numbers(Map<String, Object> map) {
    Map<String, Long> out = new java.util.TreeMap<>();
    map.forEach((k, v) -> out.put(k, ((Number) v).longValue()));
    return out;
  }
}

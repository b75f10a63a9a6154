package dev.rollgate.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Change propagation: how long from an admin write's response until an SSE client of the same
 * replica, and one of another replica, receives the new configuration. Run by
 * rollgate-bench/load/propagation.sh, which starts the servers.
 *
 * <p>Arguments: writeBase streamBaseA streamBaseB adminToken sdkToken iterations.
 */
public final class PropagationBenchmark {
  private PropagationBenchmark() {}

  public static void main(String[] args) throws Exception {
    String writeBase = args[0];
    String streamA = args[1];
    String streamB = args[2];
    String admin = args[3];
    String sdk = args[4];
    int iterations = Integer.parseInt(args[5]);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    BlockingQueue<Long> arrivalsA = listen(http, streamA, sdk);
    BlockingQueue<Long> arrivalsB = listen(http, streamB, sdk);
    arrivalsA.take(); // the initial configurations
    arrivalsB.take();
    List<Double> same = new ArrayList<>();
    List<Double> cross = new ArrayList<>();
    for (int i = 0; i < iterations; i++) {
      String variant = i % 2 == 0 ? "b" : "a"; // always a change: the flag starts on "a"
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          writeBase
                              + "/api/v1/projects/default/flags/banner/environments/production"))
                  .header("Authorization", "Bearer " + admin)
                  .header("Content-Type", "application/json")
                  .method(
                      "PATCH",
                      HttpRequest.BodyPublishers.ofString(
                          "{\"defaultVariant\": \"" + variant + "\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      long answered = System.nanoTime();
      if (r.statusCode() != 200) {
        throw new IllegalStateException("write failed: " + r.statusCode() + " " + r.body());
      }
      same.add(Math.max(0, poll(arrivalsA) - answered) / 1e6);
      cross.add(Math.max(0, poll(arrivalsB) - answered) / 1e6);
      Thread.sleep(20);
    }
    report("same replica", same);
    report("across replicas", cross);
    System.exit(0);
  }

  private static long poll(BlockingQueue<Long> arrivals) throws InterruptedException {
    Long t = arrivals.poll(10, TimeUnit.SECONDS);
    if (t == null) {
      throw new IllegalStateException("no event within 10 s");
    }
    return t;
  }

  /** Arrival times of configuration events on a stream. */
  private static BlockingQueue<Long> listen(HttpClient http, String base, String sdk) {
    BlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
    var unused =
        http.sendAsync(
                HttpRequest.newBuilder(URI.create(base + "/api/v1/stream"))
                    .header("Accept", "text/event-stream")
                    .header("X-API-Key", sdk)
                    .build(),
                HttpResponse.BodyHandlers.ofLines())
            .thenAccept(response ->
                Thread.ofPlatform().daemon().start(() -> read(response.body(), arrivals)));
    return arrivals;
  }

  private static void read(Stream<String> lines, BlockingQueue<Long> arrivals) {
    boolean configuration = false;
    for (String line : (Iterable<String>) lines::iterator) {
      if (line.startsWith("event:")) {
        configuration = line.substring(6).strip().equals("configuration");
      } else if (line.startsWith("data:") && configuration) {
        arrivals.add(System.nanoTime());
        configuration = false;
      }
    }
  }

  private static void report(String name, List<Double> millis) {
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    System.out.printf(
        "%-16s n=%d  p50=%.1f ms  p90=%.1f ms  p99=%.1f ms  max=%.1f ms%n",
        name,
        sorted.size(),
        percentile(sorted, 0.50),
        percentile(sorted, 0.90),
        percentile(sorted, 0.99),
        sorted.getLast());
  }

  private static double percentile(List<Double> sorted, double p) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }
}

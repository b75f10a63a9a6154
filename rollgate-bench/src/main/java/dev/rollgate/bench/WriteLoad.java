package dev.rollgate.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Admin write latency and throughput against a running server, as a project grows: seeds a fresh
 * project with {@code flags} flags (flagd imports of 1,000 flags each, every flag configured in all
 * three environments), then times single-flag writes (a PATCH of one flag's targeting in one
 * environment, the commonest change) one at a time, then from several writers at once.
 *
 * <p>Usage: {@code WriteLoad <base-url> <admin-token> <flags> <writes> <writers>}; prints one
 * markdown table row. {@code rollgate-bench/load/write-load.sh} starts the servers and runs it.
 */
public final class WriteLoad {
  private static final int CHUNK = 1000;
  private static final List<String> ENVIRONMENTS = List.of("development", "staging", "production");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String token;

  private WriteLoad(String base, String token) {
    this.base = base;
    this.token = token;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println("usage: WriteLoad <base-url> <admin-token> <flags> <writes> <writers>");
      System.exit(2);
    }
    int flags = Integer.parseInt(args[2]);
    int writes = Integer.parseInt(args[3]);
    int writers = Integer.parseInt(args[4]);
    new WriteLoad(args[0], args[1]).run(flags, writes, writers);
  }

  private void run(int flags, int writes, int writers) throws Exception {
    String project = "load-" + flags + "-" + Long.toHexString(System.nanoTime());
    send("POST", "/api/v1/projects", "{\"key\":\"" + project + "\",\"name\":\"load\"}", 201);
    long seedStart = System.nanoTime();
    for (int from = 0; from < flags; from += CHUNK) {
      String document = document(from, Math.min(flags, from + CHUNK));
      for (String environment : ENVIRONMENTS) {
        send(
            "PUT",
            "/api/v1/projects/" + project + "/environments/" + environment + "/flagd",
            document,
            200);
      }
    }
    double seedSeconds = (System.nanoTime() - seedStart) / 1e9;
    // Warm-up: the JIT compiles the write path before anything is timed.
    write(project, flags, new Random(1), Math.min(writes, 200));
    long[] single = write(project, flags, new Random(2), writes);
    Arrays.sort(single);
    double concurrent = concurrent(project, flags, writes, writers);
    System.out.printf(
        Locale.ROOT,
        "| %,d | %.1f | %.1f | %.1f | %.0f | %.0f |%n",
        flags,
        millis(percentile(single, 0.50)),
        millis(percentile(single, 0.99)),
        millis(single[single.length - 1]),
        single.length / (Arrays.stream(single).sum() / 1e9),
        concurrent);
    System.err.printf(Locale.ROOT, "seeded %,d flags in %.1f s%n", flags, seedSeconds);
  }

  /** {@code writers} threads sharing {@code writes} writes; answers writes per second. */
  private double concurrent(String project, int flags, int writes, int writers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      long start = System.nanoTime();
      for (int w = 0; w < writers; w++) {
        Random random = new Random(100 + w);
        futures.add(pool.submit(() -> write(project, flags, random, writes / writers)));
      }
      int done = 0;
      for (Future<long[]> f : futures) {
        done += f.get().length;
      }
      return done / ((System.nanoTime() - start) / 1e9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** {@code count} single-flag writes; answers each one's latency in nanoseconds. */
  private long[] write(String project, int flags, Random random, int count)
      throws IOException, InterruptedException {
    long[] latencies = new long[count];
    for (int i = 0; i < count; i++) {
      int flag = random.nextInt(flags);
      String environment = ENVIRONMENTS.get(random.nextInt(ENVIRONMENTS.size()));
      String body =
          "{\"targeting\":{\"if\":[{\"in\":[{\"var\":\"country\"},[\"NL\",\"BE\"]]},\"on\","
              + "{\"fractional\":[[\"on\","
              + random.nextInt(100)
              + "],[\"off\",100]]}]}}";
      long start = System.nanoTime();
      send(
          "PATCH",
          "/api/v1/projects/" + project + "/flags/flag-" + flag + "/environments/" + environment,
          body,
          200);
      latencies[i] = System.nanoTime() - start;
    }
    return latencies;
  }

  /** Flags {@code from} to {@code to} (exclusive) as one flagd document. */
  private static String document(int from, int to) {
    StringBuilder out = new StringBuilder("{\"flags\":{");
    for (int i = from; i < to; i++) {
      if (i > from) {
        out.append(',');
      }
      out.append("\"flag-")
          .append(i)
          .append("\":{\"state\":\"ENABLED\",\"variants\":{\"on\":true,\"off\":false},")
          .append("\"defaultVariant\":\"off\",\"targeting\":{\"if\":[{\"==\":[{\"var\":\"plan\"},")
          .append("\"pro\"]},\"on\",\"off\"]}}");
    }
    return out.append("}}").toString();
  }

  private void send(String method, String path, String body, int expected)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofMinutes(10))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(
          method + " " + path + ": " + response.statusCode() + " " + response.body());
    }
  }

  private static long percentile(long[] sorted, double p) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}

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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SDK events into experiment statistics against a running server, through whichever path it is
 * configured with (the store's inbox, or Kafka): seeds a fresh project with a flag under a running
 * experiment, then {@code senders} SDK clients post every unit's exposure and one track event (two
 * events a unit), {@code batch} units a request, as fast as the server acknowledges them, while a
 * watcher reads the experiment's unit count every 20 ms.
 *
 * <p>Prints one markdown table row: events acknowledged per second, events counted per second (from
 * the first request until the statistics hold every unit), and the lag from a request's
 * acknowledgement until the statistics counted as many units as had been acknowledged by then (p50,
 * p99, max).
 *
 * <p>Usage: {@code EventsLoad <base-url> <admin-token> <path-label> <units> <senders> <batch>
 * [units/s]}: as fast as the server acknowledges, or paced at {@code units/s} (the lag of a load
 * the path sustains, rather than of a backlog); {@code rollgate-bench/load/events-load.sh} starts
 * the servers (and a Kafka broker) and runs it.
 */
public final class EventsLoad {
  private static final Pattern UNITS = Pattern.compile("\"units\":\\{([^}]*)}");
  private static final Pattern COUNT = Pattern.compile(":(\\d+)");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  private EventsLoad(String base) {
    this.base = base;
  }

  /** One acknowledged request: when, and how many units had been acknowledged with it. */
  private record Ack(long nanos, long unitsSoFar) {}

  public static void main(String[] args) throws Exception {
    if (args.length != 6 && args.length != 7) {
      System.err.println(
          "usage: EventsLoad <base-url> <admin-token> <path-label> <units> <senders> <batch>"
              + " [units/s]");
      System.exit(2);
    }
    new EventsLoad(args[0])
        .run(
            args[1],
            args[2],
            Integer.parseInt(args[3]),
            Integer.parseInt(args[4]),
            Integer.parseInt(args[5]),
            args.length == 7 ? Double.parseDouble(args[6]) : 0);
  }

  private void run(String admin, String label, int units, int senders, int batch, double rate)
      throws Exception {
    String project = "events-" + Long.toHexString(System.nanoTime());
    String p = "/api/v1/projects/" + project;
    String experiments = p + "/environments/production/experiments";
    send("POST", "/api/v1/projects", admin, "{\"key\":\"" + project + "\",\"name\":\"load\"}", 201);
    send(
        "POST",
        p + "/flags",
        admin,
        "{\"key\":\"checkout\",\"variants\":{\"on\":true,\"off\":false},\"defaultVariant\":\"off\","
            + "\"environments\":{\"production\":{\"state\":\"ENABLED\"}}}",
        201);
    send(
        "POST",
        p + "/metrics",
        admin,
        "{\"key\":\"revenue\",\"kind\":\"sum\",\"event\":\"revenue\"}",
        201);
    send(
        "POST",
        experiments,
        admin,
        "{\"key\":\"load\",\"flag\":\"checkout\",\"variants\":{\"off\":1,\"on\":1},"
            + "\"primaryMetric\":\"revenue\"}",
        201);
    send("POST", experiments + "/load/start", admin, "{}", 200);
    String token =
        field(
            send(
                "POST",
                "/api/v1/tokens",
                admin,
                "{\"name\":\"load-"
                    + project
                    + "\",\"role\":\"sdk\",\"project\":\""
                    + project
                    + "\",\"environment\":\"production\"}",
                201),
            "secret");
    String results = experiments + "/load/results";

    // Warm-up: the JIT compiles both the request path and the apply path before anything is timed.
    int warm = Math.min(units / 10, 2000);
    for (int from = 0; from < warm; from += batch) {
      send(
          "POST",
          "/api/v1/events",
          token,
          events("warm-", from, Math.min(warm, from + batch)),
          202);
    }
    while (counted(admin, results) < warm) {
      Thread.sleep(20);
    }

    List<Ack> acks = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger next = new AtomicInteger();
    AtomicInteger acknowledged = new AtomicInteger();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(senders);
    List<Future<?>> running = new ArrayList<>();
    for (int s = 0; s < senders; s++) {
      running.add(
          pool.submit(() -> {
            for (int from = next.getAndAdd(batch); from < units; from = next.getAndAdd(batch)) {
              int to = Math.min(units, from + batch);
              if (rate > 0) { // paced: unit u is not sent before u / rate seconds
                long due = start + (long) (from / rate * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                  Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
              }
              send("POST", "/api/v1/events", token, events("unit-", from, to), 202);
              int sofar = acknowledged.addAndGet(to - from);
              acks.add(new Ack(System.nanoTime(), sofar));
            }
            return null;
          }));
    }
    // The watcher: when the statistics first held each count of units.
    List<long[]> seen = new ArrayList<>(); // {nanos, units counted beyond the warm-up}
    long counted = 0;
    while (counted < units) {
      counted = counted(admin, results) - warm;
      seen.add(new long[] {System.nanoTime(), counted});
      if (System.nanoTime() - start > Duration.ofMinutes(10).toNanos()) {
        throw new IllegalStateException("not all counted within 10 minutes: " + counted);
      }
      Thread.sleep(20);
    }
    long end = System.nanoTime();
    for (Future<?> f : running) {
      f.get();
    }
    pool.shutdown();
    long lastAck = acks.stream().mapToLong(Ack::nanos).max().orElse(end);
    long[] lags = new long[acks.size()];
    for (int i = 0; i < lags.length; i++) {
      Ack ack = acks.get(i);
      long at = end;
      for (long[] s : seen) {
        if (s[1] >= ack.unitsSoFar() && s[0] >= ack.nanos()) {
          at = s[0];
          break;
        }
      }
      lags[i] = at - ack.nanos();
    }
    Arrays.sort(lags);
    System.out.printf(
        Locale.ROOT,
        "| %s | %,d | %,.0f | %,.0f | %.0f | %.0f | %.0f |%n",
        label,
        2L * units,
        2.0 * units / ((lastAck - start) / 1e9),
        2.0 * units / ((end - start) / 1e9),
        millis(percentile(lags, 0.50)),
        millis(percentile(lags, 0.99)),
        millis(lags[lags.length - 1]));
  }

  /** Each unit's exposure (alternating variants), then one revenue event of 1. */
  private static String events(String prefix, int from, int to) {
    long now = System.currentTimeMillis();
    StringBuilder out = new StringBuilder("{\"events\":[");
    for (int u = from; u < to; u++) {
      if (u > from) {
        out.append(',');
      }
      String unit = prefix + u;
      out.append("{\"type\":\"exposure\",\"flag\":\"checkout\",\"variant\":\"")
          .append(u % 2 == 0 ? "off" : "on")
          .append("\",\"targetingKey\":\"")
          .append(unit)
          .append("\",\"time\":")
          .append(now - 1)
          .append("},{\"type\":\"track\",\"name\":\"revenue\",\"targetingKey\":\"")
          .append(unit)
          .append("\",\"value\":1,\"time\":")
          .append(now)
          .append('}');
    }
    return out.append("]}").toString();
  }

  /** The units the experiment's statistics hold, all variants. */
  private long counted(String admin, String results) throws IOException, InterruptedException {
    String body = send("GET", results, admin, null, 200);
    Matcher units = UNITS.matcher(body);
    long total = 0;
    if (units.find()) {
      Matcher m = COUNT.matcher(units.group(1));
      while (m.find()) {
        total += Long.parseLong(m.group(1));
      }
    }
    return total;
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  private String send(String method, String path, String token, String body, int expected)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(60))
            .header("Authorization", "Bearer " + token);
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != expected) {
      throw new IllegalStateException(method + " " + path + ": " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  private static long percentile(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}

package dev.rollgate.server.monitor;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonSyntaxException;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.net.TargetPolicy;
import dev.rollgate.server.store.Database;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one check now and says what it found. Every run is bounded by its timeout, so a target that
 * hangs costs its own check that long and nothing else; no run throws.
 *
 * <p>HTTP targets pass the {@link TargetPolicy} before every run (http(s) only; private and
 * loopback addresses only when {@code ROLLGATE_HEALTH_ALLOW_PRIVATE=true}), and redirects are not
 * followed, so a check cannot be pointed at the server's own network through one. The HTTP client
 * resolves the name again when it connects: a name whose DNS answer changes between the two is the
 * one gap left.
 */
public final class Probe {
  /** The most of an answer's body read, for {@code bodyContains}. */
  static final int MAX_BODY = 64 * 1024;

  private static final long GRACE_MS = 1_000;

  private final TargetPolicy targets;
  private final URI prometheus;
  private final PushedMetrics metrics;
  private final Database db;
  private final AuditLog audit;
  private final Clock clock;
  private final HttpClient http;

  /**
   * @param prometheus the base URL {@code prometheus} checks query; null when none is configured
   */
  public Probe(
      TargetPolicy targets,
      URI prometheus,
      PushedMetrics metrics,
      Database db,
      AuditLog audit,
      Clock clock) {
    this.targets = targets;
    this.prometheus = prometheus;
    this.metrics = metrics;
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofMillis(CheckSpec.MAX_TIMEOUT_MS))
            .build();
  }

  /** Checks that an http check's URL is one the monitor may call; the reason when not. */
  String refusal(CheckSpec spec) {
    if (spec instanceof CheckSpec.Prometheus && prometheus == null) {
      return "no Prometheus is configured: set ROLLGATE_PROMETHEUS_URL on the server";
    }
    if (spec instanceof CheckSpec.Http h) {
      try {
        var unused = targets.check(h.url());
      } catch (TargetPolicy.Refused e) {
        return e.getMessage();
      }
    }
    return null;
  }

  /** Runs {@code spec} for {@code project} now, within its timeout (and a second's grace). */
  public ProbeResult run(String project, CheckSpec spec) {
    long start = System.nanoTime();
    Instant at = clock.instant();
    long timeoutMs = timeoutMs(spec);
    // On a thread of its own, so that the deadline holds however the check blocks (a body that
    // never ends, a slow audit verification); the thread is interrupted when it passes.
    FutureTask<Outcome> task = new FutureTask<>(() -> outcome(project, spec));
    Thread.ofVirtual().name("rollgate-probe").start(task);
    Outcome o;
    try {
      o = task.get(timeoutMs + GRACE_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      task.cancel(true);
      o = new Outcome(false, null, "no answer within " + timeoutMs + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      o = new Outcome(false, null, "the check could not run: " + cause.getMessage());
    } catch (InterruptedException e) {
      task.cancel(true);
      Thread.currentThread().interrupt();
      o = new Outcome(false, null, "interrupted: the server is stopping");
    }
    long durationMs = (System.nanoTime() - start) / 1_000_000;
    return new ProbeResult(o.ok, o.observed, o.message, durationMs, at);
  }

  /** How long a run of {@code spec} may take: its own timeout, or the longest for the others. */
  static long timeoutMs(CheckSpec spec) {
    return switch (spec) {
      case CheckSpec.Http h -> h.timeoutMs();
      case CheckSpec.Prometheus p -> p.timeoutMs();
      case CheckSpec.Metric m -> CheckSpec.DEFAULT_TIMEOUT_MS;
      case CheckSpec.Audit a -> CheckSpec.MAX_TIMEOUT_MS;
    };
  }

  private Outcome outcome(String project, CheckSpec spec) throws InterruptedException {
    return switch (spec) {
      case CheckSpec.Http h -> http(h);
      case CheckSpec.Prometheus p -> prometheus(p);
      case CheckSpec.Metric m -> metric(project, m);
      case CheckSpec.Audit a -> audit();
    };
  }

  private record Outcome(boolean ok, Double observed, String message) {}

  private Outcome http(CheckSpec.Http h) throws InterruptedException {
    try {
      targets.check(h.url());
    } catch (TargetPolicy.Refused e) {
      return new Outcome(false, null, "the URL is refused: " + e.getMessage());
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(h.url()))
            .timeout(Duration.ofMillis(h.timeoutMs()))
            .header("User-Agent", "rollgate-health-monitor");
    request =
        switch (h.method()) {
          case "HEAD" -> request.method("HEAD", HttpRequest.BodyPublishers.noBody());
          case "POST" -> request.POST(HttpRequest.BodyPublishers.noBody());
          default -> request.GET();
        };
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (HttpTimeoutException e) {
      return new Outcome(false, null, "no answer within " + h.timeoutMs() + " ms");
    } catch (ConnectException e) {
      return new Outcome(false, null, "cannot connect: the service refused or is unreachable");
    } catch (IOException e) {
      return new Outcome(false, null, "the request failed: " + describe(e));
    }
    int status = response.statusCode();
    String body;
    try (InputStream in = response.body()) {
      body =
          h.bodyContains() == null
              ? ""
              : new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return new Outcome(false, (double) status, "the answer broke off: " + describe(e));
    }
    if (status != h.expectedStatus()) {
      return new Outcome(
          false, (double) status, "HTTP " + status + ", expected " + h.expectedStatus());
    }
    if (h.bodyContains() != null && !body.contains(h.bodyContains())) {
      return new Outcome(
          false,
          (double) status,
          "HTTP " + status + ", but the body does not contain \"" + h.bodyContains() + "\"");
    }
    return new Outcome(true, (double) status, "HTTP " + status);
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  private Outcome prometheus(CheckSpec.Prometheus p) throws InterruptedException {
    if (prometheus == null) {
      return new Outcome(
          false, null, "no Prometheus is configured: set ROLLGATE_PROMETHEUS_URL on the server");
    }
    String base = prometheus.toString().replaceAll("/+$", "");
    URI uri =
        URI.create(
            base
                + "/api/v1/query?query="
                + URLEncoder.encode(p.query(), StandardCharsets.UTF_8)
                + "&timeout="
                + p.timeoutMs()
                + "ms");
    HttpRequest request =
        HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(p.timeoutMs())).GET().build();
    String text;
    int status;
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      status = response.statusCode();
      try (InputStream in = response.body()) {
        text = new String(in.readNBytes(4 * 1024 * 1024), StandardCharsets.UTF_8);
      }
    } catch (HttpTimeoutException e) {
      return new Outcome(false, null, "Prometheus gave no answer within " + p.timeoutMs() + " ms");
    } catch (IOException e) {
      return new Outcome(false, null, "cannot query Prometheus: " + describe(e));
    }
    Object parsed;
    try {
      parsed = Json.parse(text);
    } catch (JsonSyntaxException e) {
      return new Outcome(false, null, "Prometheus answered HTTP " + status + " without JSON");
    }
    if (!(parsed instanceof Map<?, ?> answer) || !"success".equals(answer.get("status"))) {
      Object error = parsed instanceof Map<?, ?> m ? m.get("error") : null;
      return new Outcome(
          false,
          null,
          "the query failed (HTTP " + status + ")" + (error == null ? "" : ": " + error));
    }
    List<Double> values = values(answer.get("data"));
    if (values == null) {
      return new Outcome(false, null, "the query's result is not a vector or a scalar");
    }
    if (values.isEmpty()) {
      return new Outcome(false, null, "the query returned no data");
    }
    for (double v : values) {
      if (!p.comparison().holds(v, p.threshold())) {
        return new Outcome(
            false,
            v,
            "the query's value " + v + " is not " + p.comparison().symbol() + " " + p.threshold());
      }
    }
    return new Outcome(
        true,
        values.getFirst(),
        values.size()
            + (values.size() == 1 ? " series " : " series, each ")
            + p.comparison().symbol()
            + " "
            + p.threshold()
            + " (value "
            + values.getFirst()
            + ")");
  }

  /** The sample values of an instant query's {@code data}; null when it is neither kind. */
  private static List<Double> values(Object data) {
    if (!(data instanceof Map<?, ?> d)) {
      return null;
    }
    Object type = d.get("resultType");
    Object result = d.get("result");
    if ("scalar".equals(type) && result instanceof List<?> sample) {
      Double v = sampleValue(sample);
      return v == null ? null : List.of(v);
    }
    if (!"vector".equals(type) || !(result instanceof List<?> series)) {
      return null;
    }
    List<Double> values = new java.util.ArrayList<>();
    for (Object s : series) {
      if (!(s instanceof Map<?, ?> m) || !(m.get("value") instanceof List<?> sample)) {
        return null;
      }
      Double v = sampleValue(sample);
      if (v == null) {
        return null;
      }
      values.add(v);
    }
    return values;
  }

  /** {@code [time, "value"]}: Prometheus writes values as strings (NaN, +Inf included). */
  private static Double sampleValue(List<?> sample) {
    if (sample.size() != 2 || !(sample.get(1) instanceof String s)) {
      return null;
    }
    try {
      return Double.parseDouble(s.replace("Inf", "Infinity"));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private Outcome metric(String project, CheckSpec.Metric m) {
    long since = clock.millis() - m.maxAgeSeconds() * 1000;
    Optional<PushedMetrics.Value> latest =
        metrics.latest(project, m.environment(), m.metric(), since);
    if (latest.isEmpty()) {
      return new Outcome(
          false,
          null,
          "no value of "
              + m.metric()
              + " pushed in "
              + m.environment()
              + " in the last "
              + m.maxAgeSeconds()
              + " s");
    }
    double v = latest.get().value();
    boolean ok = m.comparison().holds(v, m.threshold());
    return new Outcome(
        ok,
        v,
        m.metric()
            + " is "
            + v
            + (ok ? ", " : ", not ")
            + m.comparison().symbol()
            + " "
            + m.threshold());
  }

  private Outcome audit() {
    AuditLog.Verification v = db.inTransaction(tx -> audit.verify(tx, null));
    if (v.valid()) {
      return new Outcome(
          true, (double) v.events(), "the chain of " + v.events() + " events verifies");
    }
    return new Outcome(
        false,
        v.brokenSeq() == null ? null : (double) v.brokenSeq(),
        "the audit trail does not verify at event " + v.brokenSeq() + ": " + v.reason());
  }
}

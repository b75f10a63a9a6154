package dev.rollgate.server.webhooks;

import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.replicas.Leadership;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.webhooks.WebhookStore.Due;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends due webhook deliveries, on the leading replica only.
 *
 * <p>A delivery is a POST of its JSON payload with the headers {@code Rollgate-Event}, {@code
 * Rollgate-Delivery} and {@code Rollgate-Signature: t=<unix seconds>,v1=<hex>}, where the hex is
 * HMAC-SHA256 under the webhook's secret of {@code <t>.<body>} (the scheme Stripe uses: the
 * receiver recomputes it and rejects old timestamps, so a captured request cannot be replayed
 * later). A 2xx answer delivers it; anything else is retried after 5 s, 10 s, 20 s ... (doubling,
 * at most an hour apart), and after {@link #MAX_ATTEMPTS} attempts it is FAILED. Every attempt is
 * recorded.
 */
public final class WebhookDispatcher {
  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
  static final int MAX_ATTEMPTS = 10;
  static final long FIRST_RETRY_MS = 5_000;
  static final long MAX_RETRY_MS = 3_600_000;
  private static final int BATCH = 100;

  private final Database db;
  private final Leadership leadership;
  private final Clock clock;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  public WebhookDispatcher(Database db, Leadership leadership, Clock clock) {
    this.db = db;
    this.leadership = leadership;
    this.clock = clock;
  }

  /** Sends every delivery that is due, at once; returns how many were attempted. */
  public int runDue() {
    if (!leadership.isLeader()) {
      return 0;
    }
    long now = clock.millis();
    List<Due> due = db.inTransaction(tx -> WebhookStore.due(tx, now, BATCH));
    try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
      // One sender per webhook, in the order the changes happened; after a failure, that
      // webhook's later deliveries wait for the next run, so a receiver sees events in order.
      Map<String, List<Due>> byHook = new LinkedHashMap<>();
      due.forEach(d -> byHook.computeIfAbsent(d.hook(), k -> new ArrayList<>()).add(d));
      List<Future<?>> sent = new ArrayList<>();
      java.util.concurrent.atomic.AtomicInteger attempted =
          new java.util.concurrent.atomic.AtomicInteger();
      for (List<Due> queue : byHook.values()) {
        sent.add(
            senders.submit(() -> {
              for (Due d : queue) {
                attempted.incrementAndGet();
                if (!attempt(d)) {
                  return;
                }
              }
            }));
      }
      for (Future<?> f : sent) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
          log.warn("webhooks: a delivery failed unexpectedly: {}", e.getCause().toString());
        }
      }
      return attempted.get();
    }
  }

  /** Sends one delivery and records the attempt; true when it was delivered. */
  private boolean attempt(Due d) {
    long started = clock.millis();
    long timestamp = started / 1000;
    Integer status = null;
    String error = null;
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(URI.create(d.url()))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .header("User-Agent", "rollgate-webhooks")
                  .header("Rollgate-Event", d.event())
                  .header("Rollgate-Delivery", d.id())
                  .header("Rollgate-Signature", signature(d.secret(), timestamp, d.payload()))
                  .POST(HttpRequest.BodyPublishers.ofString(d.payload()))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      status = response.statusCode();
      if (status / 100 != 2) {
        error = "answered " + status;
      }
    } catch (IOException | IllegalArgumentException e) {
      error = describe(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    record(d, started, status, error);
    return error == null;
  }

  /**
   * A failure in words: the first message along the cause chain. The JDK's client throws a {@code
   * ConnectException} without a message (and often without a cause) when the connection is refused.
   */
  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return e.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return e.getClass().getSimpleName()
        + (e instanceof java.net.ConnectException ? ": connection refused" : ": no detail given");
  }

  /** {@code t=<timestamp>,v1=<HMAC-SHA256(secret, "<timestamp>.<body>")>}. */
  public static String signature(String secret, long timestamp, String body) {
    return "t=" + timestamp + ",v1=" + Sha256.hmacHex(secret, timestamp + "." + body);
  }

  private void record(Due d, long started, Integer status, String error) {
    int attempt = d.attempts() + 1;
    long now = clock.millis();
    String state;
    Long next;
    if (error == null) {
      state = "DELIVERED";
      next = null;
    } else if (attempt >= MAX_ATTEMPTS) {
      state = "FAILED";
      next = null;
      log.warn("webhooks: delivery {} failed {} times; giving up: {}", d.id(), attempt, error);
    } else {
      state = "PENDING";
      next = now + retryDelay(attempt);
    }
    db.inTransaction(tx -> {
      WebhookStore.recordAttempt(
          tx, d.id(), attempt, started, status, error, now - started, state, next);
      return null;
    });
  }

  /** The wait after failed attempt {@code n}: 5 s doubling, at most an hour. */
  static long retryDelay(int attempt) {
    return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(attempt - 1, 20));
  }
}

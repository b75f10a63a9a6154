package dev.rollgate.server.webhooks;

import dev.rollgate.server.crypto.SecretBox;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.net.TargetPolicy;
import dev.rollgate.server.replicas.Leadership;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.webhooks.WebhookStore.Due;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
 *
 * <p>Before each attempt the URL is checked again by the {@link TargetPolicy} (DNS answers change)
 * and the request goes to the addresses just checked. A failed attempt records a category, never an
 * exception's message: {@code http_<status>}, {@code connection_failed}, {@code timeout}, {@code
 * tls_error}, {@code bad_response}, {@code refused_address}, {@code dns_failed}, {@code
 * invalid_url} or {@code secret_unreadable}.
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
  private final SecretBox secrets;
  private final TargetPolicy targets;
  private final WebhookSender sender;

  public WebhookDispatcher(
      Database db, Leadership leadership, Clock clock, SecretBox secrets, TargetPolicy targets) {
    this.db = db;
    this.leadership = leadership;
    this.clock = clock;
    this.secrets = secrets;
    this.targets = targets;
    this.sender = WebhookSender.standard();
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
          // the class only: a message could hold the URL
          log.warn(
              "webhooks: a delivery failed unexpectedly: {}", e.getCause().getClass().getName());
        }
      }
      return attempted.get();
    }
  }

  /** Sends one delivery and records the attempt; true when it was delivered. */
  private boolean attempt(Due d) {
    long started = clock.millis();
    Integer status = null;
    String error;
    try {
      status = send(d, started / 1000);
      error = status / 100 == 2 ? null : "http_" + status;
    } catch (TargetPolicy.Refused e) {
      error = e.category();
    } catch (WebhookSender.Failed e) {
      error = e.category();
    } catch (SecretBox.Unreadable e) {
      error = "secret_unreadable";
      log.error(
          "webhooks: the signing secret of webhook {} does not open with the key from {}; its"
              + " deliveries fail until the server has the key it was sealed with",
          d.hook(),
          secrets.source());
    }
    record(d, started, status, error);
    return error == null;
  }

  private int send(Due d, long timestamp)
      throws TargetPolicy.Refused, WebhookSender.Failed, SecretBox.Unreadable {
    String secret = WebhookService.secret(secrets, d.secret());
    TargetPolicy.Target target = targets.check(d.url());
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Content-Type", "application/json");
    headers.put("User-Agent", "rollgate-webhooks");
    headers.put("Rollgate-Event", d.event());
    headers.put("Rollgate-Delivery", d.id());
    headers.put("Rollgate-Signature", signature(secret, timestamp, d.payload()));
    return sender.post(target, headers, d.payload().getBytes(StandardCharsets.UTF_8));
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

package dev.rollgate.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.audit.AuditKey;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.replicas.Leadership;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.testing.MutableClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deliveries to a real HTTP receiver, with a clock the test moves through the retries. */
class WebhookDispatcherTest {
  private static final String SECRET = "a-secret-of-some-length";

  private final MutableClock clock = new MutableClock(1_800_000_000_000L);
  private Database db;
  private AuditLog audit;
  private WebhookService webhooks;
  private WebhookDispatcher dispatcher;
  private HttpServer receiver;
  private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();

  @BeforeEach
  void setUp() throws IOException {
    db = Database.open(null, null, null, Files.createTempDirectory("rollgate-hooks"), null);
    audit = new AuditLog(clock, AuditKey.generate());
    webhooks = new WebhookService(db, audit, clock);
    Leadership leadership = new Leadership(db);
    dispatcher = new WebhookDispatcher(db, leadership, clock);
    receiver =
        HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/hook",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          received.add(
              Map.of(
                  "body", body,
                  "event", exchange.getRequestHeaders().getFirst("Rollgate-Event"),
                  "signature", exchange.getRequestHeaders().getFirst("Rollgate-Signature")));
          int status = failuresLeft.getAndDecrement() > 0 ? 500 : 204;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void tearDown() {
    receiver.stop(0);
    db.close();
  }

  private String register(List<String> events) {
    WebhookService.Created created =
        webhooks.create(
            new Actor("admin-id", "admin", null),
            new WebhookService.Create(
                "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook",
                events,
                SECRET,
                null));
    assertThat(created.secret()).isEqualTo(SECRET);
    return created.webhook().id();
  }

  private void change(String action) {
    db.inTransaction(tx ->
        audit.append(
            tx,
            new Actor("alice-id", "alice", "because"),
            action,
            "projects/default/flags/f",
            null,
            Map.of("key", "f")));
  }

  @Test
  void aSubscribedEventIsDeliveredSignedAndOthersAreNot() {
    String id = register(List.of("flag.changed"));
    change("flag.update");
    change("rollout.started"); // not subscribed
    assertThat(dispatcher.runDue()).isEqualTo(1);
    assertThat(received).hasSize(1);
    Map<String, String> request = received.getFirst();
    assertThat(request.get("event")).isEqualTo("flag.changed");
    Map<?, ?> payload = (Map<?, ?>) Json.parse(request.get("body"));
    assertThat(payload.get("event")).isEqualTo("flag.changed");
    assertThat(payload.get("actor")).isEqualTo("alice");
    assertThat(payload.get("data")).isEqualTo(Map.of("key", "f"));
    // The receiver recomputes the signature over "<t>.<body>" with the shared secret.
    String signature = request.get("signature");
    String t = signature.substring(2, signature.indexOf(','));
    assertThat(Long.parseLong(t)).isEqualTo(clock.millis() / 1000);
    assertThat(signature.substring(signature.indexOf("v1=") + 3))
        .isEqualTo(Sha256.hmacHex(SECRET, t + "." + request.get("body")));
    assertThat(dispatcher.runDue()).isZero(); // delivered once
    List<Webhook.Delivery> deliveries = webhooks.deliveries(id, 10);
    assertThat(deliveries).hasSize(1);
    assertThat(deliveries.getFirst().status()).isEqualTo("DELIVERED");
  }

  @Test
  void aFailingReceiverIsRetriedWithBackoffAndEveryAttemptIsListed() {
    String id = register(List.of("*"));
    failuresLeft.set(2);
    change("flag.update");
    assertThat(dispatcher.runDue()).isEqualTo(1); // fails: 500
    assertThat(dispatcher.runDue()).as("not due before the backoff").isZero();
    clock.advance(5_000);
    assertThat(dispatcher.runDue()).isEqualTo(1); // fails again
    clock.advance(5_000);
    assertThat(dispatcher.runDue()).as("the second wait is 10 s").isZero();
    clock.advance(5_000);
    assertThat(dispatcher.runDue()).isEqualTo(1); // delivered
    Webhook.Delivery delivery = webhooks.deliveries(id, 10).getFirst();
    assertThat(delivery.status()).isEqualTo("DELIVERED");
    assertThat(delivery.attempts()).isEqualTo(3);
    List<Webhook.Attempt> attempts = delivery.attemptLog();
    assertThat(attempts).hasSize(3);
    assertThat(attempts.getFirst().statusCode()).isEqualTo(500);
    assertThat(attempts.getLast().statusCode()).isEqualTo(204);
  }

  @Test
  void aDeliveryThatNeverSucceedsFailsAfterTheLastAttempt() {
    String id = register(List.of("flag.changed"));
    failuresLeft.set(1000);
    change("flag.update");
    for (int i = 0; i < WebhookDispatcher.MAX_ATTEMPTS; i++) {
      assertThat(dispatcher.runDue()).isEqualTo(1);
      clock.advance(WebhookDispatcher.MAX_RETRY_MS);
    }
    assertThat(dispatcher.runDue()).isZero();
    Webhook.Delivery failed = webhooks.deliveries(id, 10).getFirst();
    assertThat(failed.status()).isEqualTo("FAILED");
    assertThat(failed.nextAttemptAt()).isNull();
  }

  @Test
  void retryDelaysDoubleUpToAnHour() {
    assertThat(WebhookDispatcher.retryDelay(1)).isEqualTo(5_000);
    assertThat(WebhookDispatcher.retryDelay(2)).isEqualTo(10_000);
    assertThat(WebhookDispatcher.retryDelay(3)).isEqualTo(20_000);
    assertThat(WebhookDispatcher.retryDelay(30)).isEqualTo(3_600_000);
  }

  @Test
  void aFailedAttemptNamesItsCauseInsteadOfNull() throws IOException {
    int closed;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      closed = probe.getLocalPort(); // nothing listens there once the probe is closed
    }
    try (var client = java.net.http.HttpClient.newHttpClient()) {
      var request =
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + closed + "/hook"))
              .build();
      IOException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              IOException.class,
              () -> client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()));
      assertThat(WebhookDispatcher.describe(refused))
          .startsWith(refused.getClass().getSimpleName() + ": ")
          .doesNotContain("null");
    }
    assertThat(WebhookDispatcher.describe(new java.net.ConnectException()))
        .isEqualTo("ConnectException: connection refused");
    assertThat(
            WebhookDispatcher.describe(
                new IOException(null, new java.nio.channels.ClosedChannelException())))
        .isEqualTo("IOException: no detail given");
  }
}

package dev.rollgate.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.audit.AuditKey;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.crypto.SecretBox;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.net.TargetPolicy;
import dev.rollgate.server.replicas.Leadership;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.testing.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
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

/**
 * Deliveries to a real HTTP receiver on 127.0.0.1, with a clock the test moves through the retries.
 * The address policy allows private targets here, except where a test says otherwise; the names a
 * test uses resolve through its own resolver, never DNS.
 */
class WebhookDispatcherTest {
  private static final String SECRET = "a-secret-of-some-length";

  /** A resolver that knows one name, receiver.test, for the receiver on 127.0.0.1. */
  private static final TargetPolicy.Resolver LOOPBACK_NAME =
      host -> {
        if (!host.equals("receiver.test")) {
          throw new java.net.UnknownHostException(host);
        }
        return List.of(InetAddress.getLoopbackAddress());
      };

  /** A resolver that says receiver.test is public (a documentation address nothing connects to). */
  private static final TargetPolicy.Resolver PUBLIC_NAME =
      host -> List.of(InetAddress.getByName("203.0.113.10"));

  private final MutableClock clock = new MutableClock(1_800_000_000_000L);
  private Database db;
  private AuditLog audit;
  private WebhookService webhooks;
  private WebhookDispatcher dispatcher;
  private HttpServer receiver;
  private final List<Map<String, String>> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final SecretBox secrets = box(1, "the test key");
  private Leadership leadership;

  private static SecretBox box(int fill, String source) {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, (byte) fill);
    return new SecretBox(key, source);
  }

  @BeforeEach
  void setUp() throws IOException {
    db = Database.open(null, null, null, Files.createTempDirectory("rollgate-hooks"), null);
    audit = new AuditLog(clock, AuditKey.generate());
    TargetPolicy allowPrivate = new TargetPolicy(true, LOOPBACK_NAME);
    webhooks = new WebhookService(db, audit, clock, secrets, allowPrivate);
    leadership = new Leadership(db);
    dispatcher = new WebhookDispatcher(db, leadership, clock, secrets, allowPrivate);
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
                  "signature", exchange.getRequestHeaders().getFirst("Rollgate-Signature"),
                  "host", exchange.getRequestHeaders().getFirst("Host"),
                  "path", exchange.getRequestURI().toString()));
          int status = failuresLeft.getAndDecrement() > 0 ? 500 : 204;
          exchange.sendResponseHeaders(status, -1);
          exchange.close();
        });
    receiver.createContext(
        "/moved",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          exchange.getResponseHeaders().add("Location", "/hook");
          exchange.sendResponseHeaders(307, -1);
          exchange.close();
        });
    receiver.start();
  }

  private int port() {
    return receiver.getAddress().getPort();
  }

  @AfterEach
  void tearDown() {
    receiver.stop(0);
    db.close();
  }

  private String register(List<String> events) {
    return register(webhooks, "http://127.0.0.1:" + port() + "/hook", events);
  }

  private static String register(WebhookService service, String url, List<String> events) {
    WebhookService.Created created =
        service.create(
            new Actor("admin-id", "admin", null),
            new WebhookService.Create(url, events, SECRET, null));
    assertThat(created.secret()).isEqualTo(SECRET);
    return created.webhook().id();
  }

  private void assertSignedWithTheSecret(Map<String, String> request) {
    String signature = request.get("signature");
    String t = signature.substring(2, signature.indexOf(','));
    assertThat(signature.substring(signature.indexOf("v1=") + 3))
        .isEqualTo(Sha256.hmacHex(SECRET, t + "." + request.get("body")));
  }

  private Webhook.Attempt lastAttempt(String hook) {
    return webhooks.deliveries(hook, 10).getFirst().attemptLog().getLast();
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
  void aFailedAttemptRecordsACategoryNotWhatTheExceptionSaid() throws IOException {
    int closed;
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = probe.getLocalPort(); // nothing listens there once the probe is closed
    }
    String id = register(webhooks, "http://127.0.0.1:" + closed + "/hook", List.of("*"));
    change("flag.update");
    assertThat(dispatcher.runDue()).isEqualTo(1);
    Webhook.Attempt refused = lastAttempt(id);
    assertThat(refused.error()).isEqualTo("connection_failed");
    assertThat(refused.statusCode()).isNull();

    String failing = register(List.of("*"));
    failuresLeft.set(1);
    change("flag.update");
    dispatcher.runDue();
    assertThat(lastAttempt(failing).error()).isEqualTo("http_500");
    assertThat(lastAttempt(failing).statusCode()).isEqualTo(500);
  }

  @Test
  void aRedirectIsAnAnswerNotFollowed() {
    String id = register(webhooks, "http://127.0.0.1:" + port() + "/moved", List.of("*"));
    change("flag.update");
    dispatcher.runDue();
    assertThat(lastAttempt(id).error()).isEqualTo("http_307");
    assertThat(received).as("the Location was not visited").isEmpty();
  }

  @Test
  void aDeliveryGoesToTheAddressCheckedAndKeepsTheHostAsNamed() {
    // receiver.test resolves through the test's resolver only: a request that reaches the
    // receiver went to the checked address, not to a fresh lookup.
    register(webhooks, "http://receiver.test:" + port() + "/hook?x=1", List.of("*"));
    change("flag.update");
    dispatcher.runDue();
    assertThat(received).hasSize(1);
    assertThat(received.getFirst().get("host")).isEqualTo("receiver.test:" + port());
    assertThat(received.getFirst().get("path")).isEqualTo("/hook?x=1");
    assertSignedWithTheSecret(received.getFirst());
  }

  @Test
  void aHostThatResolvesToLoopbackByDeliveryTimeIsRefusedThen() {
    // Registered while its name resolved to a public address; by the delivery, DNS says
    // 127.0.0.1 (a rebinding attack, or a change of record). The policy is on for both.
    WebhookService strict =
        new WebhookService(
            db,
            new AuditLog(clock, dev.rollgate.server.audit.AuditKey.generate()),
            clock,
            secrets,
            new TargetPolicy(false, PUBLIC_NAME));
    String id = register(strict, "http://receiver.test:" + port() + "/hook", List.of("*"));
    WebhookDispatcher rebound =
        new WebhookDispatcher(
            db, leadership, clock, secrets, new TargetPolicy(false, LOOPBACK_NAME));
    change("flag.update");
    assertThat(rebound.runDue()).isEqualTo(1);
    assertThat(received).as("nothing reached the loopback receiver").isEmpty();
    Webhook.Delivery delivery = webhooks.deliveries(id, 10).getFirst();
    assertThat(delivery.status()).isEqualTo("PENDING"); // retried: DNS may change back
    assertThat(delivery.attemptLog().getLast().error()).isEqualTo("refused_address");
    // And one stored before the policy, straight at 127.0.0.1, is refused at delivery as well.
    String old = register(List.of("*"));
    WebhookDispatcher strictDispatcher =
        new WebhookDispatcher(
            db, leadership, clock, secrets, new TargetPolicy(false, LOOPBACK_NAME));
    change("segment.update");
    clock.advance(WebhookDispatcher.MAX_RETRY_MS);
    strictDispatcher.runDue();
    assertThat(received).isEmpty();
    assertThat(lastAttempt(old).error()).isEqualTo("refused_address");
  }

  @Test
  void theSecretIsStoredSealedNeverReadable() {
    String id = register(List.of("*"));
    List<String> stored =
        db.inTransaction(tx ->
            tx.one(
                    "SELECT secret, sealed_secret FROM webhooks WHERE webhook_id = ?",
                    r -> List.of(r.getString(1), r.getString(2)),
                    id)
                .orElseThrow());
    assertThat(stored.get(0)).isEmpty();
    assertThat(stored.get(1)).startsWith("v1:").doesNotContain(SECRET);
    change("flag.update");
    dispatcher.runDue();
    assertSignedWithTheSecret(received.getFirst());
  }

  @Test
  void aSecretStoredReadableByAnEarlierVersionSignsAndIsSealedAtStart() {
    // As the server before sealing wrote it.
    db.inTransaction(tx ->
        tx.update(
            "INSERT INTO webhooks (webhook_id, url, events, secret, description, created_at)"
                + " VALUES ('old', ?, '[\"*\"]', ?, '', 0)",
            "http://127.0.0.1:" + port() + "/hook",
            SECRET));
    change("flag.update");
    dispatcher.runDue();
    assertThat(received).hasSize(1);
    assertSignedWithTheSecret(received.getFirst()); // read as it was stored

    webhooks.sealStoredSecrets();
    List<String> stored =
        db.inTransaction(tx ->
            tx.one(
                    "SELECT secret, sealed_secret FROM webhooks WHERE webhook_id = 'old'",
                    r -> java.util.Arrays.asList(r.getString(1), r.getString(2)))
                .orElseThrow());
    assertThat(stored.get(0)).isEmpty();
    assertThat(stored.get(1)).startsWith("v1:").doesNotContain(SECRET);
    change("flag.update");
    dispatcher.runDue();
    assertThat(received).hasSize(2);
    assertSignedWithTheSecret(received.getLast());
    webhooks.sealStoredSecrets(); // again: nothing left to seal, and the key opens them all
  }

  @Test
  void aWrongKeyStopsTheStartAndFailsDeliveriesWithoutSigning() {
    String id = register(List.of("*"));
    SecretBox other = box(2, "ROLLGATE_SECRET_KEY");
    TargetPolicy policy = new TargetPolicy(true, LOOPBACK_NAME);
    WebhookService restarted =
        new WebhookService(
            db,
            new AuditLog(clock, dev.rollgate.server.audit.AuditKey.generate()),
            clock,
            other,
            policy);
    org.assertj.core.api.Assertions.assertThatThrownBy(restarted::sealStoredSecrets)
        .isInstanceOf(dev.rollgate.server.store.StoreException.class)
        .hasMessageStartingWith(
            "the secret key from ROLLGATE_SECRET_KEY does not open the signing secrets of 1"
                + " webhook(s)");
    change("flag.update");
    WebhookDispatcher wrongKey = new WebhookDispatcher(db, leadership, clock, other, policy);
    assertThat(wrongKey.runDue()).isEqualTo(1);
    assertThat(received).as("nothing sent with a signature that would not verify").isEmpty();
    assertThat(lastAttempt(id).error()).isEqualTo("secret_unreadable");
  }

  @Test
  void neitherTheDeliveryLogNorTheServerLogHoldsTheUrlPathOrTheSecret() {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
        new ch.qos.logback.core.read.ListAppender<>();
    logged.start();
    root.addAppender(logged);
    try {
      String token = "T0001/B0001/s3cr3tT0k3n";
      int closed = port() + 1 == 65_536 ? port() - 1 : port() + 1;
      List<String> hooks =
          List.of(
              register(webhooks, "http://127.0.0.1:" + port() + "/hook/" + token, List.of("*")),
              register(webhooks, "http://127.0.0.1:" + closed + "/hook/" + token, List.of("*")),
              register(
                  webhooks, "http://receiver.test:" + port() + "/moved/" + token, List.of("*")));
      failuresLeft.set(1000);
      change("flag.update");
      // One attempt under a key that opens none of the secrets, then every other one.
      new WebhookDispatcher(
              db, leadership, clock, box(3, "another key"), new TargetPolicy(true, LOOPBACK_NAME))
          .runDue();
      for (int i = 1; i < WebhookDispatcher.MAX_ATTEMPTS; i++) {
        clock.advance(WebhookDispatcher.MAX_RETRY_MS);
        dispatcher.runDue();
      }
      StringBuilder everything = new StringBuilder();
      for (String hook : hooks) {
        for (Webhook.Delivery d : webhooks.deliveries(hook, 10)) {
          everything.append(d).append('\n');
        }
      }
      logged.list.forEach(e -> everything.append(e.getFormattedMessage()).append('\n'));
      assertThat(everything)
          .contains("FAILED", "http_500", "connection_failed", "http_307", "secret_unreadable");
      assertThat(logged.list).extracting(e -> e.getLevel().toString()).contains("ERROR", "WARN");
      assertThat(everything.toString())
          .doesNotContain("s3cr3tT0k3n", SECRET, ":" + closed, "receiver.test");
    } finally {
      root.detachAppender(logged);
    }
  }
}

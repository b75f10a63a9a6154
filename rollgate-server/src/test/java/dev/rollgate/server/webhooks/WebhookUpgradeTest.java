package dev.rollgate.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.crypto.SecretBox;
import dev.rollgate.server.net.TargetPolicy;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.testing.MutableClock;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store written by the version before sealed secrets (schema V3, a readable secret, a delivery
 * log with exception messages) upgraded by this one, on both stores.
 */
class WebhookUpgradeTest {
  private static final String SECRET = "an-old-readable-secret";

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void readableSecretsAreSealedAndOldErrorsBecomeCategories(StoreKind kind) throws Exception {
    Path dir = Files.createTempDirectory("rollgate-upgrade");
    String url =
        kind == StoreKind.POSTGRES
            ? TestPostgres.newSchema()
            : "jdbc:sqlite:" + dir.resolve("old.db");
    try {
      Flyway.configure()
          .dataSource(url, null, null)
          .locations("classpath:db/migration")
          .target("3")
          .load()
          .migrate();
      try (Connection c = DriverManager.getConnection(url);
          var s = c.createStatement()) {
        s.execute(
            "INSERT INTO webhooks (webhook_id, url, events, secret, description, created_at)"
                + " VALUES ('old', 'http://127.0.0.1:9/hook', '[\"*\"]', '"
                + SECRET
                + "', '', 0)");
        s.execute(
            "INSERT INTO webhook_deliveries (delivery_id, webhook_id, event, payload, created_at,"
                + " status, attempts, next_attempt_at) VALUES ('d', 'old', 'flag.changed', '{}',"
                + " 0, 'PENDING', 2, 0)");
        s.execute(
            "INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error,"
                + " duration_ms) VALUES ('d', 1, 0, NULL,"
                + " 'ConnectException: Connection refused to 10.0.0.5:5432', 3),"
                + " ('d', 2, 0, 503, 'answered 503', 3)");
      }

      MutableClock clock = new MutableClock(1_800_000_000_000L);
      byte[] key = new byte[32];
      key[31] = 9;
      SecretBox secrets = new SecretBox(key, "the test key");
      try (Database db = Database.open(url, null, null, dir, null)) {
        WebhookService webhooks =
            new WebhookService(
                db,
                new AuditLog(clock, dev.rollgate.server.audit.AuditKey.generate()),
                clock,
                secrets,
                new TargetPolicy(true, host -> List.of(InetAddress.getLoopbackAddress())));
        webhooks.sealStoredSecrets();
        assertThat(webhooks.deliveries("old", 10).getFirst().attemptLog())
            .extracting(Webhook.Attempt::error)
            .containsExactly("connection_failed", "http_503");
      }
      try (Connection c = DriverManager.getConnection(url);
          var s = c.createStatement();
          ResultSet r = s.executeQuery("SELECT secret, sealed_secret FROM webhooks")) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1)).isEmpty();
        assertThat(secrets.open(r.getString(2), WebhookService.context("old"))).isEqualTo(SECRET);
        assertThat(r.getString(2)).doesNotContain(SECRET);
      }
    } finally {
      if (kind == StoreKind.POSTGRES) {
        TestPostgres.dropSchema(url);
      }
    }
  }
}

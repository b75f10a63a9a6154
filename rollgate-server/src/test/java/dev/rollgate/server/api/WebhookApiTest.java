package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.server.crypto.KeyFiles;
import dev.rollgate.server.store.StoreException;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Webhooks' secrets at rest, their URLs in the audit trail, the address policy at the API, and the
 * data directory's modes, through a real socket on both stores. The server of each test allows
 * private targets (so webhooks can be registered without DNS); the policy's own test starts one
 * that does not. Nothing here is delivered: the webhooks subscribe to an event no test causes.
 */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class WebhookApiTest extends ServerTestBase {
  private static final String SECRET = "my-own-signing-secret-0123";
  private static final String TOKEN_PATH = "/services/T0001/B0001/s3cr3tT0k3n?channel=ops";

  @Override
  Map<String, String> environment() {
    return Map.of("ROLLGATE_WEBHOOK_ALLOW_PRIVATE", "true");
  }

  private ApiClient.Response register(ApiClient client, String url) {
    return client.post(
        "/api/v1/webhooks",
        Map.of("url", url, "events", List.of("rollout.aborted"), "secret", SECRET));
  }

  @Test
  void theAuditTrailShowsAWebhooksOriginAndAFingerprintButNotItsPathOrSecret() {
    String url = "http://127.0.0.1:9" + TOKEN_PATH;
    ApiClient.Response created = register(admin, url);
    assertThat(created.status()).isEqualTo(201);
    String id = (String) created.object().get("id");
    assertThat(admin.get("/api/v1/webhooks/" + id).object()).containsEntry("url", url);
    assertThat(admin.delete("/api/v1/webhooks/" + id).status()).isEqualTo(204);

    ApiClient.Response audit = admin.get("/api/v1/audit?resource=webhooks/" + id);
    assertThat(audit.text()).doesNotContain("s3cr3tT0k3n", "channel=ops", SECRET);
    List<Map<String, Object>> events = (List<Map<String, Object>>) audit.object().get("items");
    assertThat(events)
        .extracting(e -> e.get("action"))
        .containsExactlyInAnyOrder("webhook.create", "webhook.delete");
    String recorded = null;
    for (Map<String, Object> event : events) {
      Map<String, Object> hook = recorded(event);
      recorded = (String) hook.get("url");
      assertThat(recorded).matches("http://127\\.0\\.0\\.1:9/\u2026#sha256:[0-9a-f]{8}");
      assertThat(hook).containsEntry("id", id).doesNotContainKey("secret");
    }
    // Another URL, another fingerprint: a change of target still shows in the trail.
    String other =
        (String)
            register(admin, "http://127.0.0.1:9/services/T0001/B0001/other").object().get("id");
    List<Map<String, Object>> otherEvents =
        (List<Map<String, Object>>)
            admin.get("/api/v1/audit?resource=webhooks/" + other).object().get("items");
    assertThat(recorded(otherEvents.getFirst()).get("url")).isNotEqualTo(recorded);
    assertThat(admin.get("/api/v1/audit/verify").object()).containsEntry("valid", true);
  }

  @Test
  void signingSecretsAreSealedInTheStore() throws Exception {
    String id = (String) register(admin, "http://127.0.0.1:9/hook").object().get("id");
    try (Connection c = server.connect();
        var statement =
            c.prepareStatement("SELECT secret, sealed_secret FROM webhooks WHERE webhook_id = ?")) {
      statement.setString(1, id);
      try (ResultSet r = statement.executeQuery()) {
        assertThat(r.next()).isTrue();
        assertThat(r.getString(1)).isEmpty();
        assertThat(r.getString(2)).startsWith("v1:").doesNotContain(SECRET);
      }
    }
    // A restart reads the key back (the file, or the variable) and opens what it sealed.
    server.stop();
    server.start();
    assertThat(server.admin().get("/api/v1/webhooks/" + id).status()).isEqualTo(200);
  }

  @Test
  void aReplicaWithAnotherKeyDoesNotStartAndOneWithTheSameKeyDoes() throws Exception {
    Assumptions.assumeTrue(store == StoreKind.POSTGRES, "replicas share a PostgreSQL store");
    register(admin, "http://127.0.0.1:9/hook");
    // A replica without ROLLGATE_SECRET_KEY makes a key file of its own: not the first one's key.
    assertThatThrownBy(() -> server.replica(null, Map.of()))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("secret.key does not open the signing secrets of 1 webhook(s)");
    String key = Files.readString(server.dataDir().resolve("secret.key")).strip();
    try (TestServer replica = server.replica(null, Map.of("ROLLGATE_SECRET_KEY", key))) {
      assertThat(replica.admin().get("/api/v1/webhooks").status()).isEqualTo(200);
    }
  }

  @Test
  void credentialsInTheUrlAndOtherSchemesAreRefused() {
    for (String url :
        List.of(
            "http://user:password@127.0.0.1:9/hook",
            "https://token@127.0.0.1/hook",
            "file:///etc/passwd",
            "gopher://127.0.0.1:5432/")) {
      ApiClient.Response r = register(admin, url);
      assertThat(r.status()).as(url).isEqualTo(400);
      assertThat(r.object())
          .as(url)
          .containsEntry("code", "invalid_field")
          .containsKey("requestId");
    }
    assertThat((String) register(admin, "http://u:p@127.0.0.1/").object().get("message"))
        .contains("user name or password");
    assertThat(admin.get("/api/v1/webhooks").object().get("items")).isEqualTo(List.of());
  }

  @Test
  void withThePolicyOnPrivateTargetsAreRefusedNamingTheReason() {
    try (TestServer strict = TestServer.start(store)) {
      Map<String, String> refusals =
          Map.ofEntries(
              Map.entry("http://127.0.0.1:8420/hook", "loopback"),
              Map.entry("http://localhost:5432/", "loopback"),
              Map.entry("http://0.0.0.0/", "unspecified"),
              Map.entry("http://[::1]/", "loopback"),
              Map.entry("http://2130706433/", "loopback"),
              Map.entry("http://0x7f000001/", "loopback"),
              Map.entry("http://169.254.169.254/latest/meta-data/", "link-local"),
              Map.entry("http://10.1.2.3/", "private"),
              Map.entry("http://172.20.0.1/", "private"),
              Map.entry("http://192.168.0.10/", "private"),
              Map.entry("http://[fd00::1]/", "private"),
              Map.entry("http://[::ffff:192.168.0.10]/", "private"),
              Map.entry("http://100.64.1.1/", "carrier-grade NAT"),
              Map.entry("http://224.0.0.251/", "multicast"));
      refusals.forEach((url, reason) -> {
        ApiClient.Response r = register(strict.admin(), url);
        assertThat(r.status()).as(url).isEqualTo(400);
        assertThat((String) r.object().get("message"))
            .as(url)
            .startsWith("url: ")
            .contains(reason, "ROLLGATE_WEBHOOK_ALLOW_PRIVATE");
      });
      assertThat(register(strict.admin(), "http://127.1/").status()).isEqualTo(400);
      assertThat(strict.admin().get("/api/v1/webhooks").object().get("items")).isEqualTo(List.of());
    }
  }

  @Test
  void aFreshDataDirectoryIs0700AndItsFiles0600() throws Exception {
    Path fresh = server.dataDir().resolve("fresh/data"); // removed with the test server's
    try (TestServer started =
        TestServer.start(store, Map.of("ROLLGATE_DATA_DIR", fresh.toString()))) {
      assertThat(mode(fresh)).isEqualTo("rwx------");
      started.withoutAdminToken(); // writes admin-token too
      List<String> names;
      try (Stream<Path> files = Files.list(fresh)) {
        names = files.map(p -> p.getFileName().toString()).sorted().toList();
      }
      if (store == StoreKind.SQLITE) {
        assertThat(names)
            .contains(
                "rollgate.db",
                "rollgate.db-wal",
                "rollgate.db-shm",
                "secret.key",
                "audit-signing.key",
                "admin-token");
      } else {
        assertThat(names)
            .containsExactlyInAnyOrder("secret.key", "audit-signing.key", "admin-token");
      }
      for (String name : names) {
        assertThat(mode(fresh.resolve(name))).as(name).isEqualTo("rw-------");
      }
      if (store == StoreKind.SQLITE) {
        // A database file an earlier version left readable by others is narrowed at start.
        started.stop();
        Files.setPosixFilePermissions(
            fresh.resolve("rollgate.db"), PosixFilePermissions.fromString("rw-r--r--"));
        started.start();
        assertThat(mode(fresh.resolve("rollgate.db"))).isEqualTo("rw-------");
        assertThat(mode(fresh.resolve("rollgate.db-wal"))).isEqualTo("rw-------");
      }
    }
  }

  /** The webhook an audit event recorded: after a creation, before a deletion. */
  private static Map<String, Object> recorded(Map<String, Object> event) {
    return (Map<String, Object>)
        (event.get("after") != null ? event.get("after") : event.get("before"));
  }

  private static String mode(Path path) throws java.io.IOException {
    return PosixFilePermissions.toString(KeyFiles.permissions(path));
  }
}

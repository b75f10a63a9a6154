package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/status} on both stores: readiness, this replica, the replicas, the store. */
@SuppressWarnings("unchecked") // JSON read back as maps and lists
class StatusApiTest extends ServerTestBase {
  private static final String STATUS = "/api/v1/status";

  /** Heartbeats every second, replicas listed while seen within 3 s. */
  @Override
  Map<String, String> environment() {
    return Map.of(
        "ROLLGATE_REPLICA_HEARTBEAT_SECONDS", "1", "ROLLGATE_REPLICA_WINDOW_SECONDS", "3");
  }

  /** The status as {@code client} reads it, once {@code wanted} holds (within 15 s). */
  static Map<String, Object> status(ApiClient client, Predicate<Map<String, Object>> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (true) {
      ApiClient.Response r = client.get(STATUS);
      assertThat(r.status()).as(r.toString()).isEqualTo(200);
      Map<String, Object> body = r.object();
      if (wanted.test(body)) {
        return body;
      }
      assertThat(System.nanoTime())
          .as("status never became as wanted: " + body)
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  static Map<String, Object> replica(Map<String, Object> status) {
    return (Map<String, Object>) status.get("replica");
  }

  static List<Map<String, Object>> replicas(Map<String, Object> status) {
    return (List<Map<String, Object>>) status.get("replicas");
  }

  @Test
  void aViewerSeesReadinessThisReplicaAndTheStore() throws Exception {
    ApiClient viewer = admin.withToken(token("viewer"));
    // On PostgreSQL the replica leads once its controller took the lock (at its first tick).
    Map<String, Object> status = status(viewer, s -> Boolean.TRUE.equals(replica(s).get("leader")));
    assertThat(status).containsOnlyKeys("ready", "replica", "replicas", "store");
    assertThat(status.get("ready")).isEqualTo(server.as(null).get("/ready").object());
    assertThat((Map<String, Object>) status.get("ready")).containsEntry("status", "ready");

    Map<String, Object> self = replica(status);
    assertThat(self).containsOnlyKeys("id", "startedAt", "version", "leader");
    assertThat(self).containsEntry("version", "development");
    Instant started = Instant.parse((String) self.get("startedAt"));
    assertThat(started).isBefore(Instant.now().plusSeconds(1));

    List<Map<String, Object>> replicas = replicas(status);
    assertThat(replicas).hasSize(1);
    assertThat(replicas.getFirst())
        .containsEntry("id", self.get("id"))
        .containsEntry("startedAt", self.get("startedAt"))
        .containsEntry("leader", true)
        .containsKeys("lastSeenAt", "version");

    Map<String, Object> storeInfo = (Map<String, Object>) status.get("store");
    assertThat(storeInfo).containsOnlyKeys("kind", "version");
    assertThat(storeInfo.get("kind"))
        .isEqualTo(store == StoreKind.SQLITE ? "sqlite" : "postgresql");
    assertThat((String) storeInfo.get("version")).matches("\\d+(\\.\\d+)+.*");

    // Nothing secret: no URL, user, password, path or token.
    String text = viewer.get(STATUS).text();
    assertThat(text)
        .doesNotContain("jdbc")
        .doesNotContain("user=")
        .doesNotContain("password")
        .doesNotContain(server.dataDir().toString())
        .doesNotContain(TestServer.ADMIN_TOKEN);

    // The heartbeat writes the row again every second.
    String firstSeen = (String) replicas.getFirst().get("lastSeenAt");
    status(
        viewer,
        s ->
            Instant.parse((String) replicas(s).getFirst().get("lastSeenAt"))
                .isAfter(Instant.parse(firstSeen)));
  }

  @Test
  void onlyAdminApiTokensMayReadIt() {
    assertThat(admin.withToken(token("editor")).get(STATUS).status()).isEqualTo(200);
    ApiClient.Response sdk = admin.withToken(token("sdk")).get(STATUS);
    assertThat(sdk.status()).isEqualTo(403);
    assertThat(sdk.object()).containsEntry("code", "forbidden");
    assertThat(admin.withToken(null).get(STATUS).status()).isEqualTo(401);
  }

  @Test
  void replicasSeenWithinTheWindowAreListedAndOthersNot() throws Exception {
    long now = System.currentTimeMillis();
    try (Connection c = server.connect();
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO replicas (replica_id, started_at, last_seen_at, leader, version)"
                    + " VALUES (?, ?, ?, 0, 'old')")) {
      for (Object[] row :
          new Object[][] {{"crashed-long-ago", now - 3_600_000L}, {"alive", now + 60_000L}}) {
        insert.setString(1, (String) row[0]);
        insert.setLong(2, now - 7_200_000L);
        insert.setLong(3, (Long) row[1]);
        insert.executeUpdate();
      }
    }
    Map<String, Object> status = status(admin, s -> true);
    assertThat(replicas(status))
        .extracting(r -> r.get("id"))
        .containsExactly("alive", replica(status).get("id")); // the longest running first
    assertThat(replicas(status).getFirst())
        .containsEntry("leader", false)
        .containsEntry("version", "old");
  }
}

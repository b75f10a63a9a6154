package dev.rollgate.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.RollgateServer;
import dev.rollgate.server.ServerConfig;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store written by the version before actor ids and signatures (schema V3) upgrades: its events
 * still read and verify, the first start signs over them once, and duplicate token names are made
 * unique.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreKind.class)
class AuditUpgradeTest {
  private static final String ADMIN = "test-admin-token-0123456789";
  private static final String GENESIS = "0".repeat(64);

  @Parameter StoreKind store;
  @TempDir Path dataDir;

  private String url; // the JDBC URL the test uses
  private String pgUrl; // the server's, on PostgreSQL
  private RollgateServer server;

  @BeforeEach
  void oldStore() throws SQLException {
    pgUrl = store == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    url = pgUrl != null ? pgUrl : "jdbc:sqlite:" + dataDir.resolve("rollgate.db");
    Flyway.configure()
        .dataSource(url, null, null)
        .locations("classpath:db/migration")
        .target("3")
        .load()
        .migrate();
    try (Connection c = DriverManager.getConnection(url)) {
      token(c, "t1", "ci", 1000);
      token(c, "t2", "CI", 2000); // allowed then
      token(c, "t3", "ops", 3000);
      String previous = GENESIS;
      for (long seq = 1; seq <= 3; seq++) {
        previous = legacyEvent(c, seq, "alice", previous);
      }
      try (PreparedStatement head =
          c.prepareStatement("UPDATE audit_head SET seq = 3, hash = ? WHERE id = 1")) {
        head.setString(1, previous);
        head.executeUpdate();
      }
    }
  }

  private static void token(Connection c, String id, String name, long at) throws SQLException {
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO tokens (token_id, name, role, secret_hash, created_at)"
                + " VALUES (?, ?, 'viewer', ?, ?)")) {
      insert.setString(1, id);
      insert.setString(2, name);
      insert.setString(3, "hash-of-" + id);
      insert.setLong(4, at);
      insert.executeUpdate();
    }
  }

  /** An event as the old version wrote it: the actor's name only, no signature. */
  private static String legacyEvent(Connection c, long seq, String actor, String previous)
      throws SQLException {
    AuditLog.Event event =
        new AuditLog.Event(
            seq,
            "old-" + seq,
            1_700_000_000_000L + seq,
            null,
            actor,
            "token.create",
            "tokens/t" + seq,
            null,
            "{\"name\":\"n" + seq + "\"}",
            null,
            previous,
            null,
            null,
            null);
    String hash = AuditLog.expectedHash(event);
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO audit_events (seq, event_id, at, actor, action, resource, before_json,"
                + " after_json, comment, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, NULL,"
                + " ?, ?)")) {
      insert.setLong(1, seq);
      insert.setString(2, event.id());
      insert.setLong(3, event.at());
      insert.setString(4, event.actor());
      insert.setString(5, event.action());
      insert.setString(6, event.resource());
      insert.setString(7, event.after());
      insert.setString(8, previous);
      insert.setString(9, hash);
      insert.executeUpdate();
    }
    return hash;
  }

  private ApiClient start() {
    Map<String, String> env = new HashMap<>();
    env.put("ROLLGATE_PORT", "0");
    env.put("ROLLGATE_DATA_DIR", dataDir.toString());
    env.put("ROLLGATE_ADMIN_TOKEN", ADMIN);
    if (pgUrl != null) {
      env.put("ROLLGATE_DB_URL", pgUrl);
    }
    server = RollgateServer.start(ServerConfig.fromEnvironment(env), env, Clock.systemUTC());
    return new ApiClient("http://127.0.0.1:" + server.port(), ADMIN);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
    if (pgUrl != null) {
      TestPostgres.dropSchema(pgUrl);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void oldEventsReadVerifyAndAreSignedOverOnce() throws Exception {
    ApiClient admin = start();
    List<Map<String, Object>> events =
        (List<Map<String, Object>>) admin.get("/api/v1/audit?limit=100").object().get("items");
    assertThat(events.getFirst())
        .containsEntry("actor", "alice")
        .containsEntry("actorId", null)
        .containsEntry("signature", null);
    Map<String, Object> seal = events.get(3);
    assertThat(seal)
        .containsEntry("seq", 4L)
        .containsEntry("action", "audit.sign")
        .containsEntry("actorId", "system");
    assertThat((Map<String, Object>) seal.get("after")).containsEntry("unsignedEvents", 3L);
    assertThat(admin.get("/api/v1/audit/verify").object())
        .containsEntry("valid", true)
        .containsEntry("unsignedEvents", 3L);
    long count = events.size();

    // A second start signs nothing more.
    server.close();
    admin = start();
    assertThat(admin.get("/api/v1/audit/verify").object())
        .containsEntry("valid", true)
        .containsEntry("events", count);

    // The old events are covered by the signed one after them: rewriting them, hashes and all,
    // shows there, since its prevHash (under its signature) no longer fits.
    server.close();
    server = null;
    try (Connection c = DriverManager.getConnection(url)) {
      c.createStatement().executeUpdate("DELETE FROM audit_events WHERE seq <= 3");
      String previous = GENESIS;
      for (long seq = 1; seq <= 3; seq++) {
        previous = legacyEvent(c, seq, seq == 2 ? "mallory" : "alice", previous);
      }
    }
    admin = start();
    Map<String, Object> verify = admin.get("/api/v1/audit/verify").object();
    assertThat(verify).containsEntry("valid", false);
    assertThat((Map<String, Object>) verify.get("firstBroken"))
        .containsEntry("seq", 4L)
        .containsEntry("reason", "prevHash does not match the previous event's hash");
  }

  @Test
  @SuppressWarnings("unchecked")
  void duplicateTokenNamesAreMadeUniqueKeepingTheOldestOne() {
    ApiClient admin = start();
    List<Map<String, Object>> tokens =
        (List<Map<String, Object>>) admin.get("/api/v1/tokens").object().get("items");
    assertThat(tokens).extracting(t -> t.get("name")).containsExactly("ci", "CI-t2", "ops");
    assertThat(admin.post("/api/v1/tokens", Map.of("name", "Ops", "role", "viewer")).status())
        .isEqualTo(409);
    assertThat(admin.post("/api/v1/tokens", Map.of("name", "ci-2", "role", "viewer")).status())
        .isEqualTo(201);
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.audit.AuditKey;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.testing.ApiClient.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An attacker who can write the database, but has not the server's signing key, tampers with the
 * audit trail through JDBC; verify finds it, with a checkpoint where the chain alone cannot.
 */
class AuditTamperTest extends ServerTestBase {
  private static final String GENESIS = "0".repeat(64);

  /** seq 1: the default project; 2-4: a flag created and changed twice. */
  @BeforeEach
  void someHistory() {
    admin.post(P + "/flags", checkoutFlag());
    admin.patch(P + "/flags/new-checkout", Map.of("description", "x"));
    admin.patch(P + "/flags/new-checkout", Map.of("description", "y"));
    assertThat(verify(null)).containsEntry("valid", true).containsEntry("events", 4L);
  }

  private Map<String, Object> checkpoint() {
    Response r = admin.get("/api/v1/audit/checkpoint");
    assertThat(r.status()).isEqualTo(200);
    return r.object();
  }

  private Map<String, Object> verify(Map<String, Object> checkpoint) {
    String query =
        checkpoint == null
            ? ""
            : "?seq="
                + checkpoint.get("seq")
                + "&hash="
                + checkpoint.get("hash")
                + "&signature="
                + URLEncoder.encode(checkpoint.get("signature").toString(), StandardCharsets.UTF_8);
    Response r = admin.get("/api/v1/audit/verify" + query);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.object();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> broken(Map<String, Object> verification) {
    assertThat(verification).containsEntry("valid", false);
    return (Map<String, Object>) verification.get("firstBroken");
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = server.connect()) {
      c.createStatement().executeUpdate(statement);
    }
  }

  private static List<AuditLog.Event> events(Connection c) throws SQLException {
    List<AuditLog.Event> events = new ArrayList<>();
    try (ResultSet r =
        c.createStatement().executeQuery("SELECT * FROM audit_events ORDER BY seq")) {
      while (r.next()) {
        events.add(
            new AuditLog.Event(
                r.getLong("seq"),
                r.getString("event_id"),
                r.getLong("at"),
                r.getString("actor_id"),
                r.getString("actor"),
                r.getString("action"),
                r.getString("resource"),
                r.getString("before_json"),
                r.getString("after_json"),
                r.getString("comment"),
                r.getString("prev_hash"),
                r.getString("hash"),
                r.getString("key_id"),
                r.getString("signature")));
      }
    }
    return events;
  }

  /**
   * Recomputes every event's prevHash and hash as the server would, but without its key: the old
   * signatures stay, or are removed with {@code strip}. The head follows.
   */
  private void rehash(boolean strip) throws SQLException {
    try (Connection c = server.connect()) {
      String previous = GENESIS;
      long last = 0;
      for (AuditLog.Event e : events(c)) {
        String hash = AuditLog.expectedHash(withPrevious(e, previous));
        try (PreparedStatement update =
            c.prepareStatement(
                strip
                    ? "UPDATE audit_events SET prev_hash = ?, hash = ?, key_id = NULL,"
                        + " signature = NULL WHERE seq = ?"
                    : "UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?")) {
          update.setString(1, previous);
          update.setString(2, hash);
          update.setLong(3, e.seq());
          update.executeUpdate();
        }
        previous = hash;
        last = e.seq();
      }
      moveHead(c, last, previous);
    }
  }

  private static AuditLog.Event withPrevious(AuditLog.Event e, String previous) {
    return new AuditLog.Event(
        e.seq(),
        e.id(),
        e.at(),
        e.actorId(),
        e.actor(),
        e.action(),
        e.resource(),
        e.before(),
        e.after(),
        e.comment(),
        previous,
        null,
        null,
        null);
  }

  private static void moveHead(Connection c, long seq, String hash) throws SQLException {
    try (PreparedStatement head =
        c.prepareStatement("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1")) {
      head.setLong(1, seq);
      head.setString(2, hash);
      head.executeUpdate();
    }
  }

  /**
   * Cuts the chain after {@code seq} and moves the head back to it, as a careful attacker would.
   */
  private void truncateAfter(long seq) throws SQLException {
    try (Connection c = server.connect()) {
      c.createStatement().executeUpdate("DELETE FROM audit_events WHERE seq > " + seq);
      String hash =
          seq == 0
              ? GENESIS
              : events(c).stream().filter(e -> e.seq() == seq).findFirst().orElseThrow().hash();
      moveHead(c, seq, hash);
    }
  }

  /** Appends an event with a correct hash and the given key id and signature (may be null). */
  private void append(String keyId, SignatureMaker signature) throws SQLException {
    try (Connection c = server.connect()) {
      AuditLog.Event last = events(c).getLast();
      AuditLog.Event forged =
          new AuditLog.Event(
              last.seq() + 1,
              "forged-" + last.seq(),
              last.at() + 1,
              last.actorId(),
              last.actor(),
              "flag.update",
              "projects/default/flags/new-checkout",
              null,
              "{\"description\":\"forged\"}",
              null,
              last.hash(),
              null,
              null,
              null);
      String hash = AuditLog.expectedHash(forged);
      try (PreparedStatement insert =
          c.prepareStatement(
              "INSERT INTO audit_events (seq, event_id, at, actor_id, actor, action, resource,"
                  + " before_json, after_json, comment, prev_hash, hash, key_id, signature)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, NULL, ?, ?, ?, ?)")) {
        insert.setLong(1, forged.seq());
        insert.setString(2, forged.id());
        insert.setLong(3, forged.at());
        insert.setString(4, forged.actorId());
        insert.setString(5, forged.actor());
        insert.setString(6, forged.action());
        insert.setString(7, forged.resource());
        insert.setString(8, forged.after());
        insert.setString(9, forged.prevHash());
        insert.setString(10, hash);
        insert.setString(11, keyId);
        insert.setString(12, signature.sign(hash));
        insert.executeUpdate();
      }
      moveHead(c, forged.seq(), hash);
    }
  }

  @FunctionalInterface
  private interface SignatureMaker {
    String sign(String hash);
  }

  private String serverKeyId() {
    return (String) checkpoint().get("keyId");
  }

  @Test
  void everyEventIsSignedAndTheCheckpointVerifies() {
    Map<String, Object> checkpoint = checkpoint();
    assertThat(checkpoint)
        .containsEntry("seq", 4L)
        .containsEntry("algorithm", "Ed25519")
        .containsKeys("hash", "signature", "keyId", "publicKey");
    Response audit = admin.get("/api/v1/audit?limit=1000");
    List<?> items = (List<?>) audit.object().get("items");
    assertThat(items)
        .allSatisfy(
            e -> assertThat(((Map<?, ?>) e).get("keyId")).isEqualTo(checkpoint.get("keyId")));
    assertThat(((Map<?, ?>) items.getLast()).get("hash")).isEqualTo(checkpoint.get("hash"));

    admin.patch(P + "/flags/new-checkout", Map.of("description", "z"));
    assertThat(verify(checkpoint))
        .containsEntry("valid", true)
        .containsEntry("events", 5L)
        .containsEntry("unsignedEvents", 0L)
        .containsEntry("checkpointSeq", 4L);
  }

  @Test
  void anEditedRowIsFoundEvenWhenTheChainIsRehashed() throws Exception {
    sql("UPDATE audit_events SET after_json = '{\"description\":\"harmless\"}' WHERE seq = 3");
    assertThat(broken(verify(null)))
        .containsEntry("seq", 3L)
        .containsEntry("reason", "hash does not match the event's content");

    rehash(false);
    assertThat(broken(verify(null)))
        .containsEntry("seq", 3L)
        .containsEntry("reason", "the signature does not match the event");
  }

  @Test
  void aChainRehashedWithoutItsSignaturesIsFound() throws Exception {
    Map<String, Object> checkpoint = checkpoint();
    sql("UPDATE audit_events SET after_json = '{\"description\":\"harmless\"}' WHERE seq = 3");
    rehash(true);
    assertThat(broken(verify(null)))
        .containsEntry("reason", "no event is signed: the chain was rewritten");
    assertThat(broken(verify(checkpoint)))
        .containsEntry("seq", 4L) // the checkpoint's event
        .containsEntry("reason", "the hash is not the checkpoint's: the chain was rewritten");
  }

  @Test
  void reorderedEventsAreFound() throws Exception {
    sql("UPDATE audit_events SET seq = 100 WHERE seq = 2");
    sql("UPDATE audit_events SET seq = 2 WHERE seq = 3");
    sql("UPDATE audit_events SET seq = 3 WHERE seq = 100");
    assertThat(broken(verify(null)))
        .containsEntry("seq", 2L)
        .containsEntry("reason", "prevHash does not match the previous event's hash");
    rehash(false);
    assertThat(broken(verify(null)))
        .containsEntry("seq", 2L)
        .containsEntry("reason", "the signature does not match the event");
  }

  @Test
  void aDeletedMiddleEventIsFound() throws Exception {
    sql("DELETE FROM audit_events WHERE seq = 2");
    assertThat(broken(verify(null)))
        .containsEntry("seq", 3L)
        .containsEntry("reason", "event 2 is missing");
    // Closing the gap and rehashing leaves events whose signatures no longer fit.
    sql("UPDATE audit_events SET seq = 2 WHERE seq = 3");
    sql("UPDATE audit_events SET seq = 3 WHERE seq = 4");
    rehash(false);
    assertThat(broken(verify(null)))
        .containsEntry("seq", 2L)
        .containsEntry("reason", "the signature does not match the event");
  }

  @Test
  void aTruncatedTailIsFoundOnlyWithACheckpoint() throws Exception {
    Map<String, Object> checkpoint = checkpoint();
    truncateAfter(2);
    // What is left is a whole, signed chain: without a checkpoint, nothing shows the cut.
    assertThat(verify(null)).containsEntry("valid", true).containsEntry("events", 2L);
    assertThat(broken(verify(checkpoint)))
        .containsEntry("seq", 3L)
        .containsEntry(
            "reason",
            "the chain ends at event 2, before the checkpoint's event 4: events were removed");

    // New changes after the cut are signed by the server, but do not bring the old events back.
    admin.patch(P + "/flags/new-checkout", Map.of("description", "a"));
    admin.patch(P + "/flags/new-checkout", Map.of("description", "b"));
    assertThat(verify(null)).containsEntry("valid", true).containsEntry("events", 4L);
    assertThat(broken(verify(checkpoint)))
        .containsEntry("seq", 4L)
        .containsEntry("reason", "the hash is not the checkpoint's: the chain was rewritten");
  }

  @Test
  void aForgedAppendedEventIsFound() throws Exception {
    append(null, hash -> null);
    assertThat(broken(verify(null)))
        .containsEntry("seq", 5L)
        .containsEntry("id", "forged-4")
        .containsEntry("reason", "the event is not signed");
  }

  @Test
  void aForgedSignatureIsFound() throws Exception {
    String keyId = serverKeyId();
    append(keyId, hash -> "ab".repeat(64));
    assertThat(broken(verify(null)))
        .containsEntry("seq", 5L)
        .containsEntry("reason", "the signature does not match the event");
  }

  @Test
  void anEventSignedWithAnotherKeyIsFound() throws Exception {
    AuditKey other = AuditKey.generate();
    // The attacker's own key makes a good signature, but not the server's.
    append(other.id(), hash -> signedBy(other, hash));
    Map<String, Object> broken = broken(verify(null));
    assertThat(broken).containsEntry("seq", 5L);
    assertThat(broken.get("reason").toString())
        .startsWith("the event is signed with key " + other.id() + ", not this server's key");
  }

  /** A signature as the server makes one, with another key: over the event prefix and hash. */
  private static String signedBy(AuditKey key, String hash) {
    try {
      java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
      signer.initSign(
          java.security.KeyFactory.getInstance("Ed25519")
              .generatePrivate(
                  new java.security.spec.PKCS8EncodedKeySpec(
                      java.util.Base64.getDecoder().decode(key.encoded()))));
      signer.update((AuditLog.EVENT_PREFIX + hash).getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(signer.sign());
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void wipedEventsAreFound() throws Exception {
    Map<String, Object> checkpoint = checkpoint();
    sql("DELETE FROM audit_events");
    // The head still says 4 events.
    assertThat(broken(verify(null))).containsEntry("reason", "events after 0 were removed");
    truncateAfter(0);
    // An empty trail with its head reset looks like a new one, except against a checkpoint.
    assertThat(verify(null)).containsEntry("valid", true).containsEntry("events", 0L);
    assertThat(broken(verify(checkpoint)))
        .containsEntry("seq", 1L)
        .containsEntry(
            "reason",
            "the chain ends at event 0, before the checkpoint's event 4: events were removed");
  }

  @Test
  void aCheckpointNotSignedByTheServerIsRefused() {
    Map<String, Object> checkpoint = new java.util.HashMap<>(checkpoint());
    checkpoint.put("seq", 3L);
    assertThat(broken(verify(checkpoint)))
        .containsEntry("seq", 3L)
        .containsEntry("reason", "the checkpoint's signature is not this server's");
    checkpoint.put("seq", 4L);
    checkpoint.put("signature", "00".repeat(64));
    assertThat(broken(verify(checkpoint)))
        .containsEntry("reason", "the checkpoint's signature is not this server's");
  }

  @Test
  void aMalformedCheckpointIsA400() {
    Map<String, Object> c = checkpoint();
    String hash = (String) c.get("hash");
    String signature = (String) c.get("signature");
    for (String query :
        List.of(
            "?seq=7",
            "?seq=seven&hash=" + hash + "&signature=" + signature,
            "?seq=-1&hash=" + hash + "&signature=" + signature,
            "?seq=7&hash=abc&signature=" + signature,
            "?seq=7&hash=" + hash + "&signature=zz",
            "?hash=" + hash + "&signature=" + signature)) {
      Response r = admin.get("/api/v1/audit/verify" + query);
      assertThat(r.status()).as(query).isEqualTo(400);
      assertThat(r.object()).containsEntry("code", "invalid_field").containsKey("requestId");
    }
  }
}

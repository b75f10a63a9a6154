package dev.rollgate.server.audit;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.domain.Role;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The append-only, hash-chained, signed audit trail.
 *
 * <p>Each event's {@code hash} is SHA-256 over the previous event's hash, a newline, and the
 * event's canonical JSON (keys sorted, compact; {@code before} and {@code after} as the JSON text
 * stored; {@code actorId} only when the event has one, as events from before actor ids have not).
 * Changing any stored field, or removing or reordering events, breaks the chain from that event on,
 * and {@link #verify} names the first broken one. Events are appended inside the transaction of the
 * change they record.
 *
 * <p>The chain alone can be rebuilt by anyone who can write the database. So each event's hash is
 * also signed with the server's {@link AuditKey}, which is not in the database ({@link
 * #EVENT_PREFIX} then the hash), and a {@link #checkpoint} is the head's sequence number and hash,
 * signed ({@link #CHECKPOINT_PREFIX}, seq, a newline, hash): kept outside, it shows a tail that was
 * cut off. Events from before signatures (an upgraded store) stay unsigned: the first start after
 * the upgrade signs over them with one {@code audit.sign} event ({@link #signUpgradedTrail}).
 */
public final class AuditLog {
  static final String GENESIS = "0".repeat(64);

  /** What an event's signature is over, before its hash. */
  public static final String EVENT_PREFIX = "rollgate-audit-event\n";

  /** What a checkpoint's signature is over, before its sequence number, a newline and hash. */
  public static final String CHECKPOINT_PREFIX = "rollgate-audit-checkpoint\n";

  /**
   * Resources that only admins may read (tokens, webhooks: see TokenRoutes and WebhookRoutes), and
   * so only admins see the events of.
   */
  private static final List<String> ADMIN_ONLY = List.of("tokens/", "webhooks/");

  private final Clock clock;
  private final AuditKey key;
  private final List<Observer> observers = new java.util.concurrent.CopyOnWriteArrayList<>();

  public AuditLog(Clock clock, AuditKey key) {
    this.clock = clock;
    this.key = key;
  }

  /** Hears of every event as it is appended, inside the transaction that appends it. */
  @FunctionalInterface
  public interface Observer {
    void appended(Tx tx, Event event) throws SQLException;
  }

  public void observe(Observer observer) {
    observers.add(observer);
  }

  /**
   * One event as stored and served.
   *
   * @param actorId the acting token's id (or the server actor's name); null on events from before
   *     actor ids
   * @param actor the actor's name at the time
   * @param keyId the fingerprint of the key that signed the event; null when unsigned
   * @param signature the signature of the event's hash, hex; null on events from before signatures
   */
  public record Event(
      long seq,
      String id,
      long at,
      String actorId,
      String actor,
      String action,
      String resource,
      String before,
      String after,
      String comment,
      String prevHash,
      String hash,
      String keyId,
      String signature) {

    /**
     * The event hashed, and signed with {@code key} unless {@code key} is null (a rehearsal, rolled
     * back whatever happens: the signature would be thrown away, and it is the costly part).
     */
    Event signedWith(AuditKey key) {
      String value = expectedHash(this);
      return new Event(
          seq,
          id,
          at,
          actorId,
          actor,
          action,
          resource,
          before,
          after,
          comment,
          prevHash,
          value,
          key == null ? null : key.id(),
          key == null ? null : key.sign(EVENT_PREFIX + value));
    }

    /** The event as served by the API: before and after as JSON values, time as ISO-8601. */
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("seq", seq);
      json.put("id", id);
      json.put("time", Instant.ofEpochMilli(at).toString());
      json.put("actor", actor);
      json.put("actorId", actorId);
      json.put("action", action);
      json.put("resource", resource);
      json.put("before", before == null ? null : Json.parse(before));
      json.put("after", after == null ? null : Json.parse(after));
      if (comment != null) {
        json.put("comment", comment);
      }
      json.put("prevHash", prevHash);
      json.put("hash", hash);
      json.put("keyId", keyId);
      json.put("signature", signature);
      return json;
    }
  }

  /**
   * Takes the chain's head row for the rest of the transaction. A transaction that will append
   * several events after touching other rows takes it first, so that two writers always lock in the
   * same order and cannot deadlock on PostgreSQL.
   */
  public static void lockHead(Tx tx) throws SQLException {
    tx.update("UPDATE audit_head SET seq = seq WHERE id = 1");
  }

  /**
   * Appends an event in the caller's transaction.
   *
   * @param before the resource before the change (a JSON-like value), null when created
   * @param after the resource after the change, null when deleted
   */
  public Event append(
      Tx tx, Actor actor, String action, String resource, Object before, Object after)
      throws SQLException {
    // Taking the head row first serialises concurrent appenders on PostgreSQL.
    tx.update("UPDATE audit_head SET seq = seq + 1 WHERE id = 1");
    Head head = head(tx);
    Event event =
        new Event(
            head.seq(),
            UUID.randomUUID().toString(),
            clock.millis(),
            actor.id(),
            actor.name(),
            action,
            resource,
            before == null ? null : Json.write(Plain.of(before)),
            after == null ? null : Json.write(Plain.of(after)),
            actor.comment(),
            head.hash(),
            null,
            null,
            null);
    // Hashed now (the next event chains to it), signed only when the transaction commits: a
    // rehearsal that rolls back (Catalog) does not pay for the signature.
    Event hashed = event.signedWith(null);
    tx.beforeCommit(() -> {
      Event signed = hashed.signedWith(key);
      tx.update(
          "UPDATE audit_events SET key_id = ?, signature = ? WHERE seq = ?",
          signed.keyId(),
          signed.signature(),
          signed.seq());
    });
    event = hashed;
    tx.update(
        "INSERT INTO audit_events (seq, event_id, at, actor_id, actor, action, resource,"
            + " before_json, after_json, comment, prev_hash, hash, key_id, signature)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        event.seq(),
        event.id(),
        event.at(),
        event.actorId(),
        event.actor(),
        event.action(),
        event.resource(),
        event.before(),
        event.after(),
        event.comment(),
        event.prevHash(),
        event.hash(),
        event.keyId(),
        event.signature());
    tx.update("UPDATE audit_head SET hash = ? WHERE id = 1", event.hash());
    for (Observer observer : observers) {
      observer.appended(tx, event);
    }
    return event;
  }

  /**
   * The hash an event must carry: over its {@code prevHash} and its canonical JSON. Public because
   * anyone may recompute it: the hash shows that events hang together, the signature who wrote it.
   */
  public static String expectedHash(Event e) {
    Map<String, Object> canonical = new TreeMap<>();
    canonical.put("seq", e.seq());
    canonical.put("id", e.id());
    canonical.put("at", e.at());
    if (e.actorId() != null) {
      canonical.put("actorId", e.actorId());
    }
    canonical.put("actor", e.actor());
    canonical.put("action", e.action());
    canonical.put("resource", e.resource());
    canonical.put("before", e.before());
    canonical.put("after", e.after());
    canonical.put("comment", e.comment());
    return Sha256.hex(e.prevHash() + "\n" + Json.write(canonical));
  }

  /**
   * A filter for {@link #query}; null fields do not filter.
   *
   * @param reader the role of whoever reads: events about resources it may not read are left out;
   *     null for the server itself, which reads every event
   */
  public record Query(
      Role reader,
      String resource,
      String actorId,
      String actor,
      String action,
      Long from,
      Long to,
      long afterSeq,
      int limit) {

    /** Every event after {@code afterSeq}, up to {@code limit}: what the server itself reads. */
    static Query all(long afterSeq, int limit) {
      return new Query(null, null, null, null, null, null, null, afterSeq, limit);
    }
  }

  /** Events matching {@code query}, oldest first, at most {@code limit}, after {@code afterSeq}. */
  public List<Event> query(Tx tx, Query query) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT * FROM audit_events WHERE seq > ?");
    List<Object> args = new ArrayList<>(List.of(query.afterSeq()));
    if (query.reader() != null && query.reader() != Role.ADMIN) {
      for (String prefix : ADMIN_ONLY) {
        sql.append(" AND substr(resource, 1, ?) <> ?");
        args.add(prefix.length());
        args.add(prefix);
      }
    }
    if (query.resource() != null) {
      // A resource filter matches the resource and everything below it.
      sql.append(" AND (resource = ? OR substr(resource, 1, ?) = ?)");
      args.add(query.resource());
      args.add(query.resource().length() + 1);
      args.add(query.resource() + "/");
    }
    if (query.actorId() != null) {
      sql.append(" AND actor_id = ?");
      args.add(query.actorId());
    }
    if (query.actor() != null) {
      sql.append(" AND actor = ?");
      args.add(query.actor());
    }
    if (query.action() != null) {
      sql.append(" AND action = ?");
      args.add(query.action());
    }
    if (query.from() != null) {
      sql.append(" AND at >= ?");
      args.add(query.from());
    }
    if (query.to() != null) {
      sql.append(" AND at < ?");
      args.add(query.to());
    }
    sql.append(" ORDER BY seq LIMIT ").append(query.limit());
    return tx.list(sql.toString(), AuditLog::event, args.toArray());
  }

  /**
   * A checkpoint: the chain's head as the server signed it. Kept outside the database, it lets
   * {@link #verify} see that events were removed from the end, which the chain alone cannot show.
   *
   * @param signature hex, over {@link #CHECKPOINT_PREFIX}, {@code seq}, a newline and {@code hash}
   */
  public record Checkpoint(long seq, String hash, String signature) {
    String message() {
      return CHECKPOINT_PREFIX + seq + "\n" + hash;
    }
  }

  /** The chain's head now, signed, with the public key that checks the signature. */
  public Map<String, Object> checkpoint(Tx tx) throws SQLException {
    Head head = head(tx);
    Checkpoint unsigned = new Checkpoint(head.seq(), head.hash(), null);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("seq", head.seq());
    json.put("hash", head.hash());
    json.put("signature", key.sign(unsigned.message()));
    json.put("keyId", key.id());
    json.put("algorithm", "Ed25519");
    json.put("publicKey", key.publicKeyBase64());
    return json;
  }

  /**
   * Signs over the events of a store upgraded from a version without signatures: when the chain
   * holds events and none is signed, appends one signed {@code audit.sign} event, whose signature
   * covers them all through its {@code prevHash}. Runs at start, before any request.
   */
  public void signUpgradedTrail(Tx tx) throws SQLException {
    lockHead(tx);
    if (tx.count("SELECT COUNT(*) FROM audit_events WHERE signature IS NOT NULL") > 0) {
      return;
    }
    long unsigned = tx.count("SELECT COUNT(*) FROM audit_events");
    if (unsigned == 0) {
      return;
    }
    append(
        tx,
        Actor.SYSTEM,
        "audit.sign",
        "audit",
        null,
        Map.of("unsignedEvents", unsigned, "keyId", key.id()));
  }

  /** The outcome of recomputing the chain and checking its signatures. */
  public record Verification(
      boolean valid,
      long events,
      long unsignedEvents,
      String keyId,
      Long checkpointSeq,
      Long brokenSeq,
      String brokenId,
      String reason) {
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("valid", valid);
      json.put("events", events);
      json.put("unsignedEvents", unsignedEvents);
      json.put("keyId", keyId);
      if (checkpointSeq != null) {
        json.put("checkpointSeq", checkpointSeq);
      }
      if (!valid) {
        // A removed tail has no event to name, only the sequence number that is missing.
        Map<String, Object> broken = new LinkedHashMap<>();
        broken.put("seq", brokenSeq);
        if (brokenId != null) {
          broken.put("id", brokenId);
        }
        broken.put("reason", reason);
        json.put("firstBroken", broken);
      }
      return json;
    }
  }

  /**
   * Recomputes every hash in order and checks every signature; names the first event that does not
   * match. With a {@code checkpoint} (may be null), also checks its signature and that the chain
   * still reaches it with the same hash.
   */
  public Verification verify(Tx tx, Checkpoint checkpoint) throws SQLException {
    Long checkpointSeq = checkpoint == null ? null : checkpoint.seq();
    record Broken(long seq, String id, String reason) {}
    Broken broken = null;
    if (checkpoint != null && !key.verifies(checkpoint.message(), checkpoint.signature())) {
      broken =
          new Broken(checkpoint.seq(), null, "the checkpoint's signature is not this server's");
    }
    long count = 0;
    long unsigned = 0;
    boolean signed = false;
    String previous = GENESIS;
    long expectedSeq = 1;
    long after = 0;
    while (broken == null) {
      List<Event> page = query(tx, Query.all(after, 1000));
      for (Event e : page) {
        count++;
        String problem = problem(e, expectedSeq, previous, signed);
        if (problem == null
            && checkpoint != null
            && e.seq() == checkpoint.seq()
            && !e.hash().equals(checkpoint.hash())) {
          problem = "the hash is not the checkpoint's: the chain was rewritten";
        }
        if (problem != null) {
          broken = new Broken(e.seq(), e.id(), problem);
          break;
        }
        if (e.signature() == null) {
          unsigned++;
        } else {
          signed = true;
        }
        previous = e.hash();
        expectedSeq++;
        after = e.seq();
      }
      if (page.size() < 1000) {
        break;
      }
    }
    long last = expectedSeq - 1;
    if (broken == null && count > 0 && !signed) {
      broken = new Broken(1, null, "no event is signed: the chain was rewritten");
    }
    if (broken == null) {
      String headHash =
          tx.one("SELECT hash FROM audit_head WHERE id = 1", r -> r.getString(1)).orElse(GENESIS);
      if (!headHash.equals(previous)) {
        broken = new Broken(expectedSeq, null, "events after " + last + " were removed");
      }
    }
    if (broken == null && checkpoint != null) {
      if (checkpoint.seq() > last) {
        broken =
            new Broken(
                expectedSeq,
                null,
                "the chain ends at event "
                    + last
                    + ", before the checkpoint's event "
                    + checkpoint.seq()
                    + ": events were removed");
      } else if (checkpoint.seq() == 0 && !checkpoint.hash().equals(GENESIS)) {
        broken = new Broken(0, null, "the hash is not the checkpoint's: the chain was rewritten");
      }
    }
    if (broken != null) {
      return new Verification(
          false,
          count,
          unsigned,
          key.id(),
          checkpointSeq,
          broken.seq(),
          broken.id(),
          broken.reason());
    }
    return new Verification(true, count, unsigned, key.id(), checkpointSeq, null, null, null);
  }

  /**
   * What is wrong with one event, or null. Unsigned events may only come before every signed one:
   * they are the events of an upgraded store, which the first signed event covers.
   */
  private String problem(Event e, long expectedSeq, String previous, boolean afterSigned) {
    if (e.seq() != expectedSeq) {
      return "event " + expectedSeq + " is missing";
    }
    if (!e.prevHash().equals(previous)) {
      return "prevHash does not match the previous event's hash";
    }
    if (!e.hash().equals(expectedHash(e))) {
      return "hash does not match the event's content";
    }
    if (e.signature() == null) {
      return afterSigned ? "the event is not signed" : null;
    }
    if (!key.id().equals(e.keyId())) {
      return "the event is signed with key "
          + e.keyId()
          + ", not this server's key "
          + key.id()
          + " (replicas must share ROLLGATE_AUDIT_SIGNING_KEY)";
    }
    if (!key.verifies(EVENT_PREFIX + e.hash(), e.signature())) {
      return "the signature does not match the event";
    }
    return null;
  }

  /** The chain's head row: the last sequence number and its hash. */
  private record Head(long seq, String hash) {}

  private static Head head(Tx tx) throws SQLException {
    return tx.one(
            "SELECT seq, hash FROM audit_head WHERE id = 1",
            r -> new Head(r.getLong(1), r.getString(2)))
        .orElseThrow(() -> new SQLException("audit_head row is missing"));
  }

  private static Event event(ResultSet r) throws SQLException {
    return new Event(
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
        r.getString("signature"));
  }
}

package dev.rollgate.server.audit;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Plain;
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
 * The append-only, hash-chained audit trail.
 *
 * <p>Each event's {@code hash} is SHA-256 over the previous event's hash, a newline, and the
 * event's canonical JSON (keys sorted, compact; {@code before} and {@code after} as the JSON text
 * stored). Changing any stored field, or removing or reordering events, breaks the chain from that
 * event on, and {@link #verify} names the first broken one. Events are appended inside the
 * transaction of the change they record.
 */
public final class AuditLog {
  static final String GENESIS = "0".repeat(64);

  private final Clock clock;
  private final List<Observer> observers = new java.util.concurrent.CopyOnWriteArrayList<>();

  public AuditLog(Clock clock) {
    this.clock = clock;
  }

  /** Hears of every event as it is appended, inside the transaction that appends it. */
  @FunctionalInterface
  public interface Observer {
    void appended(Tx tx, Event event) throws SQLException;
  }

  public void observe(Observer observer) {
    observers.add(observer);
  }

  /** One event as stored and served. */
  public record Event(
      long seq,
      String id,
      long at,
      String actor,
      String action,
      String resource,
      String before,
      String after,
      String comment,
      String prevHash,
      String hash) {

    Event withHash(String value) {
      return new Event(
          seq, id, at, actor, action, resource, before, after, comment, prevHash, value);
    }

    /** The event as served by the API: before and after as JSON values, time as ISO-8601. */
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("seq", seq);
      json.put("id", id);
      json.put("time", Instant.ofEpochMilli(at).toString());
      json.put("actor", actor);
      json.put("action", action);
      json.put("resource", resource);
      json.put("before", before == null ? null : Json.parse(before));
      json.put("after", after == null ? null : Json.parse(after));
      if (comment != null) {
        json.put("comment", comment);
      }
      json.put("prevHash", prevHash);
      json.put("hash", hash);
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
    record Head(long seq, String hash) {}
    Head head =
        tx.one(
                "SELECT seq, hash FROM audit_head WHERE id = 1",
                r -> new Head(r.getLong(1), r.getString(2)))
            .orElseThrow(() -> new SQLException("audit_head row is missing"));
    Event event =
        new Event(
            head.seq(),
            UUID.randomUUID().toString(),
            clock.millis(),
            actor.name(),
            action,
            resource,
            before == null ? null : Json.write(Plain.of(before)),
            after == null ? null : Json.write(Plain.of(after)),
            actor.comment(),
            head.hash(),
            null);
    event = event.withHash(expectedHash(event));
    tx.update(
        "INSERT INTO audit_events (seq, event_id, at, actor, action, resource, before_json, after_json,"
            + " comment, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        event.seq(),
        event.id(),
        event.at(),
        event.actor(),
        event.action(),
        event.resource(),
        event.before(),
        event.after(),
        event.comment(),
        event.prevHash(),
        event.hash());
    tx.update("UPDATE audit_head SET hash = ? WHERE id = 1", event.hash());
    for (Observer observer : observers) {
      observer.appended(tx, event);
    }
    return event;
  }

  /** The hash an event must carry: over its {@code prevHash} and its canonical JSON. */
  static String expectedHash(Event e) {
    Map<String, Object> canonical = new TreeMap<>();
    canonical.put("seq", e.seq());
    canonical.put("id", e.id());
    canonical.put("at", e.at());
    canonical.put("actor", e.actor());
    canonical.put("action", e.action());
    canonical.put("resource", e.resource());
    canonical.put("before", e.before());
    canonical.put("after", e.after());
    canonical.put("comment", e.comment());
    return Sha256.hex(e.prevHash() + "\n" + Json.write(canonical));
  }

  /** A filter for {@link #query}; null fields do not filter. */
  public record Query(
      String resource, String actor, String action, Long from, Long to, long afterSeq, int limit) {}

  /** Events matching {@code query}, oldest first, at most {@code limit}, after {@code afterSeq}. */
  public List<Event> query(Tx tx, Query query) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT * FROM audit_events WHERE seq > ?");
    List<Object> args = new ArrayList<>(List.of(query.afterSeq()));
    if (query.resource() != null) {
      // A resource filter matches the resource and everything below it.
      sql.append(" AND (resource = ? OR substr(resource, 1, ?) = ?)");
      args.add(query.resource());
      args.add(query.resource().length() + 1);
      args.add(query.resource() + "/");
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

  /** The outcome of recomputing the chain. */
  public record Verification(
      boolean valid, long events, Long brokenSeq, String brokenId, String reason) {
    public Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("valid", valid);
      json.put("events", events);
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

  /** Recomputes every hash in order; names the first event that does not match. */
  public Verification verify(Tx tx) throws SQLException {
    long count = 0;
    String previous = GENESIS;
    long expectedSeq = 1;
    long after = 0;
    while (true) {
      List<Event> page = query(tx, new Query(null, null, null, null, null, after, 1000));
      for (Event e : page) {
        count++;
        String problem = null;
        if (e.seq() != expectedSeq) {
          problem = "event " + expectedSeq + " is missing";
        } else if (!e.prevHash().equals(previous)) {
          problem = "prevHash does not match the previous event's hash";
        } else if (!e.hash().equals(expectedHash(e))) {
          problem = "hash does not match the event's content";
        }
        if (problem != null) {
          return new Verification(false, count, e.seq(), e.id(), problem);
        }
        previous = e.hash();
        expectedSeq++;
        after = e.seq();
      }
      if (page.size() < 1000) {
        break;
      }
    }
    String headHash =
        tx.one("SELECT hash FROM audit_head WHERE id = 1", r -> r.getString(1)).orElse(GENESIS);
    if (!headHash.equals(previous)) {
      return new Verification(
          false, count, expectedSeq, null, "events after " + (expectedSeq - 1) + " were removed");
    }
    return new Verification(true, count, null, null, null);
  }

  private static Event event(ResultSet r) throws SQLException {
    return new Event(
        r.getLong("seq"),
        r.getString("event_id"),
        r.getLong("at"),
        r.getString("actor"),
        r.getString("action"),
        r.getString("resource"),
        r.getString("before_json"),
        r.getString("after_json"),
        r.getString("comment"),
        r.getString("prev_hash"),
        r.getString("hash"));
  }
}

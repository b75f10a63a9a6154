package dev.rollgate.server.webhooks;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.audit.Actor;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.net.URI;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Webhook subscriptions, and the outbox of their deliveries.
 *
 * <p>Every audit event that maps to a webhook event ({@link #eventOf}) becomes one delivery per
 * subscribed webhook, written in the same transaction as the change: a committed change is always
 * reported, a rolled-back one never. {@link WebhookDispatcher} sends them.
 */
public final class WebhookService {
  static final Set<String> CREATE_FIELDS = Set.of("url", "events", "secret", "description");
  static final Set<String> EVENTS =
      Set.of(
          "rollout.started",
          "rollout.advanced",
          "rollout.paused",
          "rollout.resumed",
          "rollout.awaiting_approval",
          "rollout.rolled_back",
          "rollout.completed",
          "rollout.aborted",
          "flag.changed",
          "segment.changed",
          "*");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final AuditLog audit;
  private final Clock clock;

  public WebhookService(Database db, AuditLog audit, Clock clock) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    audit.observe(this::enqueue);
  }

  /** The webhook event an audit action is reported as, or null when none is. */
  static String eventOf(String action) {
    if (action.startsWith("rollout.")) {
      return action;
    }
    if (action.startsWith("flag.")) {
      return "flag.changed";
    }
    if (action.startsWith("segment.")) {
      return "segment.changed";
    }
    return null;
  }

  private void enqueue(Tx tx, AuditLog.Event event) throws SQLException {
    String name = eventOf(event.action());
    if (name == null) {
      return;
    }
    record Hook(String id, List<?> events) {}
    List<Hook> hooks =
        tx.list(
            "SELECT webhook_id, events FROM webhooks",
            r -> new Hook(r.getString(1), (List<?>) Json.parse(r.getString(2))));
    for (Hook hook : hooks) {
      if (!hook.events().contains(name) && !hook.events().contains("*")) {
        continue;
      }
      String id = UUID.randomUUID().toString();
      Map<String, Object> payload = new LinkedHashMap<>();
      payload.put("id", id);
      payload.put("event", name);
      payload.put("time", Instant.ofEpochMilli(event.at()).toString());
      payload.put("actor", event.actor());
      payload.put("comment", event.comment());
      payload.put("resource", event.resource());
      payload.put("auditSeq", event.seq());
      String data = event.after() != null ? event.after() : event.before();
      payload.put("data", data == null ? null : Json.parse(data));
      tx.update(
          "INSERT INTO webhook_deliveries (delivery_id, webhook_id, event, payload, created_at,"
              + " status, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?)",
          id,
          hook.id(),
          name,
          Json.write(payload),
          event.at(),
          event.at());
    }
  }

  /** Registers a webhook; the answer carries its secret, which is not shown again. */
  public Map<String, Object> create(Actor actor, JsonBody body) {
    String url = body.string("url", true);
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw Failure.invalidField(body.path("url"), "is not a URL");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw Failure.invalidField(body.path("url"), "must be an absolute http(s) URL");
    }
    List<String> events = body.strings("events");
    if (events == null || events.isEmpty()) {
      throw Failure.invalidField(body.path("events"), "is required: the events to send");
    }
    for (String e : events) {
      if (!EVENTS.contains(e)) {
        throw Failure.invalidField(
            body.path("events"), e + " is not an event; one of " + new java.util.TreeSet<>(EVENTS));
      }
    }
    String secret = body.string("secret", false);
    if (secret == null) {
      byte[] bytes = new byte[24];
      RANDOM.nextBytes(bytes);
      secret = "whsec_" + HexFormat.of().formatHex(bytes);
    } else if (secret.length() < 16 || secret.length() > 128) {
      throw Failure.invalidField(body.path("secret"), "must be 16 to 128 characters");
    }
    String description = body.string("description", false);
    String id = UUID.randomUUID().toString();
    long now = clock.millis();
    String finalSecret = secret;
    Map<String, Object> json =
        db.inTransaction(tx -> {
          tx.update(
              "INSERT INTO webhooks (webhook_id, url, events, secret, description, created_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?)",
              id,
              url,
              Json.write(events),
              finalSecret,
              description == null ? "" : description,
              now);
          Map<String, Object> hook = get(tx, id);
          audit.append(tx, actor, "webhook.create", "webhooks/" + id, null, hook);
          return hook;
        });
    json.put("secret", secret);
    return json;
  }

  public List<Map<String, Object>> list() {
    return db.inTransaction(tx -> {
      List<Map<String, Object>> out = new ArrayList<>();
      for (String id :
          tx.list("SELECT webhook_id FROM webhooks ORDER BY created_at", r -> r.getString(1))) {
        out.add(get(tx, id));
      }
      return out;
    });
  }

  public Map<String, Object> get(String id) {
    return db.inTransaction(tx -> get(tx, id));
  }

  public void delete(Actor actor, String id) {
    db.inTransaction(tx -> {
      Map<String, Object> before = get(tx, id);
      tx.update("DELETE FROM webhooks WHERE webhook_id = ?", id);
      audit.append(tx, actor, "webhook.delete", "webhooks/" + id, before, null);
      return null;
    });
  }

  /** The latest deliveries of a webhook, newest first, each with its attempts. */
  public List<Map<String, Object>> deliveries(String id, int limit) {
    return db.inTransaction(tx -> {
      get(tx, id); // 404s
      List<Map<String, Object>> out =
          tx.list(
              "SELECT delivery_id, event, created_at, status, attempts, next_attempt_at, payload"
                  + " FROM webhook_deliveries WHERE webhook_id = ?"
                  + " ORDER BY created_at DESC, delivery_id LIMIT ?",
              r -> {
                Map<String, Object> d = new LinkedHashMap<>();
                d.put("id", r.getString(1));
                d.put("event", r.getString(2));
                d.put("createdAt", Instant.ofEpochMilli(r.getLong(3)).toString());
                d.put("status", r.getString(4));
                d.put("attempts", r.getLong(5));
                long next = r.getLong(6);
                d.put("nextAttemptAt", r.wasNull() ? null : Instant.ofEpochMilli(next).toString());
                d.put("payload", Json.parse(r.getString(7)));
                return d;
              },
              id,
              limit);
      for (Map<String, Object> d : out) {
        d.put(
            "attemptLog",
            tx.list(
                "SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts"
                    + " WHERE delivery_id = ? ORDER BY attempt",
                r -> {
                  Map<String, Object> a = new LinkedHashMap<>();
                  a.put("attempt", r.getLong(1));
                  a.put("time", Instant.ofEpochMilli(r.getLong(2)).toString());
                  int code = r.getInt(3);
                  a.put("statusCode", r.wasNull() ? null : code);
                  a.put("error", r.getString(4));
                  a.put("durationMs", r.getLong(5));
                  return a;
                },
                d.get("id")));
      }
      return out;
    });
  }

  private static Map<String, Object> get(Tx tx, String id) throws SQLException {
    return tx.one(
            "SELECT webhook_id, url, events, description, created_at FROM webhooks"
                + " WHERE webhook_id = ?",
            r -> {
              Map<String, Object> json = new LinkedHashMap<>();
              json.put("id", r.getString(1));
              json.put("url", r.getString(2));
              json.put("events", Json.parse(r.getString(3)));
              json.put("description", r.getString(4));
              json.put("createdAt", Instant.ofEpochMilli(r.getLong(5)).toString());
              return json;
            },
            id)
        .orElseThrow(() -> Failure.notFound("webhook " + id));
  }
}

package dev.rollgate.server.webhooks;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The webhooks, webhook_deliveries (the outbox) and webhook_attempts tables. */
final class WebhookStore {
  private WebhookStore() {}

  /** Inserts a webhook with its secret already sealed; the readable column stays empty. */
  static void insert(Tx tx, Webhook hook, String sealedSecret) throws SQLException {
    tx.update(
        "INSERT INTO webhooks (webhook_id, url, events, secret, sealed_secret, description,"
            + " created_at) VALUES (?, ?, ?, '', ?, ?, ?)",
        hook.id(),
        hook.url(),
        Json.write(hook.events()),
        sealedSecret,
        hook.description(),
        hook.createdAt().toEpochMilli());
  }

  /** A webhook's stored secret: sealed, or readable when an earlier version wrote it. */
  record StoredSecret(String webhook, String readable, String sealed) {}

  /** Every webhook's stored secret. */
  static List<StoredSecret> secrets(Tx tx) throws SQLException {
    return tx.list(
        "SELECT webhook_id, secret, sealed_secret FROM webhooks ORDER BY webhook_id",
        r -> new StoredSecret(r.getString(1), r.getString(2), r.getString(3)));
  }

  /** Replaces a readable secret by its sealed form, unless another replica did so first. */
  static void seal(Tx tx, String webhook, String sealedSecret) throws SQLException {
    tx.update(
        "UPDATE webhooks SET sealed_secret = ?, secret = ''"
            + " WHERE webhook_id = ? AND sealed_secret IS NULL",
        sealedSecret,
        webhook);
  }

  static List<Webhook> list(Tx tx) throws SQLException {
    return tx.list(
        "SELECT webhook_id, url, events, description, created_at FROM webhooks"
            + " ORDER BY created_at, webhook_id",
        WebhookStore::webhook);
  }

  static Optional<Webhook> find(Tx tx, String id) throws SQLException {
    return tx.one(
        "SELECT webhook_id, url, events, description, created_at FROM webhooks"
            + " WHERE webhook_id = ?",
        WebhookStore::webhook,
        id);
  }

  static void delete(Tx tx, String id) throws SQLException {
    tx.update("DELETE FROM webhooks WHERE webhook_id = ?", id);
  }

  /** Queues a delivery, due at once. */
  static void enqueue(Tx tx, String id, String webhook, String event, String payload, long at)
      throws SQLException {
    tx.update(
        "INSERT INTO webhook_deliveries (delivery_id, webhook_id, event, payload, created_at,"
            + " status, attempts, next_attempt_at) VALUES (?, ?, ?, ?, ?, 'PENDING', 0, ?)",
        id,
        webhook,
        event,
        payload,
        at,
        at);
  }

  /** A webhook's latest deliveries, newest first, each with its attempts. */
  static List<Webhook.Delivery> deliveries(Tx tx, String webhook, int limit) throws SQLException {
    record Row(
        String id,
        String event,
        long createdAt,
        String status,
        long attempts,
        Long next,
        String p) {}
    List<Row> rows =
        tx.list(
            "SELECT delivery_id, event, created_at, status, attempts, next_attempt_at, payload"
                + " FROM webhook_deliveries WHERE webhook_id = ?"
                + " ORDER BY created_at DESC, delivery_id LIMIT ?",
            r -> {
              long next = r.getLong(6);
              Long nextAt = r.wasNull() ? null : next;
              return new Row(
                  r.getString(1),
                  r.getString(2),
                  r.getLong(3),
                  r.getString(4),
                  r.getLong(5),
                  nextAt,
                  r.getString(7));
            },
            webhook,
            limit);
    List<Webhook.Delivery> out = new ArrayList<>();
    for (Row d : rows) {
      out.add(
          new Webhook.Delivery(
              d.id(),
              d.event(),
              Instant.ofEpochMilli(d.createdAt()),
              d.status(),
              d.attempts(),
              d.next() == null ? null : Instant.ofEpochMilli(d.next()),
              Json.parse(d.p()),
              attempts(tx, d.id())));
    }
    return out;
  }

  private static List<Webhook.Attempt> attempts(Tx tx, String delivery) throws SQLException {
    return tx.list(
        "SELECT attempt, at, status_code, error, duration_ms FROM webhook_attempts"
            + " WHERE delivery_id = ? ORDER BY attempt",
        r -> {
          long attempt = r.getLong(1);
          Instant at = Instant.ofEpochMilli(r.getLong(2));
          int code = r.getInt(3);
          Integer statusCode = r.wasNull() ? null : code;
          return new Webhook.Attempt(attempt, at, statusCode, r.getString(4), r.getLong(5));
        },
        delivery);
  }

  /** A delivery that is due, with what sending it takes. */
  record Due(
      String id,
      String hook,
      String event,
      String payload,
      int attempts,
      String url,
      StoredSecret secret) {}

  /** The deliveries due at {@code now}, oldest first. */
  static List<Due> due(Tx tx, long now, int limit) throws SQLException {
    return tx.list(
        "SELECT d.delivery_id, d.webhook_id, d.event, d.payload, d.attempts, w.url,"
            + " w.secret, w.sealed_secret FROM webhook_deliveries d JOIN webhooks w"
            + " ON w.webhook_id = d.webhook_id"
            + " WHERE d.status = 'PENDING' AND d.next_attempt_at <= ?"
            + " ORDER BY d.created_at, d.delivery_id LIMIT ?",
        r ->
            new Due(
                r.getString(1),
                r.getString(2),
                r.getString(3),
                r.getString(4),
                r.getInt(5),
                r.getString(6),
                new StoredSecret(r.getString(2), r.getString(7), r.getString(8))),
        now,
        limit);
  }

  /** Records an attempt and the delivery's new state. */
  static void recordAttempt(
      Tx tx,
      String delivery,
      int attempt,
      long started,
      Integer status,
      String error,
      long durationMs,
      String state,
      Long next)
      throws SQLException {
    tx.update(
        "INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, error, duration_ms)"
            + " VALUES (?, ?, ?, ?, ?, ?)",
        delivery,
        attempt,
        started,
        status,
        error,
        durationMs);
    tx.update(
        "UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?"
            + " WHERE delivery_id = ?",
        state,
        attempt,
        next,
        delivery);
  }

  @SuppressWarnings("unchecked")
  private static Webhook webhook(ResultSet r) throws SQLException {
    return new Webhook(
        r.getString(1),
        r.getString(2),
        (List<String>) Json.parse(r.getString(3)),
        r.getString(4),
        Instant.ofEpochMilli(r.getLong(5)));
  }
}

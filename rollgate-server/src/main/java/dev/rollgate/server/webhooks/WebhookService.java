package dev.rollgate.server.webhooks;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.crypto.SecretBox;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.net.TargetPolicy;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.StoreException;
import dev.rollgate.server.store.Tx;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
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
 *
 * <p>A webhook's URL must pass the {@link TargetPolicy}. Its signing secret is stored sealed by the
 * {@link SecretBox}, and the audit trail, which viewers read, gets the URL {@link #redacted}.
 */
public final class WebhookService {
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
          "flag.scheduled_change_applied",
          "flag.scheduled_change_failed",
          "segment.changed",
          "health.violation_opened",
          "health.violation_resolved",
          "release.planned",
          "release.maintenance_scheduled",
          "release.prechecks_started",
          "release.prechecks_completed",
          "release.prechecks_failed",
          "release.awaiting_approval",
          "release.approved",
          "release.started",
          "release.wave_started",
          "release.wave_completed",
          "release.postchecks_started",
          "release.postchecks_completed",
          "release.start_failed",
          "release.completed",
          "release.paused",
          "release.resumed",
          "release.rolled_back",
          "release.aborted",
          "*");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final AuditLog audit;
  private final Clock clock;
  private final SecretBox secrets;
  private final TargetPolicy targets;

  public WebhookService(
      Database db, AuditLog audit, Clock clock, SecretBox secrets, TargetPolicy targets) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.secrets = secrets;
    this.targets = targets;
    audit.observe(this::enqueue);
  }

  /**
   * Seals the secrets an earlier version stored readable, and checks that the key opens every
   * sealed one, so a wrong key stops the start instead of failing each delivery later.
   *
   * @throws StoreException when some secret does not open with the key
   */
  public void sealStoredSecrets() {
    int unreadable =
        db.inTransaction(tx -> {
          int failed = 0;
          for (WebhookStore.StoredSecret stored : WebhookStore.secrets(tx)) {
            if (stored.sealed() == null) {
              WebhookStore.seal(tx, stored.webhook(), seal(stored.webhook(), stored.readable()));
              continue;
            }
            try {
              secrets.open(stored.sealed(), context(stored.webhook()));
            } catch (SecretBox.Unreadable e) {
              failed++;
            }
          }
          return failed;
        });
    if (unreadable > 0) {
      throw new StoreException(
          "the secret key from "
              + secrets.source()
              + " does not open the signing secrets of "
              + unreadable
              + " webhook(s): they were sealed with another key. Start with the key they were"
              + " sealed with (every replica needs the same "
              + SecretBox.KEY_VARIABLE
              + "); a lost key means those webhooks must be deleted and registered again",
          null);
    }
  }

  /** What binds a sealed secret to its webhook's row. */
  static String context(String webhook) {
    return "webhooks/" + webhook + "/secret";
  }

  private String seal(String webhook, String secret) {
    return secrets.seal(secret, context(webhook));
  }

  /** The secret to sign with: opened from its sealed form, or as an earlier version stored it. */
  static String secret(SecretBox secrets, WebhookStore.StoredSecret stored)
      throws SecretBox.Unreadable {
    return stored.sealed() != null
        ? secrets.open(stored.sealed(), context(stored.webhook()))
        : stored.readable();
  }

  /**
   * {@code url} as the audit trail keeps it: scheme, host and port, with the path and query (where
   * tokens live, as in Slack's URLs) and any credentials replaced by a fingerprint of the whole
   * URL, so a change of URL still shows.
   */
  static String redacted(String url) {
    String origin = "";
    try {
      URI uri = new URI(url);
      if (uri.getScheme() != null && uri.getHost() != null) {
        origin =
            uri.getScheme()
                + "://"
                + uri.getHost()
                + (uri.getPort() == -1 ? "" : ":" + uri.getPort())
                + "/";
      }
    } catch (URISyntaxException e) {
      // nothing of it is kept but the fingerprint
    }
    return origin + "\u2026#sha256:" + Sha256.hex(url, 4);
  }

  /** The webhook as recorded in the audit trail. */
  private static Webhook audited(Webhook hook) {
    return hook == null
        ? null
        : new Webhook(
            hook.id(), redacted(hook.url()), hook.events(), hook.description(), hook.createdAt());
  }

  /** The webhook event an audit action is reported as, or null when none is. */
  static String eventOf(String action) {
    if (action.startsWith("rollout.") || EVENTS.contains(action)) {
      return action; // health.violation_opened, and the other events named as they are audited
    }
    switch (action) {
      case "flag.schedule.applied" -> {
        return "flag.scheduled_change_applied";
      }
      case "flag.schedule.failed" -> {
        return "flag.scheduled_change_failed";
      }
      case "flag.schedule.create", "flag.schedule.cancel" -> {
        return null; // the flag is as it was; its change comes when the schedule applies
      }
      default -> {}
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
    for (Webhook hook : WebhookStore.list(tx)) {
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
      WebhookStore.enqueue(tx, id, hook.id(), name, Json.write(payload), event.at());
    }
  }

  /** A webhook to register; {@code secret} null means one is generated. */
  public record Create(String url, List<String> events, String secret, String description) {}

  /** A webhook just registered, with the secret the caller sees once. */
  public record Created(Webhook webhook, String secret) {}

  /** Registers a webhook; the answer carries its secret, which is not shown again. */
  public Created create(Actor actor, Create command) {
    String url = command.url();
    List<String> events = command.events();
    if (events == null || events.isEmpty()) {
      throw Failure.invalidField("events", "is required: the events to send");
    }
    for (String e : events) {
      if (!EVENTS.contains(e)) {
        throw Failure.invalidField(
            "events", e + " is not an event; one of " + new java.util.TreeSet<>(EVENTS));
      }
    }
    String secret = command.secret();
    if (secret == null) {
      byte[] bytes = new byte[24];
      RANDOM.nextBytes(bytes);
      secret = "whsec_" + HexFormat.of().formatHex(bytes);
    } else if (secret.length() < 16 || secret.length() > 128) {
      throw Failure.invalidField("secret", "must be 16 to 128 characters");
    }
    try {
      targets.check(url); // last: it may ask DNS
    } catch (TargetPolicy.Refused e) {
      throw Failure.invalidField("url", e.getMessage());
    }
    Webhook hook =
        new Webhook(
            UUID.randomUUID().toString(),
            url,
            List.copyOf(events),
            command.description() == null ? "" : command.description(),
            Instant.ofEpochMilli(clock.millis()));
    String sealed = seal(hook.id(), secret);
    db.inTransaction(tx -> {
      WebhookStore.insert(tx, hook, sealed);
      audit.append(tx, actor, "webhook.create", "webhooks/" + hook.id(), null, audited(hook));
      return null;
    });
    return new Created(hook, secret);
  }

  public List<Webhook> list() {
    return db.inTransaction(WebhookStore::list);
  }

  public Webhook get(String id) {
    return db.inTransaction(tx -> get(tx, id));
  }

  public void delete(Actor actor, String id) {
    db.inTransaction(tx -> {
      Webhook before = get(tx, id);
      WebhookStore.delete(tx, id);
      audit.append(tx, actor, "webhook.delete", "webhooks/" + id, audited(before), null);
      return null;
    });
  }

  /** The latest deliveries of a webhook, newest first, each with its attempts. */
  public List<Webhook.Delivery> deliveries(String id, int limit) {
    return db.inTransaction(tx -> {
      get(tx, id); // not found unless it exists
      return WebhookStore.deliveries(tx, id, limit);
    });
  }

  private static Webhook get(Tx tx, String id) throws SQLException {
    return WebhookStore.find(tx, id).orElseThrow(() -> Failure.notFound("webhook " + id));
  }
}

package dev.rollgate.server.events;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where accepted SDK events wait, in the store, until experiments and rollout health have applied
 * them: {@code POST /api/v1/events} answers only once its batch is here, so an acknowledged event
 * survives a crash. Each consumer ({@link Stream}) takes its own rows and removes them in the
 * transaction that applies them, so every event is applied exactly once, by one replica.
 */
public final class EventInbox implements EventSink {
  private static final Logger log = LoggerFactory.getLogger(EventInbox.class);

  /** Who applies an event. */
  public enum Stream {
    /** Exposures and track events. */
    EXPERIMENTS,
    /** Request outcomes. */
    OUTCOMES
  }

  private final Database db;
  private final Clock clock;

  public EventInbox(Database db, Clock clock) {
    this.db = db;
    this.clock = clock;
  }

  /**
   * Keeps {@code events} in one transaction; when this returns they are durable.
   *
   * @throws dev.rollgate.server.store.StoreException when the store cannot take them: none is kept
   */
  @Override
  public void append(String project, String environment, List<Inbound> events) {
    List<Object> experiments = new ArrayList<>();
    List<Object> outcomes = new ArrayList<>();
    for (Inbound event : events) {
      (event instanceof Inbound.Outcome ? outcomes : experiments).add(InboundJson.encode(event));
    }
    if (experiments.isEmpty() && outcomes.isEmpty()) {
      return;
    }
    long now = clock.millis();
    db.inTransaction(tx -> {
      for (Stream stream : Stream.values()) {
        List<Object> rows = stream == Stream.OUTCOMES ? outcomes : experiments;
        if (!rows.isEmpty()) {
          EventInboxStore.insert(
              tx,
              UUID.randomUUID().toString(),
              stream.name(),
              project,
              environment,
              now,
              Json.write(rows));
        }
      }
      return null;
    });
  }

  /**
   * Up to {@code limit} of the oldest batches of {@code stream} that no other transaction holds;
   * remove them with {@link #remove} in the same transaction once applied.
   */
  public List<EventBatch> take(Tx tx, Stream stream, int limit) throws SQLException {
    List<EventBatch> out = new ArrayList<>();
    for (EventInboxStore.Row row : EventInboxStore.oldest(tx, db.dialect(), stream.name(), limit)) {
      out.add(
          new EventBatch(
              row.id(), row.project(), row.environment(), decode(row.id(), row.events())));
    }
    return out;
  }

  /** Removes batches that were applied. */
  public void remove(Tx tx, List<EventBatch> batches) throws SQLException {
    for (EventBatch batch : batches) {
      EventInboxStore.delete(tx, batch.id());
    }
  }

  /** Batches waiting, all streams. */
  public long waiting() {
    return db.inTransaction(EventInboxStore::count);
  }

  /**
   * The events of a stored batch. The server wrote them itself, so a row it cannot read means a
   * damaged store: it is logged and skipped (and removed with the rest) rather than blocking every
   * later batch.
   */
  private static List<Inbound> decode(String id, String json) {
    List<Inbound> out = new ArrayList<>();
    try {
      for (Object item : (List<?>) Json.parse(json)) {
        out.add(InboundJson.decode((Map<?, ?>) item));
      }
    } catch (RuntimeException e) {
      log.error("events: batch {} in the inbox cannot be read ({}); skipped", id, e.toString());
      return List.of();
    }
    return out;
  }
}

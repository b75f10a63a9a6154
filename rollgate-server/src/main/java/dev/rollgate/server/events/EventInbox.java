package dev.rollgate.server.events;

import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
public final class EventInbox {
  private static final Logger log = LoggerFactory.getLogger(EventInbox.class);

  /** Who applies an event. */
  public enum Stream {
    /** Exposures and track events. */
    EXPERIMENTS,
    /** Request outcomes. */
    OUTCOMES
  }

  /** One acknowledged request's events of one stream. */
  public record Batch(String id, String project, String environment, List<Inbound> events) {}

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
  public void append(String project, String environment, List<Inbound> events) {
    List<Object> experiments = new ArrayList<>();
    List<Object> outcomes = new ArrayList<>();
    for (Inbound event : events) {
      (event instanceof Inbound.Outcome ? outcomes : experiments).add(encode(event));
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
  public List<Batch> take(Tx tx, Stream stream, int limit) throws SQLException {
    List<Batch> out = new ArrayList<>();
    for (EventInboxStore.Row row : EventInboxStore.oldest(tx, db.dialect(), stream.name(), limit)) {
      out.add(
          new Batch(row.id(), row.project(), row.environment(), decode(row.id(), row.events())));
    }
    return out;
  }

  /** Removes batches that were applied. */
  public void remove(Tx tx, List<Batch> batches) throws SQLException {
    for (Batch batch : batches) {
      EventInboxStore.delete(tx, batch.id());
    }
  }

  /** Batches waiting, all streams. */
  public long waiting() {
    return db.inTransaction(EventInboxStore::count);
  }

  private static Map<String, Object> encode(Inbound event) {
    Map<String, Object> out = new LinkedHashMap<>();
    switch (event) {
      case Inbound.Exposure x -> {
        out.put("t", "x");
        out.put("flag", x.flag());
        out.put("variant", x.variant());
        out.put("unit", x.unit());
      }
      case Inbound.Track t -> {
        out.put("t", "t");
        out.put("unit", t.unit());
        out.put("name", t.name());
        out.put("value", t.value());
      }
      case Inbound.Outcome o -> {
        out.put("t", "o");
        out.put("flag", o.flag());
        out.put("variant", o.variant());
        out.put("route", o.route());
        out.put("count", o.count());
        out.put("errors", o.errors());
        if (o.latency() != null) {
          out.put("latency", o.latency().toJson());
        }
      }
    }
    out.put("time", event.time());
    return out;
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
        Map<?, ?> e = (Map<?, ?>) item;
        long time = ((Number) e.get("time")).longValue();
        out.add(
            switch ((String) e.get("t")) {
              case "x" ->
                  new Inbound.Exposure(
                      (String) e.get("flag"),
                      (String) e.get("variant"),
                      (String) e.get("unit"),
                      time);
              case "t" ->
                  new Inbound.Track(
                      (String) e.get("unit"),
                      (String) e.get("name"),
                      ((Number) e.get("value")).doubleValue(),
                      time);
              default ->
                  new Inbound.Outcome(
                      (String) e.get("flag"),
                      (String) e.get("variant"),
                      (String) e.get("route"),
                      time,
                      ((Number) e.get("count")).longValue(),
                      ((Number) e.get("errors")).longValue(),
                      e.get("latency") == null
                          ? null
                          : LatencyHistogram.fromJson(e.get("latency")));
            });
      }
    } catch (RuntimeException e) {
      log.error("events: batch {} in the inbox cannot be read ({}); skipped", id, e.toString());
      return List.of();
    }
    return out;
  }
}

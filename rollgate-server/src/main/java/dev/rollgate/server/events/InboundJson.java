package dev.rollgate.server.events;

import dev.rollgate.core.health.LatencyHistogram;
import java.util.LinkedHashMap;
import java.util.Map;

/** An {@link Inbound} event as the server writes it down (inbox rows, Kafka records): compact. */
final class InboundJson {
  private InboundJson() {}

  static Map<String, Object> encode(Inbound event) {
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
   * The event {@link #encode} wrote.
   *
   * @throws RuntimeException (a cast, a missing field) when {@code e} is not one
   */
  static Inbound decode(Map<?, ?> e) {
    long time = ((Number) e.get("time")).longValue();
    return switch ((String) e.get("t")) {
      case "x" ->
          new Inbound.Exposure(
              (String) e.get("flag"), (String) e.get("variant"), (String) e.get("unit"), time);
      case "t" ->
          new Inbound.Track(
              (String) e.get("unit"),
              (String) e.get("name"),
              ((Number) e.get("value")).doubleValue(),
              time);
      case "o" ->
          new Inbound.Outcome(
              (String) e.get("flag"),
              (String) e.get("variant"),
              (String) e.get("route"),
              time,
              ((Number) e.get("count")).longValue(),
              ((Number) e.get("errors")).longValue(),
              e.get("latency") == null ? null : LatencyHistogram.fromJson(e.get("latency")));
      default -> throw new IllegalArgumentException("unknown event type " + e.get("t"));
    };
  }
}

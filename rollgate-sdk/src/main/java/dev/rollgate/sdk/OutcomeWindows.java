package dev.rollgate.sdk;

import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.core.protocol.Protocol;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request outcomes added up per flag, variant, route and second, so that the SDK sends one {@code
 * outcomes} event per second and series however many requests the application serves. Bounded: past
 * {@link #MAX_SERIES} open windows, new ones are dropped and counted.
 */
final class OutcomeWindows {
  static final int MAX_SERIES = 10_000;

  private record Key(String flag, String variant, String route, long second) {}

  private static final class Window {
    long count;
    long errors;
    boolean drained;
    final LatencyHistogram latency = new LatencyHistogram();
  }

  private final Map<Key, Window> open = new ConcurrentHashMap<>();

  /** Adds one outcome; false when it was dropped because too many windows are open. */
  boolean record(
      String flag,
      String variant,
      String route,
      long timeMillis,
      double durationMs,
      boolean error) {
    Key key = new Key(flag, variant, route, timeMillis - Math.floorMod(timeMillis, 1000));
    while (true) {
      Window w = open.get(key);
      if (w == null) {
        if (open.size() >= MAX_SERIES) {
          return false;
        }
        w = open.computeIfAbsent(key, k -> new Window());
      }
      synchronized (w) {
        if (!w.drained) { // else it was sent while this thread waited: open a new one
          w.count++;
          w.errors += error ? 1 : 0;
          w.latency.record(durationMs);
          return true;
        }
      }
    }
  }

  /** Removes the windows that started before {@code beforeMillis} and returns them as events. */
  List<Map<String, Object>> drain(long beforeMillis) {
    List<Map<String, Object>> events = new ArrayList<>();
    for (Iterator<Map.Entry<Key, Window>> it = open.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Key, Window> e = it.next();
      Key k = e.getKey();
      if (k.second() >= beforeMillis) {
        continue;
      }
      it.remove();
      Window w = e.getValue();
      synchronized (w) { // a recorder that found it before removal has finished, or will retry
        w.drained = true;
        Map<String, Object> event = new LinkedHashMap<>();
        event.put(Protocol.FIELD_TYPE, Protocol.EVENT_TYPE_OUTCOMES);
        event.put(Protocol.FIELD_FLAG, k.flag());
        event.put(Protocol.FIELD_VARIANT, k.variant());
        if (k.route() != null) {
          event.put(Protocol.FIELD_ROUTE, k.route());
        }
        event.put(Protocol.FIELD_START, k.second());
        event.put(Protocol.FIELD_END, k.second() + 1000);
        event.put(Protocol.FIELD_COUNT, w.count);
        event.put(Protocol.FIELD_ERRORS, w.errors);
        event.put(Protocol.FIELD_LATENCY, w.latency.toJson());
        events.add(event);
      }
    }
    return events;
  }
}

package dev.rollgate.sdk;

import dev.rollgate.core.Reason;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.protocol.Protocol;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * In-process evaluations added up per flag, variant and reason, sent with each batch as {@code
 * evaluations} events (what the server's usage and stale-flag report count). Once a flag's variant
 * has been seen, counting it allocates nothing. Bounded: past {@link #MAX_SERIES} flag and variant
 * pairs, new ones are not counted.
 */
final class EvaluationCounts {
  static final int MAX_SERIES = 10_000;

  /** One flag's variant: a counter per reason, and what of each was already sent. */
  private static final class Series {
    final Map<Reason, LongAdder> counts = new EnumMap<>(Reason.class);
    final Map<Reason, Long> sent = new EnumMap<>(Reason.class); // read and written by drain only

    Series() {
      for (Reason r : Reason.values()) {
        counts.put(r, new LongAdder());
      }
    }
  }

  private static final int RECENT_SLOTS = 1 << 10;

  private final Map<String, Map<String, Series>> byFlag = new ConcurrentHashMap<>();
  private final AtomicInteger series = new AtomicInteger();

  /** A prepared resolution's counter, found by the resolution's identity. */
  private record Recent(Resolution resolution, LongAdder counter) {}

  // The counters of recently served prepared resolutions (the core shares one per variant, reason
  // and type), direct-mapped by identity: one probe instead of two map lookups and an enum map. A
  // collision or a new snapshot only sends the next evaluation down the maps again. Entries are
  // immutable, so threads read and write slots without locks.
  private final Recent[] recent = new Recent[RECENT_SLOTS];

  /** {@link #record(String, String, Reason)} for a resolution. */
  @SuppressWarnings("ReferenceEquality") // identity is the key: prepared resolutions are shared
  boolean record(Resolution r) {
    int slot = System.identityHashCode(r) & (RECENT_SLOTS - 1);
    Recent hit = recent[slot];
    if (hit != null && hit.resolution == r) {
      hit.counter.increment();
      return true;
    }
    LongAdder counter = counter(r.key(), r.variant(), r.reason());
    if (counter == null) {
      return false;
    }
    counter.increment();
    if (r.variant() != null && r.errorCode() == null) { // prepared: the same object comes again
      recent[slot] = new Recent(r, counter);
    }
    return true;
  }

  /**
   * Counts one evaluation; false when it was not counted because too many series are open. No clock
   * is read here (it would cost more than the count): a batch says when it was drained.
   */
  boolean record(String flag, String variant, Reason reason) {
    LongAdder counter = counter(flag, variant, reason);
    if (counter == null) {
      return false;
    }
    counter.increment();
    return true;
  }

  /** The counter of a flag's variant and reason; null when too many series are open. */
  private LongAdder counter(String flag, String variant, Reason reason) {
    String v = variant == null ? "" : variant;
    Map<String, Series> variants = byFlag.get(flag);
    Series s = variants == null ? null : variants.get(v);
    if (s == null) {
      if (series.get() >= MAX_SERIES) {
        return null;
      }
      s =
          byFlag
              .computeIfAbsent(flag, k -> new ConcurrentHashMap<>())
              .computeIfAbsent(
                  v,
                  k -> {
                    series.incrementAndGet();
                    return new Series();
                  });
    }
    return s.counts.get(reason);
  }

  /**
   * What was counted since the last drain, as events whose time is {@code nowMillis} (the last of
   * them happened since the previous drain, a flush interval ago at most); called by the sending
   * thread only.
   */
  List<Map<String, Object>> drain(long nowMillis) {
    List<Map<String, Object>> events = new ArrayList<>();
    byFlag.forEach((flag, variants) ->
        variants.forEach((variant, s) -> {
          for (Map.Entry<Reason, LongAdder> c : s.counts.entrySet()) {
            long total = c.getValue().sum();
            long before = s.sent.getOrDefault(c.getKey(), 0L);
            if (total > before) {
              Map<String, Object> event = new LinkedHashMap<>();
              event.put(Protocol.FIELD_TYPE, Protocol.EVENT_TYPE_EVALUATIONS);
              event.put(Protocol.FIELD_FLAG, flag);
              event.put(Protocol.FIELD_VARIANT, variant);
              event.put(Protocol.FIELD_REASON, c.getKey().name());
              event.put(Protocol.FIELD_COUNT, total - before);
              event.put(Protocol.FIELD_TIME, nowMillis);
              s.sent.put(c.getKey(), total);
              events.add(event);
            }
          }
        }));
    return events;
  }
}

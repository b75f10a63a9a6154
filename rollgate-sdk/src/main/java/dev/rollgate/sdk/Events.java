package dev.rollgate.sdk;

import dev.rollgate.core.Resolution;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.protocol.Protocol;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Exposures, track events, outcomes and evaluation counts, sent in batches by a background thread
 * to {@code POST /api/v1/events}. Outcomes go as one {@code outcomes} window per flag, variant,
 * route and second ({@link OutcomeWindows}). The queue is bounded: when it is full an event is
 * dropped and counted, and the caller never waits. A batch the server does not take is dropped and
 * counted too.
 */
final class Events implements AutoCloseable {
  static final String LOGGER = "dev.rollgate.sdk.events";
  static final int BATCH = 500;
  private static final int EXPOSURE_SLOTS = 1 << 16; // the deduplication window
  private static final int EXPOSURE_WAYS = 4; // slots a fingerprint may take, side by side

  private final URI endpoint;
  private final String token;
  private final HttpClient http;
  private final Clock clock;
  private final Duration flushInterval;
  private final BlockingQueue<Map<String, Object>> queue;
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final StateLog log = new StateLog(LOGGER);
  // Fingerprints of recent exposures, in sets of slots: an exposure already here is not sent
  // again. A fingerprint can be overwritten by another, which only means one more exposure is sent.
  private final AtomicLongArray seen = new AtomicLongArray(EXPOSURE_SLOTS);
  private final OutcomeWindows windows = new OutcomeWindows();
  private final EvaluationCounts evaluations = new EvaluationCounts();
  private final Thread flusher;
  private volatile boolean closed;

  Events(
      URI base, String token, HttpClient http, Clock clock, Duration flushInterval, int capacity) {
    this.endpoint = base.resolve(Protocol.EVENTS_PATH);
    this.token = token;
    this.http = http;
    this.clock = clock;
    this.flushInterval = flushInterval;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.flusher = Thread.ofPlatform().daemon().name("rollgate-sdk-events").start(this::run);
  }

  /** Records the first evaluation of a flag's variant for a targeting key; allocates only then. */
  void exposure(String flag, String variant, String reason, String targetingKey) {
    long fingerprint = fingerprint(flag, variant, targetingKey);
    if (!firstSeen(fingerprint)) {
      return;
    }
    offer(
        Map.of(
            Protocol.FIELD_TYPE,
            Protocol.EVENT_TYPE_EXPOSURE,
            Protocol.FIELD_FLAG,
            flag,
            Protocol.FIELD_VARIANT,
            variant,
            Protocol.FIELD_REASON,
            reason,
            Protocol.FIELD_TARGETING_KEY,
            targetingKey == null ? "" : targetingKey,
            Protocol.FIELD_TIME,
            clock.millis()));
  }

  /** Counts an evaluation for the server's flag usage; allocates only for a new variant. */
  void evaluated(Resolution resolution) {
    if (closed || !evaluations.record(resolution)) {
      dropped.incrementAndGet();
    }
  }

  /**
   * Whether {@code fingerprint} is not among the recent ones, which it then joins. A fingerprint
   * goes in one set of {@value #EXPOSURE_WAYS} slots (one cache line), into a free slot if there is
   * one: two exposures whose fingerprints share a set do not evict each other and get sent again
   * and again, as they would with one slot a set.
   */
  boolean firstSeen(long fingerprint) {
    int set = (int) (fingerprint >>> 48) & (EXPOSURE_SLOTS - EXPOSURE_WAYS);
    int free = -1;
    for (int way = 0; way < EXPOSURE_WAYS; way++) {
      long seenHere = seen.get(set + way);
      if (seenHere == fingerprint) {
        return false;
      }
      if (seenHere == 0 && free < 0) {
        free = set + way;
      }
    }
    // A full set loses a slot chosen by other bits of the fingerprint.
    seen.set(
        free >= 0 ? free : set + (int) (fingerprint >>> 40 & (EXPOSURE_WAYS - 1)), fingerprint);
    return true;
  }

  private static long fingerprint(String flag, String variant, String targetingKey) {
    long h = flag.hashCode();
    h = h * 0x9E3779B97F4A7C15L + variant.hashCode();
    h = h * 0x9E3779B97F4A7C15L + (targetingKey == null ? 0 : targetingKey.hashCode());
    h ^= h >>> 31;
    return h * 0xBF58476D1CE4E5B9L | 1; // never 0, the empty slot
  }

  void track(String name, String targetingKey, Double value) {
    Map<String, Object> event = new java.util.HashMap<>();
    event.put(Protocol.FIELD_TYPE, Protocol.EVENT_TYPE_TRACK);
    event.put(Protocol.FIELD_NAME, name);
    event.put(Protocol.FIELD_TARGETING_KEY, targetingKey == null ? "" : targetingKey);
    if (value != null) {
      event.put(Protocol.FIELD_VALUE, value);
    }
    event.put(Protocol.FIELD_TIME, clock.millis());
    offer(event);
  }

  /** Adds a request's outcome to its second's window; windows are sent once their second ends. */
  void outcome(String flag, String variant, String route, long durationNanos, boolean error) {
    if (closed
        || !windows.record(
            flag,
            variant == null ? "" : variant,
            route,
            clock.millis(),
            durationNanos / 1e6,
            error)) {
      dropped.incrementAndGet();
    }
  }

  private void offer(Map<String, Object> event) {
    if (closed || !queue.offer(event)) {
      dropped.incrementAndGet();
    }
  }

  long dropped() {
    return dropped.get();
  }

  long sent() {
    return sent.get();
  }

  private void run() {
    // Wakes at least every 100 ms to notice close(); sends when the interval passed or a batch is
    // full.
    long nextFlush = System.nanoTime() + flushInterval.toNanos();
    List<Map<String, Object>> batch = new ArrayList<>(BATCH);
    while (true) {
      try {
        Map<String, Object> event =
            queue.poll(Math.min(100, flushInterval.toMillis()), TimeUnit.MILLISECONDS);
        if (event != null) {
          batch.add(event);
          queue.drainTo(batch, BATCH - batch.size());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      boolean stopping = closed || Thread.currentThread().isInterrupted();
      boolean due = System.nanoTime() >= nextFlush || stopping;
      if (due) {
        batch.addAll(windows.drain(stopping ? Long.MAX_VALUE : clock.millis() / 1000 * 1000));
        batch.addAll(evaluations.drain(clock.millis()));
      }
      if (!batch.isEmpty() && (batch.size() >= BATCH || due)) {
        for (int from = 0; from < batch.size(); from += BATCH) {
          send(new ArrayList<>(batch.subList(from, Math.min(batch.size(), from + BATCH))));
        }
        batch.clear();
        nextFlush = System.nanoTime() + flushInterval.toNanos();
      }
      if (stopping && queue.isEmpty()) {
        return;
      }
    }
  }

  /**
   * Sends one batch. A batch the server does not take is dropped and counted, never retried (an
   * older server, or one that refuses the batch, would refuse it again); that is logged on {@value
   * #LOGGER} once until a batch is accepted again.
   */
  void send(List<Map<String, Object>> batch) {
    int size = batch.size();
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(endpoint)
                  .header(Protocol.HEADER_API_KEY, token)
                  .header("Content-Type", "application/json")
                  .timeout(Duration.ofSeconds(10))
                  .POST(
                      HttpRequest.BodyPublishers.ofByteArray(
                          Json.writeBytes(Map.of(Protocol.BATCH_EVENTS, batch))))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      int code = response.statusCode();
      if (code / 100 == 2) {
        sent.addAndGet(size);
        log.recovered(() -> "Rollgate accepts events again at " + StreamFollower.display(endpoint));
      } else {
        dropped.addAndGet(size);
        log.failed("HTTP " + code, () -> notTaken(size, "HTTP " + code));
      }
    } catch (IOException e) {
      dropped.addAndGet(size);
      log.failed(e.getClass().getName(), () -> notTaken(size, e.toString()));
    } catch (InterruptedException e) {
      dropped.addAndGet(size);
      Thread.currentThread().interrupt();
    }
  }

  private String notTaken(int size, String cause) {
    return "Rollgate did not take a batch of "
        + size
        + (size == 1 ? " event (" : " events (")
        + cause
        + " from "
        + StreamFollower.display(endpoint)
        + "); batches it does not take are dropped and counted (droppedEvents), not retried";
  }

  /** Sends what is queued, then stops the thread. */
  @Override
  public void close() {
    closed = true; // the thread sends what is left and ends
    try {
      flusher.join(15_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

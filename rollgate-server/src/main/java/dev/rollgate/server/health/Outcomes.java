package dev.rollgate.server.health;

import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.server.events.EventApplier;
import dev.rollgate.server.events.EventBatch;
import dev.rollgate.server.events.EventInbox;
import dev.rollgate.server.events.Inbound;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Request outcomes per flag, variant (cohort) and route: what rollouts judge health on.
 *
 * <p>Outcomes that SDKs sent wait in the {@link EventInbox}, or come from Kafka through {@link
 * #apply}; outcomes recorded in process ({@link #record}) are added up in memory per second. {@link
 * #flush} (every second on a running server) writes both to the store, merged into what other
 * replicas wrote for the same second. They are exported in /metrics as {@code
 * rollgate_outcomes_requests_total}, {@code rollgate_outcomes_errors_total} and the latency
 * quantiles of the last complete 10 s on this replica ({@code
 * rollgate_outcomes_latency_ms{quantile}}).
 */
public final class Outcomes implements EventApplier {
  private static final Logger log = LoggerFactory.getLogger(Outcomes.class);

  /** Pending seconds kept while the store is down; beyond this, outcomes are dropped. */
  private static final int MAX_PENDING = 100_000;

  private static final long GAUGE_WINDOW_MS = 10_000;
  private static final int INBOX_PAGE = 200;

  /** One row of {@code outcome_windows}: {@code second} is the window's start in epoch ms. */
  record Key(
      String project, String environment, String flag, String variant, String route, long second) {}

  private record Series(String project, String environment, String flag, String variant) {}

  /** The latency of the current and the last complete gauge window of one series. */
  private static final class Recent {
    long windowStart;
    LatencyHistogram current = new LatencyHistogram();
    LatencyHistogram last = new LatencyHistogram();
  }

  private final Database db;
  private final EventInbox inbox;
  private final Clock clock;
  private final MeterRegistry meters;
  private final Duration retention;
  private final ReadWriteLock swap = new ReentrantReadWriteLock();
  private volatile Map<Key, CohortStats> pending = new ConcurrentHashMap<>();
  private final Map<Series, Recent> recent = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private long nextPrune;

  public Outcomes(
      Database db, EventInbox inbox, Clock clock, MeterRegistry meters, Duration retention) {
    this.db = db;
    this.inbox = inbox;
    this.clock = clock;
    this.meters = meters;
    this.retention = retention;
    Gauge.builder("rollgate.outcomes.dropped", dropped, AtomicLong::get)
        .description("Outcomes dropped because the store was unreachable for too long")
        .register(meters);
  }

  /**
   * Records outcomes of one flag's variant at {@code time} (epoch ms).
   *
   * @param latency the requests' durations, or null when not measured
   */
  public void record(
      String project,
      String environment,
      String flag,
      String variant,
      String route,
      long time,
      long requests,
      long errors,
      LatencyHistogram latency) {
    Key key = key(project, environment, flag, variant, route, time);
    if (addPending(key, requests, errors, latency)) {
      export(new Series(project, environment, flag, variant), time, requests, errors, latency);
    }
  }

  /** Adds to what the next flush writes; false when dropped because too much is waiting. */
  private boolean addPending(Key key, long requests, long errors, LatencyHistogram latency) {
    swap.readLock().lock();
    try {
      if (pending.size() >= MAX_PENDING && !pending.containsKey(key)) {
        dropped.addAndGet(requests);
        return false;
      }
      pending
          .computeIfAbsent(key, k -> new CohortStats())
          .addSynchronized(requests, errors, latency);
      return true;
    } finally {
      swap.readLock().unlock();
    }
  }

  private void export(Series s, long time, long requests, long errors, LatencyHistogram latency) {
    String[] tags = {
      "project",
      s.project(),
      "environment",
      s.environment(),
      "flag",
      s.flag(),
      "variant",
      s.variant()
    };
    Counter.builder("rollgate.outcomes.requests")
        .description("Request outcomes reported by SDKs")
        .tags(tags)
        .register(meters)
        .increment((double) requests);
    Counter.builder("rollgate.outcomes.errors")
        .description("Request outcomes reported as errors")
        .tags(tags)
        .register(meters)
        .increment((double) errors);
    if (latency == null) {
      return;
    }
    Recent r =
        recent.computeIfAbsent(
            s,
            k -> {
              Recent fresh = new Recent();
              for (double q : new double[] {0.5, 0.95, 0.99}) {
                Gauge.builder("rollgate.outcomes.latency", fresh, x -> quantile(x, q))
                    .description("Request latency in the last complete 10 s on this replica")
                    .baseUnit("ms")
                    .tags(tags)
                    .tag("quantile", Double.toString(q))
                    .register(meters);
              }
              return fresh;
            });
    synchronized (r) {
      roll(r, time);
      r.current.merge(latency);
    }
  }

  private double quantile(Recent r, double q) {
    synchronized (r) {
      roll(r, clock.millis());
      return r.last.quantile(q);
    }
  }

  private static void roll(Recent r, long now) {
    long window = now - Math.floorMod(now, GAUGE_WINDOW_MS);
    if (window > r.windowStart) {
      r.last = window - r.windowStart == GAUGE_WINDOW_MS ? r.current : new LatencyHistogram();
      r.current = new LatencyHistogram();
      r.windowStart = window;
    }
  }

  /**
   * Writes what was recorded here and what waits in the inbox to the store, a page of the inbox per
   * transaction, rows in one order (so replicas flushing at once cannot deadlock), removing what it
   * wrote from the inbox in the same transaction. When the store fails, the outcomes recorded here
   * wait for the next flush, and the inbox keeps its rows.
   */
  public void flush() {
    Map<Key, CohortStats> recorded;
    swap.writeLock().lock();
    try {
      recorded = pending;
      pending = new ConcurrentHashMap<>();
    } finally {
      swap.writeLock().unlock();
    }
    Map<Key, CohortStats> memory = recorded;
    try {
      boolean more = true;
      while (more) {
        Map<Key, CohortStats> first = memory;
        List<EventBatch> applied = new ArrayList<>();
        more =
            db.inTransaction(tx -> {
              List<EventBatch> taken = inbox.take(tx, EventInbox.Stream.OUTCOMES, INBOX_PAGE);
              apply(tx, first, taken);
              inbox.remove(tx, taken);
              applied.addAll(taken);
              return taken.size() == INBOX_PAGE;
            });
        memory = Map.of();
        committed(applied);
      }
    } catch (RuntimeException e) {
      log.warn("outcomes: cannot write {} rows ({}); retrying", memory.size(), e.getMessage());
      memory.forEach(
          (key, stats) -> addPending(key, stats.requests(), stats.errors(), stats.latency()));
      return;
    }
    long now = clock.millis();
    if (now >= nextPrune) {
      nextPrune = now + Duration.ofHours(1).toMillis();
      int pruned = db.inTransaction(tx -> OutcomeStore.prune(tx, now - retention.toMillis()));
      if (pruned > 0) {
        log.info("outcomes: pruned {} rows older than {}", pruned, retention);
      }
    }
  }

  /**
   * Writes SDK outcomes (from the inbox or from Kafka) in {@code tx}, merged into the store's rows:
   * the same code whichever path they came by.
   */
  @Override
  public void apply(Tx tx, List<EventBatch> batches) throws SQLException {
    apply(tx, Map.of(), batches);
  }

  /** Writes outcomes recorded here and SDK outcomes together, a row per key. */
  private void apply(Tx tx, Map<Key, CohortStats> recorded, List<EventBatch> batches)
      throws SQLException {
    Map<Key, CohortStats> batch = new HashMap<>();
    recorded.forEach((key, stats) -> batch.computeIfAbsent(key, k -> new CohortStats()).add(stats));
    for (EventBatch b : batches) {
      for (Inbound event : b.events()) {
        if (event instanceof Inbound.Outcome o) {
          batch
              .computeIfAbsent(
                  key(b.project(), b.environment(), o.flag(), o.variant(), o.route(), o.time()),
                  k -> new CohortStats())
              .add(o.count(), o.errors(), o.latency());
        }
      }
    }
    write(tx, batch);
  }

  /** SDK outcomes are exported in /metrics once they are in the store. */
  @Override
  public void committed(List<EventBatch> batches) {
    for (EventBatch b : batches) {
      for (Inbound event : b.events()) {
        if (event instanceof Inbound.Outcome o) {
          export(
              new Series(b.project(), b.environment(), o.flag(), o.variant()),
              o.time(),
              o.count(),
              o.errors(),
              o.latency());
        }
      }
    }
  }

  /** The row an outcome at {@code time} adds to: its second's. */
  private static Key key(
      String project, String environment, String flag, String variant, String route, long time) {
    return new Key(project, environment, flag, variant, route, time - Math.floorMod(time, 1000));
  }

  private void write(Tx tx, Map<Key, CohortStats> batch) throws SQLException {
    List<Key> keys = new ArrayList<>(batch.keySet());
    keys.sort(
        Comparator.comparing(Key::project)
            .thenComparing(Key::environment)
            .thenComparing(Key::flag)
            .thenComparingLong(Key::second)
            .thenComparing(Key::variant)
            .thenComparing(Key::route));
    for (Key key : keys) {
      OutcomeStore.merge(tx, db.dialect(), key, batch.get(key));
    }
  }

  /** Per variant, what was recorded for a flag in {@code [from, to)}, all routes together. */
  public Map<String, CohortStats> byVariant(
      String project, String environment, String flag, long from, long to) {
    return db.inTransaction(tx -> OutcomeStore.byVariant(tx, project, environment, flag, from, to));
  }

  /**
   * A flag's outcomes in {@code [from, to)} (epoch ms) in steps of {@code stepMs} from {@code
   * from}: per step that has any, per variant, all routes together and each route.
   */
  public FlagMetrics metrics(
      String project, String environment, String flag, long from, long to, long stepMs) {
    List<FlagMetrics.Point> points = new ArrayList<>();
    series(project, environment, flag, from, to, stepMs)
        .forEach((start, variants) -> {
          Map<String, Map<String, Object>> byVariant = new LinkedHashMap<>();
          variants.forEach((variant, routes) -> {
            CohortStats all = new CohortStats();
            Map<String, Object> byRoute = new LinkedHashMap<>();
            routes.forEach((route, stats) -> {
              all.add(stats);
              if (!route.isEmpty()) {
                byRoute.put(route, stats.toJson());
              }
            });
            Map<String, Object> v = all.toJson();
            v.put("routes", byRoute);
            byVariant.put(variant, v);
          });
          points.add(new FlagMetrics.Point(Instant.ofEpochMilli(start), byVariant));
        });
    return new FlagMetrics(
        flag,
        environment,
        Instant.ofEpochMilli(from),
        Instant.ofEpochMilli(to),
        stepMs / 1000,
        List.copyOf(points));
  }

  /** Per step, variant and route, what was recorded for a flag in {@code [from, to)}. */
  public Map<Long, Map<String, Map<String, CohortStats>>> series(
      String project, String environment, String flag, long from, long to, long step) {
    return db.inTransaction(
        tx -> OutcomeStore.series(tx, project, environment, flag, from, to, step));
  }
}

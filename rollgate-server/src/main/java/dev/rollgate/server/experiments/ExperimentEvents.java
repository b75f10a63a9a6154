package dev.rollgate.server.experiments;

import dev.rollgate.server.evaluation.ExposureSink;
import dev.rollgate.server.events.EventApplier;
import dev.rollgate.server.events.EventBatch;
import dev.rollgate.server.events.EventInbox;
import dev.rollgate.server.events.Inbound;
import dev.rollgate.server.store.Database;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exposures and track events, attributed to running experiments.
 *
 * <p>SDKs' events wait in the {@link EventInbox} (they were acknowledged, so they are in the
 * store), or come from Kafka through {@link #apply}; exposures from OFREP evaluations are queued in
 * memory. {@link #flush} (every second on a running server) applies both in one transaction, in
 * time order, and removes what it applied from the inbox in the same transaction:
 *
 * <ul>
 *   <li>an exposure of a flag under a running experiment assigns the unit to the variant it saw,
 *       the first time only (assignment is sticky), adds it to the variant's n, and takes its
 *       pre-period value of each metric from its all-time totals (for CUPED);
 *   <li>a track event adds to the unit's all-time totals and, in each running experiment the unit
 *       was exposed to before the event, moves the unit's value of every metric using that event
 *       and, by the difference, its variant's sums.
 * </ul>
 *
 * <p>Exposures of flags without a running experiment are dropped at once, without allocating: OFREP
 * calls this on every evaluation.
 */
public final class ExperimentEvents implements ExposureSink, EventApplier {
  private static final Logger log = LoggerFactory.getLogger(ExperimentEvents.class);
  private static final int MAX_QUEUED = 200_000;
  private static final long REFRESH_MS = 5_000;
  private static final int INBOX_PAGE = 200;

  /** A running experiment, as the ingestion needs it. */
  private record Running(Experiment experiment, List<MetricDefinition> metrics) {}

  private sealed interface Event permits Exposure, Track {
    long time();
  }

  private record Exposure(
      String project, String environment, String flag, String variant, String unit, long time)
      implements Event {}

  private record Track(
      String project, String environment, String unit, String name, double value, long time)
      implements Event {}

  private final Database db;
  private final EventInbox inbox;
  private final Clock clock;
  private final AtomicLong dropped = new AtomicLong();
  private final Object queueLock = new Object();
  private final Object applyLock = new Object();
  private List<Event> queue = new ArrayList<>();
  // project -> environment -> flag -> running experiment
  private volatile Map<String, Map<String, Map<String, Running>>> running = Map.of();
  private long nextRefresh;

  public ExperimentEvents(Database db, EventInbox inbox, Clock clock) {
    this.db = db;
    this.inbox = inbox;
    this.clock = clock;
    refresh();
  }

  /** A unit saw {@code variant} of {@code flag} just now (an OFREP evaluation). */
  @Override
  public void exposure(
      String project, String environment, String flag, String variant, String unit) {
    exposure(project, environment, flag, variant, unit, clock.millis());
  }

  /** A unit saw {@code variant} of {@code flag} at {@code time}. */
  void exposure(
      String project, String environment, String flag, String variant, String unit, long time) {
    Exposure x = exposureOrNull(project, environment, flag, variant, unit, time);
    if (x != null) {
      offer(x);
    }
  }

  @Override
  public boolean observes(String project, String environment, String flag) {
    return runningFor(project, environment, flag) != null;
  }

  /** The exposure when it can count for a running experiment, else null. */
  private Exposure exposureOrNull(
      String project, String environment, String flag, String variant, String unit, long time) {
    if (unit == null
        || unit.isEmpty()
        || variant == null
        || runningFor(project, environment, flag) == null) {
      return null;
    }
    return new Exposure(project, environment, flag, variant, unit, time);
  }

  private Running runningFor(String project, String environment, String flag) {
    Map<String, Map<String, Running>> environments = running.get(project);
    if (environments == null) {
      return null;
    }
    Map<String, Running> flags = environments.get(environment);
    return flags == null ? null : flags.get(flag);
  }

  private void offer(Event event) {
    synchronized (queueLock) {
      if (queue.size() >= MAX_QUEUED) {
        dropped.incrementAndGet();
        return;
      }
      queue.add(event);
    }
  }

  public long dropped() {
    return dropped.get();
  }

  /** Reads which experiments run (after a start or stop, and every few seconds for replicas). */
  public void refresh() {
    Map<String, Map<String, Map<String, Running>>> fresh = new ConcurrentHashMap<>();
    db.inTransaction(tx -> {
      for (Experiment e : ExperimentStore.running(tx)) {
        List<MetricDefinition> metrics = new ArrayList<>();
        for (String key : e.definition().metrics()) {
          MetricService.find(tx, e.project(), key)
              .filter(m -> !m.builtIn())
              .ifPresent(metrics::add);
        }
        fresh
            .computeIfAbsent(e.project(), p -> new ConcurrentHashMap<>())
            .computeIfAbsent(e.environment(), x -> new ConcurrentHashMap<>())
            .put(e.flag(), new Running(e, metrics));
      }
      return null;
    });
    running = fresh;
    nextRefresh = clock.millis() + REFRESH_MS;
  }

  /**
   * Applies what was queued and what waits in the inbox, a page of the inbox per transaction, and
   * removes what it applied from the inbox in the same transaction. When the store fails, the
   * queued events wait for the next flush, and the inbox keeps its rows.
   */
  public synchronized void flush() {
    if (clock.millis() >= nextRefresh) {
      refresh();
    }
    List<Event> queued;
    synchronized (queueLock) {
      queued = queue;
      queue = new ArrayList<>();
    }
    try {
      boolean more = true;
      while (more) {
        List<Event> memory = queued;
        more =
            db.inTransaction(tx -> {
              List<EventBatch> taken = inbox.take(tx, EventInbox.Stream.EXPERIMENTS, INBOX_PAGE);
              apply(tx, memory, taken);
              inbox.remove(tx, taken);
              return taken.size() == INBOX_PAGE;
            });
        queued = List.of();
      }
    } catch (RuntimeException e) {
      log.warn("experiments: cannot apply events ({}); retrying", e.getMessage());
      synchronized (queueLock) {
        List<Event> again = new ArrayList<>(queued);
        again.addAll(queue);
        queue = again;
      }
    }
  }

  /**
   * Applies SDK events (from the inbox or from Kafka) in {@code tx}: the same rules, whichever path
   * they came by.
   */
  @Override
  public void apply(Tx tx, List<EventBatch> batches) throws SQLException {
    apply(tx, List.of(), batches);
  }

  /**
   * Applies queued OFREP exposures and SDK events together, in time order. One transaction at a
   * time per replica applies (the lock is taken inside the transaction, so a one-connection pool
   * cannot deadlock): its flush and its Kafka consumer never wait on each other's rows in a cycle.
   */
  private void apply(Tx tx, List<Event> queued, List<EventBatch> batches) throws SQLException {
    synchronized (applyLock) {
      applyInOrder(tx, queued, batches);
    }
  }

  private void applyInOrder(Tx tx, List<Event> queued, List<EventBatch> batches)
      throws SQLException {
    List<Event> batch = new ArrayList<>(queued);
    for (EventBatch b : batches) {
      for (Inbound event : b.events()) {
        Event e = event(b.project(), b.environment(), event);
        if (e != null) {
          batch.add(e);
        }
      }
    }
    batch.sort(Comparator.comparingLong(Event::time));
    for (Event event : batch) {
      switch (event) {
        case Exposure x -> apply(tx, x);
        case Track t -> apply(tx, t);
      }
    }
  }

  /** An SDK event as this class applies it, or null when it cannot count. */
  private Event event(String project, String environment, Inbound event) {
    return switch (event) {
      case Inbound.Exposure x ->
          exposureOrNull(project, environment, x.flag(), x.variant(), x.unit(), x.time());
      case Inbound.Track t ->
          t.unit() == null || t.unit().isEmpty()
              ? null
              : new Track(project, environment, t.unit(), t.name(), t.value(), t.time());
      case Inbound.Outcome o -> null; // rollout health's
    };
  }

  private void apply(Tx tx, Exposure x) throws SQLException {
    Running r = runningFor(x.project(), x.environment(), x.flag());
    if (r == null || !r.experiment().definition().variants().containsKey(x.variant())) {
      return;
    }
    String id = r.experiment().id();
    if (!ExperimentStore.expose(tx, id, x.unit(), x.variant(), x.time())) {
      return; // seen before: its first variant stands
    }
    ExperimentStore.addUnit(tx, id, x.variant(), ExperimentStore.UNITS, 0);
    for (MetricDefinition m : r.metrics()) {
      double pre = preValue(tx, x, m);
      ExperimentStore.addUnit(tx, id, x.variant(), m.key(), pre);
      ExperimentStore.insertUnitValue(tx, id, x.unit(), m.key(), pre);
    }
  }

  /** The unit's value of {@code m} over everything it did before it was exposed. */
  private static double preValue(Tx tx, Exposure x, MetricDefinition m) throws SQLException {
    ExperimentStore.Totals totals =
        ExperimentStore.totals(tx, x.project(), x.environment(), x.unit(), m.event());
    return switch (m.kind()) {
      case CONVERSION -> totals.occurrences() > 0 ? 1 : 0;
      case SUM -> totals.valueSum();
      default -> 0; // ratios are not adjusted
    };
  }

  private void apply(Tx tx, Track t) throws SQLException {
    ExperimentStore.addToTotals(tx, t.project(), t.environment(), t.unit(), t.name(), t.value());
    Map<String, Map<String, Running>> environments = running.get(t.project());
    Map<String, Running> flags = environments == null ? null : environments.get(t.environment());
    if (flags == null) {
      return;
    }
    for (Running r : flags.values()) {
      List<MetricDefinition> affected = r.metrics().stream().filter(m -> m.uses(t.name())).toList();
      if (affected.isEmpty()) {
        continue;
      }
      String id = r.experiment().id();
      var exposure = ExperimentStore.exposure(tx, id, t.unit());
      if (exposure.isEmpty() || exposure.get().at() > t.time()) {
        continue; // not in the experiment, or not yet when this happened
      }
      for (MetricDefinition m : affected) {
        var old = ExperimentStore.unitValue(tx, db.dialect(), id, t.unit(), m.key());
        if (old.isPresent()) {
          ExperimentStore.change(
              tx,
              id,
              t.unit(),
              exposure.get().variant(),
              m.key(),
              old.get(),
              next(m, old.get(), t));
        }
      }
    }
  }

  /** A unit's value of {@code m} after event {@code t}. */
  private static ExperimentStore.UnitValue next(
      MetricDefinition m, ExperimentStore.UnitValue old, Track t) {
    double value = old.value();
    double denominator = old.denominator();
    switch (m.kind()) {
      case CONVERSION -> value = 1;
      case SUM -> value += t.value();
      case MEAN -> {
        value += t.value();
        denominator += 1;
      }
      default -> { // ratio
        if (t.name().equals(m.event())) {
          value += t.value();
        }
        if (t.name().equals(m.denominatorEvent())) {
          denominator += t.value();
        }
      }
    }
    return new ExperimentStore.UnitValue(value, denominator, old.pre());
  }
}

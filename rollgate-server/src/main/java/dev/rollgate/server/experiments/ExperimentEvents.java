package dev.rollgate.server.experiments;

import dev.rollgate.server.evaluation.ExposureSink;
import dev.rollgate.server.evaluation.TrackSink;
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
 * <p>They are queued in memory and applied by {@link #flush} (every second on a running server) in
 * one transaction, in time order:
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
public final class ExperimentEvents implements ExposureSink, TrackSink {
  private static final Logger log = LoggerFactory.getLogger(ExperimentEvents.class);
  private static final int MAX_QUEUED = 200_000;
  private static final long REFRESH_MS = 5_000;

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
  private final Clock clock;
  private final AtomicLong dropped = new AtomicLong();
  private final Object queueLock = new Object();
  private List<Event> queue = new ArrayList<>();
  // project -> environment -> flag -> running experiment
  private volatile Map<String, Map<String, Map<String, Running>>> running = Map.of();
  private long nextRefresh;

  public ExperimentEvents(Database db, Clock clock) {
    this.db = db;
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
  @Override
  public void exposure(
      String project, String environment, String flag, String variant, String unit, long time) {
    if (unit == null
        || unit.isEmpty()
        || variant == null
        || runningFor(project, environment, flag) == null) {
      return;
    }
    offer(new Exposure(project, environment, flag, variant, unit, time));
  }

  /** A unit sent a track event ({@code value} 0 when it has none). */
  @Override
  public void track(
      String project, String environment, String unit, String name, double value, long time) {
    if (unit == null || unit.isEmpty()) {
      return;
    }
    offer(new Track(project, environment, unit, name, value, time));
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

  /** Applies what was queued, in one transaction. */
  public synchronized void flush() {
    if (clock.millis() >= nextRefresh) {
      refresh();
    }
    List<Event> batch;
    synchronized (queueLock) {
      batch = queue;
      queue = new ArrayList<>();
    }
    if (batch.isEmpty()) {
      return;
    }
    batch.sort(Comparator.comparingLong(Event::time));
    try {
      db.inTransaction(tx -> {
        for (Event event : batch) {
          switch (event) {
            case Exposure x -> apply(tx, x);
            case Track t -> apply(tx, t);
          }
        }
        return null;
      });
    } catch (RuntimeException e) {
      log.warn("experiments: cannot apply {} events ({}); retrying", batch.size(), e.getMessage());
      synchronized (queueLock) {
        batch.addAll(queue);
        queue = batch;
      }
    }
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

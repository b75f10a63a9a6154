package dev.rollgate.server.rollouts;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.ServedEnvironment;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.health.FlagMetrics;
import dev.rollgate.server.health.Outcomes;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live rollout feed: what the UI's rollout page shows, pushed to every browser that watches a
 * flag in an environment.
 *
 * <p>A watcher is first sent {@code rollout}: the flag's latest rollout as {@code GET .../rollout}
 * answers it (or, for a flag that has none, its key with {@code "state": null}), with {@code
 * "metrics"}: the flag's outcomes over the last {@value #WINDOWS} windows of the rollout's plan, as
 * {@code GET .../flags/{flag}/metrics} answers them. It is then sent {@code rollout} again whenever
 * the rollout changes (a transition, a manual control, a judged window's evidence, a new rollout),
 * and {@code metrics} alone when only the metrics changed.
 *
 * <p>One {@link Watch} per flag, however many browsers watch it: each {@link #tick} (the server's
 * live interval) reads its rollout and computes its metrics once and sends the result to all of
 * them; a watch goes when its last watcher does, and nothing is computed for a flag nobody watches.
 * Changes are not waited for: a write to the project (here, or on another replica and loaded by its
 * change notification) makes the feed read the rollout again at once ({@link #written}); the ticks
 * also catch what moves without a notification (a judged window that only adds evidence).
 *
 * <p>Everything the feed does runs on one thread, in order: watchers joining and leaving, ticks,
 * reads after writes. So a watcher sees its first event, then every later one, never one out of
 * order; and no lock is held while a browser is written to.
 */
public final class RolloutFeed implements Catalog.Listener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RolloutFeed.class);

  /** The windows of a rollout's plan that its metrics cover, the current one included. */
  static final int WINDOWS = 30;

  static final String EVENT_ROLLOUT = "rollout";
  static final String EVENT_METRICS = "metrics";

  /** One browser's stream, as the feed sees it. */
  public interface Sink {
    /** Sends one event, its data one line of JSON; false when the watcher is gone. */
    boolean send(String event, String json);

    /** Ends the watcher's stream: what it watched is gone. */
    void close();
  }

  /** What the feed reads: a flag's latest rollout, and its metrics. */
  interface Source {
    /** Empty when the flag has no rollout; a NOT_FOUND failure when there is no such flag. */
    Optional<Rollout> rollout(String project, String environment, String flag);

    FlagMetrics metrics(
        String project, String environment, String flag, long from, long to, long stepMs);
  }

  /** A flag in an environment. */
  private record Key(String project, String environment, String flag) {}

  /** What is known of one watched flag; touched on the feed's thread only. */
  private static final class Watch {
    final Key key;
    final Set<Sink> sinks = ConcurrentHashMap.newKeySet(); // read by the gauge
    String revision; // of the rollout last sent; null before the first read
    Rollout rollout; // null when the flag has none
    FlagMetrics metrics; // as last sent

    Watch(Key key) {
      this.key = key;
    }
  }

  private final Source source;
  private final Clock clock;
  private final long defaultWindowMs;
  private final Executor serial;
  private final ExecutorService owned; // the serial executor when the feed made it, else null
  private final Map<Key, Watch> watches = new ConcurrentHashMap<>();
  private final AtomicBoolean tickQueued = new AtomicBoolean();
  private final Set<String> projectsQueued = ConcurrentHashMap.newKeySet();

  /**
   * @param serial runs the feed's work one task at a time, in order (tests pass one that runs it at
   *     once)
   * @param owned {@code serial}, when the feed is to shut it down at close; else null
   */
  RolloutFeed(
      Source source, Clock clock, long defaultWindowMs, Executor serial, ExecutorService owned) {
    this.source = source;
    this.clock = clock;
    this.defaultWindowMs = defaultWindowMs;
    this.serial = serial;
    this.owned = owned;
  }

  /** The feed of a server, reading rollouts and outcomes, on a thread of its own. */
  public static RolloutFeed start(RolloutService rollouts, Outcomes outcomes, Clock clock) {
    Source source =
        new Source() {
          @Override
          public Optional<Rollout> rollout(String project, String environment, String flag) {
            return rollouts.find(project, environment, flag);
          }

          @Override
          public FlagMetrics metrics(
              String project, String environment, String flag, long from, long to, long stepMs) {
            return outcomes.metrics(project, environment, flag, from, to, stepMs);
          }
        };
    ExecutorService thread =
        Executors.newSingleThreadExecutor(
            Thread.ofPlatform().daemon().name("rollgate-live").factory());
    return new RolloutFeed(source, clock, rollouts.defaultWindowMs(), thread, thread);
  }

  /**
   * Refuses a watch of what does not exist (a NOT_FOUND failure), before a stream is opened for it.
   */
  public void check(String project, String environment, String flag) {
    var unused = source.rollout(project, environment, flag);
  }

  /** Adds a watcher of a flag; it is sent the current state first. */
  public void watch(String project, String environment, String flag, Sink sink) {
    run(() -> join(new Key(project, environment, flag), sink));
  }

  /** Removes a watcher (its stream ended); the flag's watch goes with its last watcher. */
  public void unwatch(String project, String environment, String flag, Sink sink) {
    run(() -> leave(new Key(project, environment, flag), sink));
  }

  /**
   * Reads every watched flag's rollout and metrics, once each whatever the number of its watchers,
   * and sends what changed. Called every live interval; a tick asked for while one waits to run is
   * the same tick.
   */
  public void tick() {
    if (tickQueued.compareAndSet(false, true)) {
      run(() -> {
        tickQueued.set(false);
        for (Watch w : List.copyOf(watches.values())) {
          refresh(w, true);
        }
      });
    }
  }

  /** Flags being watched. */
  public int flags() {
    return watches.size();
  }

  /** Watchers, all flags together. */
  public int watchers() {
    return watches.values().stream().mapToInt(w -> w.sinks.size()).sum();
  }

  @Override
  public void changed(ServedEnvironment environment) {
    // written() follows every change
  }

  @Override
  public void removed(String project, String environment) {
    if (watches.keySet().stream()
        .anyMatch(k -> k.project().equals(project) && k.environment().equals(environment))) {
      run(() -> {
        for (Watch w : List.copyOf(watches.values())) {
          if (w.key.project().equals(project) && w.key.environment().equals(environment)) {
            end(w);
          }
        }
      });
    }
  }

  /**
   * The project was written: its watched flags' rollouts are read again at once (their metrics wait
   * for the tick, unless the rollout changed). Returns at once; writes that come while one read
   * waits to run are read once.
   */
  @Override
  public void written(String project) {
    if (watches.keySet().stream().noneMatch(k -> k.project().equals(project))
        || !projectsQueued.add(project)) {
      return;
    }
    run(() -> {
      projectsQueued.remove(project);
      for (Watch w : List.copyOf(watches.values())) {
        if (w.key.project().equals(project)) {
          refresh(w, false);
        }
      }
    });
  }

  private void run(Runnable task) {
    try {
      serial.execute(task);
    } catch (RejectedExecutionException e) {
      // shutting down
    }
  }

  private void join(Key key, Sink sink) {
    Watch w = watches.computeIfAbsent(key, Watch::new);
    refresh(w, w.metrics == null); // what changed goes to those already watching
    if (watches.get(key) != w) {
      sink.close(); // the flag is gone
      return;
    }
    w.sinks.add(sink);
    // Nothing known yet when the store did not answer: the first tick that reads it sends it.
    if (w.revision != null && !sink.send(EVENT_ROLLOUT, rolloutData(w))) {
      leave(key, sink);
    }
  }

  private void leave(Key key, Sink sink) {
    Watch w = watches.get(key);
    if (w != null && w.sinks.remove(sink) && w.sinks.isEmpty()) {
      watches.remove(key, w);
    }
  }

  /** Ends a watch whose flag went away: its watchers' streams end. */
  private void end(Watch w) {
    watches.remove(w.key, w);
    for (Sink s : List.copyOf(w.sinks)) {
      s.close();
    }
    w.sinks.clear();
  }

  /**
   * Reads the watch's rollout, and its metrics when asked to or when the rollout changed, and sends
   * what changed to its watchers. Returns false when the flag is gone (the watch has ended) or the
   * store did not answer (the watch keeps what it had).
   */
  private boolean refresh(Watch w, boolean withMetrics) {
    Key k = w.key;
    try {
      Rollout r = source.rollout(k.project(), k.environment(), k.flag()).orElse(null);
      String revision = r == null ? "none" : r.id() + "/" + r.version() + "/" + r.judgedUntil();
      boolean moved = !revision.equals(w.revision);
      FlagMetrics metrics = w.metrics;
      if (withMetrics || moved || metrics == null) {
        long step = r == null ? defaultWindowMs : r.plan().windowMs();
        long to = (Math.floorDiv(clock.millis(), step) + 1) * step; // the current window's end
        metrics =
            source.metrics(k.project(), k.environment(), k.flag(), to - WINDOWS * step, to, step);
      }
      boolean metricsChanged = !metrics.equals(w.metrics);
      w.revision = revision;
      w.rollout = r;
      w.metrics = metrics;
      if (moved) {
        broadcast(w, EVENT_ROLLOUT, rolloutData(w));
      } else if (metricsChanged) {
        broadcast(w, EVENT_METRICS, Json.write(Plain.of(metrics)));
      }
      return true;
    } catch (Failure e) {
      if (e.kind() == Failure.Kind.NOT_FOUND) {
        end(w);
      }
      return false;
    } catch (RuntimeException e) {
      log.debug("live feed of {}: cannot read it now: {}", k, e.toString());
      return false;
    }
  }

  private void broadcast(Watch w, String event, String json) {
    for (Sink s : List.copyOf(w.sinks)) {
      if (!s.send(event, json)) {
        leave(w.key, s);
      }
    }
  }

  /** The data of a {@code rollout} event: the rollout now, and the metrics last computed. */
  private String rolloutData(Watch w) {
    Map<String, Object> data;
    if (w.rollout == null) {
      data = new LinkedHashMap<>();
      data.put("project", w.key.project());
      data.put("environment", w.key.environment());
      data.put("flag", w.key.flag());
      data.put("state", null);
    } else {
      data = Plain.record(w.rollout.view(clock.millis()));
    }
    data.put("metrics", Plain.of(w.metrics));
    return Json.write(data);
  }

  @Override
  public void close() {
    if (owned != null) {
      owned.shutdownNow();
    }
  }
}

package dev.rollgate.server.usage;

import dev.rollgate.core.Resolution;
import dev.rollgate.server.store.Database;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Evaluations counted per flag, variant and reason. Each replica counts in memory (the evaluation
 * path only adds to a counter) and {@link #flush flushes} what it counted since the last flush into
 * the store every few seconds, per minute and per day, where the replicas' counts add up: the
 * reports read the store, so they survive restarts and are the same on every replica. Exported to
 * /metrics (this replica's) as {@code rollgate_flag_evaluations_total}.
 */
public final class Usage {
  static final int WINDOWS = 60;
  static final long WINDOW_MILLIS = 60_000;
  static final long DAY_MILLIS = 86_400_000;
  static final Duration KEEP_MINUTES = Duration.ofDays(2);
  static final Duration KEEP_DAYS = Duration.ofDays(400);
  private static final long PRUNE_EVERY_MILLIS = 3_600_000;

  private final Clock clock;
  private final MeterRegistry meters;
  private final Database db;
  private long prunedAt = Long.MIN_VALUE;

  /** By "project/environment", then by flag: one environment's flags are read together. */
  private final Map<String, Map<String, FlagUsage>> environments = new ConcurrentHashMap<>();

  public Usage(Clock clock, MeterRegistry meters, Database db) {
    this.clock = clock;
    this.meters = meters;
    this.db = db;
  }

  private final class FlagUsage {
    final String project;
    final String environment;
    final String flag;
    final Map<String, LongAdder> byOutcome = new ConcurrentHashMap<>(); // "variant|reason"
    final LongAccumulator lastEvaluated = new LongAccumulator(Math::max, 0);

    /** What the store already has of each outcome's count; read and written by flush only. */
    final Map<String, Long> flushed = new HashMap<>();

    FlagUsage(String project, String environment, String flag) {
      this.project = project;
      this.environment = environment;
      this.flag = flag;
    }

    void add(String variant, String reason, long count, long at) {
      String outcome = variant + "|" + reason;
      LongAdder counter = byOutcome.get(outcome);
      if (counter == null) {
        counter = byOutcome.computeIfAbsent(outcome, k -> register(variant, reason));
      }
      counter.add(count);
      lastEvaluated.accumulate(at);
    }

    LongAdder register(String variant, String reason) {
      LongAdder adder = new LongAdder();
      FunctionCounter.builder("rollgate.flag.evaluations", adder, LongAdder::sum)
          .description("Flag evaluations by flag, variant and reason")
          .tag("project", project)
          .tag("environment", environment)
          .tag("flag", flag)
          .tag("variant", variant)
          .tag("reason", reason)
          .register(meters);
      return adder;
    }
  }

  /** Counts one evaluation. */
  public void record(String project, String environment, String flag, Resolution resolution) {
    String variant = resolution.variant() == null ? "" : resolution.variant();
    usage(project, environment, flag).add(variant, resolution.reason().name(), 1, clock.millis());
  }

  /**
   * Counts evaluations an SDK made in process and reports in a batch: {@code count} of them, the
   * last at {@code lastAt} (already bounded by the caller to the recent past).
   */
  public void add(
      String project,
      String environment,
      String flag,
      String variant,
      String reason,
      long count,
      long lastAt) {
    usage(project, environment, flag).add(variant == null ? "" : variant, reason, count, lastAt);
  }

  private FlagUsage usage(String project, String environment, String flag) {
    String key = project + "/" + environment;
    Map<String, FlagUsage> flags = environments.get(key);
    if (flags == null) {
      flags = environments.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    }
    FlagUsage usage = flags.get(flag);
    if (usage == null) {
      usage = flags.computeIfAbsent(flag, k -> new FlagUsage(project, environment, flag));
    }
    return usage;
  }

  /**
   * Writes what this replica counted since the last flush, in one transaction, into the current
   * minute and day; what a failed write did not store is written by the next flush.
   */
  public synchronized void flush() {
    long now = clock.millis();
    List<UsageStore.Delta> deltas = new ArrayList<>();
    List<Runnable> commits = new ArrayList<>();
    for (Map<String, FlagUsage> flags : environments.values()) {
      for (FlagUsage u : flags.values()) {
        for (Map.Entry<String, LongAdder> e : u.byOutcome.entrySet()) {
          long sum = e.getValue().sum();
          long before = u.flushed.getOrDefault(e.getKey(), 0L);
          if (sum > before) {
            String[] parts = e.getKey().split("\\|", 2);
            deltas.add(
                new UsageStore.Delta(
                    u.project,
                    u.environment,
                    u.flag,
                    parts[0],
                    parts[1],
                    sum - before,
                    u.lastEvaluated.get()));
            String outcome = e.getKey();
            commits.add(() -> u.flushed.put(outcome, sum));
          }
        }
      }
    }
    boolean prune = now - prunedAt >= PRUNE_EVERY_MILLIS;
    if (deltas.isEmpty() && !prune) {
      return;
    }
    db.inTransaction(tx -> {
      UsageStore.add(tx, deltas, minuteOf(now), dayOf(now));
      if (prune) {
        UsageStore.prune(
            tx, minuteOf(now - KEEP_MINUTES.toMillis()), dayOf(now - KEEP_DAYS.toMillis()));
      }
      return null;
    });
    commits.forEach(Runnable::run);
    if (prune) {
      prunedAt = now;
    }
  }

  static long minuteOf(long millis) {
    return Math.floorDiv(millis, WINDOW_MILLIS) * WINDOW_MILLIS;
  }

  static long dayOf(long millis) {
    return Math.floorDiv(millis, DAY_MILLIS) * DAY_MILLIS;
  }

  /**
   * The start of the oldest of the {@link #WINDOWS} minutes that end with the one of {@code now}.
   */
  private static long oldestWindow(long now) {
    return minuteOf(now) - (WINDOWS - 1) * WINDOW_MILLIS;
  }

  /** Every replica's counts per flag, variant and reason since the day of {@code from}. */
  List<UsageStore.Count> counts(String project, String environment, long from) {
    flush();
    return db.inTransaction(tx -> UsageStore.days(tx, project, environment, null, dayOf(from)));
  }

  private static final String SCOPE = "every replica, kept 400 days (up to a few seconds behind)";

  /** The usage report of one flag in one environment. */
  public Map<String, Object> report(String project, String environment, String flag) {
    flush();
    long now = clock.millis();
    long oldest = oldestWindow(now);
    List<UsageStore.Count> counts =
        db.inTransaction(tx -> UsageStore.days(tx, project, environment, flag, 0));
    List<UsageStore.Minute> minutes =
        db.inTransaction(tx -> UsageStore.minutes(tx, project, environment, flag, oldest));
    long total = 0;
    long last = 0;
    Map<String, Long> byVariant = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    for (UsageStore.Count c : counts) {
      total += c.evaluations();
      last = Math.max(last, c.lastAt());
      byVariant.merge(
          c.variant().isEmpty() ? "(caller default)" : c.variant(), c.evaluations(), Long::sum);
      byReason.merge(c.reason(), c.evaluations(), Long::sum);
    }
    List<Map<String, Object>> windows = new ArrayList<>();
    for (UsageStore.Minute m : minutes) {
      Map<String, Object> w = new LinkedHashMap<>();
      w.put("start", Instant.ofEpochMilli(m.start()).toString());
      w.put("end", Instant.ofEpochMilli(m.start() + WINDOW_MILLIS).toString());
      w.put("count", m.evaluations());
      windows.add(w);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("flag", flag);
    json.put("environment", environment);
    json.put("total", total);
    json.put("byVariant", byVariant);
    json.put("byReason", byReason);
    json.put("windows", windows);
    json.put("lastEvaluatedAt", last == 0 ? null : Instant.ofEpochMilli(last).toString());
    json.put("scope", SCOPE);
    return json;
  }

  /**
   * Every evaluated flag of one environment in one answer (a flags page of a thousand flags): each
   * flag's total, last evaluation and per-minute counts of the last hour, oldest first. Flags never
   * evaluated are left out. Two grouped queries, whatever the number of flags.
   */
  public Map<String, Object> environmentReport(String project, String environment) {
    flush();
    long now = clock.millis();
    long oldest = oldestWindow(now);
    List<UsageStore.Count> counts =
        db.inTransaction(tx -> UsageStore.days(tx, project, environment, null, 0));
    List<UsageStore.Minute> minutes =
        db.inTransaction(tx -> UsageStore.minutes(tx, project, environment, null, oldest));
    Map<String, long[]> totals = new TreeMap<>(); // flag -> {total, last}
    for (UsageStore.Count c : counts) {
      long[] t = totals.computeIfAbsent(c.flag(), k -> new long[2]);
      t[0] += c.evaluations();
      t[1] = Math.max(t[1], c.lastAt());
    }
    Map<String, long[]> perMinute = new HashMap<>();
    for (UsageStore.Minute m : minutes) {
      int at = (int) ((m.start() - oldest) / WINDOW_MILLIS);
      if (at >= 0 && at < WINDOWS) {
        perMinute.computeIfAbsent(m.flag(), k -> new long[WINDOWS])[at] += m.evaluations();
      }
    }
    Map<String, Object> flags = new LinkedHashMap<>();
    totals.forEach((flag, t) -> {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("total", t[0]);
      json.put("lastEvaluatedAt", Instant.ofEpochMilli(t[1]).toString());
      List<Long> list = new ArrayList<>(WINDOWS);
      for (long n : perMinute.getOrDefault(flag, new long[WINDOWS])) {
        list.add(n);
      }
      json.put("perMinute", list);
      flags.put(flag, json);
    });
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("environment", environment);
    json.put("windowSeconds", WINDOW_MILLIS / 1000);
    json.put("from", Instant.ofEpochMilli(oldest).toString());
    json.put("flags", flags);
    json.put("scope", SCOPE);
    return json;
  }
}

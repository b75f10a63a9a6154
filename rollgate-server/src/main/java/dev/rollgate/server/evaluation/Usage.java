package dev.rollgate.server.evaluation;

import dev.rollgate.core.Resolution;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Evaluations counted per flag, variant and reason, on this replica, since it started: totals,
 * per-minute windows for the last hour, and the time of the last evaluation (to find stale flags).
 * Exported to /metrics as {@code rollgate_flag_evaluations_total}.
 */
public final class Usage {
  static final int WINDOWS = 60;
  static final long WINDOW_MILLIS = 60_000;

  private final Clock clock;
  private final MeterRegistry meters;

  /** By "project/environment", then by flag: one environment's flags are read together. */
  private final Map<String, Map<String, FlagUsage>> environments = new ConcurrentHashMap<>();

  public Usage(Clock clock, MeterRegistry meters) {
    this.clock = clock;
    this.meters = meters;
  }

  private final class FlagUsage {
    final String project;
    final String environment;
    final String flag;
    final Map<String, LongAdder> byOutcome = new ConcurrentHashMap<>(); // "variant|reason"
    final AtomicLong lastEvaluated = new AtomicLong();
    final AtomicLongArray windowStart = new AtomicLongArray(WINDOWS);
    final AtomicLongArray windowCount = new AtomicLongArray(WINDOWS);

    FlagUsage(String project, String environment, String flag) {
      this.project = project;
      this.environment = environment;
      this.flag = flag;
    }

    void record(String variant, String reason, long now) {
      String outcome = variant + "|" + reason;
      LongAdder counter = byOutcome.get(outcome);
      if (counter == null) {
        counter = byOutcome.computeIfAbsent(outcome, k -> register(variant, reason));
      }
      counter.increment();
      lastEvaluated.set(now);
      long start = now - now % WINDOW_MILLIS;
      int slot = (int) ((start / WINDOW_MILLIS) % WINDOWS);
      if (windowStart.get(slot) != start) {
        // A new minute: the first thread to notice resets the slot.
        long old = windowStart.get(slot);
        if (old != start && windowStart.compareAndSet(slot, old, start)) {
          windowCount.set(slot, 0);
        }
      }
      windowCount.incrementAndGet(slot);
    }

    long total() {
      long total = 0;
      for (LongAdder n : byOutcome.values()) {
        total += n.sum();
      }
      return total;
    }

    /** Evaluations per minute of the last {@link #WINDOWS}, oldest first: the last is this one. */
    long[] perMinute(long now) {
      long oldest = oldestWindow(now);
      long[] counts = new long[WINDOWS];
      for (int i = 0; i < WINDOWS; i++) {
        long start = windowStart.get(i);
        long at = (start - oldest) / WINDOW_MILLIS;
        if (start >= oldest && at < WINDOWS) {
          counts[(int) at] = windowCount.get(i);
        }
      }
      return counts;
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

  /**
   * The start of the oldest of the {@link #WINDOWS} minutes that end with the one of {@code now}.
   */
  private static long oldestWindow(long now) {
    return now - now % WINDOW_MILLIS - (WINDOWS - 1) * WINDOW_MILLIS;
  }

  /** Counts one evaluation. */
  public void record(String project, String environment, String flag, Resolution resolution) {
    String key = project + "/" + environment;
    Map<String, FlagUsage> flags = environments.get(key);
    if (flags == null) {
      flags = environments.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
    }
    FlagUsage usage = flags.get(flag);
    if (usage == null) {
      usage = flags.computeIfAbsent(flag, k -> new FlagUsage(project, environment, flag));
    }
    String variant = resolution.variant() == null ? "" : resolution.variant();
    usage.record(variant, resolution.reason().name(), clock.millis());
  }

  /** The usage report of one flag in one environment. */
  public Map<String, Object> report(String project, String environment, String flag) {
    FlagUsage usage = flags(project, environment).get(flag);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("flag", flag);
    json.put("environment", environment);
    long total = 0;
    Map<String, Long> byVariant = new TreeMap<>();
    Map<String, Long> byReason = new TreeMap<>();
    List<Map<String, Object>> windows = new ArrayList<>();
    Long last = null;
    if (usage != null) {
      for (Map.Entry<String, LongAdder> e : usage.byOutcome.entrySet()) {
        long n = e.getValue().sum();
        String[] parts = e.getKey().split("\\|", 2);
        total += n;
        byVariant.merge(parts[0].isEmpty() ? "(caller default)" : parts[0], n, Long::sum);
        byReason.merge(parts[1], n, Long::sum);
      }
      long now = clock.millis();
      long oldest = oldestWindow(now);
      long[] counts = usage.perMinute(now);
      for (int i = 0; i < WINDOWS; i++) {
        if (counts[i] > 0) {
          long start = oldest + i * WINDOW_MILLIS;
          Map<String, Object> w = new LinkedHashMap<>();
          w.put("start", Instant.ofEpochMilli(start).toString());
          w.put("end", Instant.ofEpochMilli(start + WINDOW_MILLIS).toString());
          w.put("count", counts[i]);
          windows.add(w);
        }
      }
      last = usage.lastEvaluated.get();
    }
    json.put("total", total);
    json.put("byVariant", byVariant);
    json.put("byReason", byReason);
    json.put("windows", windows);
    json.put("lastEvaluatedAt", last == null ? null : Instant.ofEpochMilli(last).toString());
    json.put("scope", "this replica since it started");
    return json;
  }

  /**
   * Every evaluated flag of one environment in one answer (a flags page of a thousand flags): each
   * flag's total, last evaluation and per-minute counts of the last hour, oldest first. Flags not
   * evaluated since this replica started are left out. Reads counters only, no store.
   */
  public Map<String, Object> environmentReport(String project, String environment) {
    long now = clock.millis();
    Map<String, Object> flags = new TreeMap<>();
    flags(project, environment)
        .forEach((flag, usage) -> {
          long last = usage.lastEvaluated.get();
          if (last == 0) {
            return; // counted from this instant on, not yet evaluated
          }
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("total", usage.total());
          json.put("lastEvaluatedAt", Instant.ofEpochMilli(last).toString());
          List<Long> perMinute = new ArrayList<>(WINDOWS);
          for (long n : usage.perMinute(now)) {
            perMinute.add(n);
          }
          json.put("perMinute", perMinute);
          flags.put(flag, json);
        });
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("environment", environment);
    json.put("windowSeconds", WINDOW_MILLIS / 1000);
    json.put("from", Instant.ofEpochMilli(oldestWindow(now)).toString());
    json.put("flags", flags);
    json.put("scope", "this replica since it started");
    return json;
  }

  private Map<String, FlagUsage> flags(String project, String environment) {
    Map<String, FlagUsage> flags = environments.get(project + "/" + environment);
    return flags == null ? Map.of() : flags;
  }
}

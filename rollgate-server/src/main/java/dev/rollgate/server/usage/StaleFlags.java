package dev.rollgate.server.usage;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.flags.Flag;
import dev.rollgate.server.flags.FlagService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The stale-flag report of a project: per environment, the flags nobody evaluated for N days, those
 * that served one variant to every evaluation for N days (fully rolled out, or switched off for
 * everyone), and those unchanged for N days; each with its evidence and what to do. A flag that is
 * a prerequisite of an evaluated flag is evaluated with it, though only the flag asked for is
 * counted: it is never reported as unused.
 */
public final class StaleFlags {
  static final int MAX_DAYS = 365;

  private final FlagService flags;
  private final Usage usage;
  private final Clock clock;

  public StaleFlags(FlagService flags, Usage usage, Clock clock) {
    this.flags = flags;
    this.usage = usage;
    this.clock = clock;
  }

  public record Report(
      String project, int days, Instant asOf, Map<String, EnvironmentReport> environments) {}

  public record EnvironmentReport(
      List<Finding> notEvaluated, List<Finding> fullyRolledOut, List<Finding> unchanged) {}

  /**
   * One stale flag.
   *
   * @param variant the one variant served (fully rolled out), or null (switched off, other lists)
   * @param evaluations evaluations in the period (fully rolled out), else null
   * @param requiredBy flags that list it as a prerequisite here: remove those first
   */
  public record Finding(
      String flag,
      String evidence,
      String suggestion,
      Instant lastEvaluatedAt,
      Instant updatedAt,
      String variant,
      Long evaluations,
      List<String> requiredBy) {}

  public Report report(String project, int days) {
    if (days < 1 || days > MAX_DAYS) {
      throw Failure.invalidField("days", "must be from 1 to " + MAX_DAYS + ", not " + days);
    }
    long now = clock.millis();
    long since = now - days * Usage.DAY_MILLIS;
    List<Flag> all = allFlags(project);
    Set<String> environments = new TreeSet<>();
    all.forEach(f -> environments.addAll(f.environments().keySet()));
    Map<String, EnvironmentReport> out = new TreeMap<>();
    for (String env : environments) {
      out.put(env, environment(project, env, days, since, all));
    }
    return new Report(project, days, Instant.ofEpochMilli(now), out);
  }

  private List<Flag> allFlags(String project) {
    List<Flag> all = new ArrayList<>();
    String cursor = null;
    do {
      FlagService.Page page = flags.list(project, null, null, false, 500, cursor);
      all.addAll(page.items());
      cursor = page.nextCursor();
    } while (cursor != null);
    return all;
  }

  /** What one flag was evaluated to in one environment. */
  private static final class Seen {
    long lastAt;
    long inPeriod;
    final Set<String> variants = new TreeSet<>();
  }

  private EnvironmentReport environment(
      String project, String env, int days, long since, List<Flag> all) {
    Map<String, Seen> seen = new HashMap<>();
    for (UsageStore.Count c : usage.counts(project, env, 0)) {
      Seen s = seen.computeIfAbsent(c.flag(), k -> new Seen());
      s.lastAt = Math.max(s.lastAt, c.lastAt());
    }
    for (UsageStore.Count c : usage.counts(project, env, since)) {
      Seen s = seen.computeIfAbsent(c.flag(), k -> new Seen());
      s.inPeriod += c.evaluations();
      s.variants.add(c.variant());
    }
    Map<String, Flag> byKey = new HashMap<>();
    Map<String, List<String>> requiredBy = new TreeMap<>();
    for (Flag f : all) {
      Flag.EnvironmentConfig config = f.environments().get(env);
      if (config == null) {
        continue;
      }
      byKey.put(f.key(), f);
      for (Flag.Prerequisite p : config.prerequisites()) {
        requiredBy.computeIfAbsent(p.flag(), k -> new ArrayList<>()).add(f.key());
      }
    }
    Set<String> used = usedIn(byKey, env, seen, since);
    String period = days + (days == 1 ? " day" : " days");
    List<Finding> notEvaluated = new ArrayList<>();
    List<Finding> rolledOut = new ArrayList<>();
    List<Finding> unchanged = new ArrayList<>();
    for (Flag f : byKey.values().stream().sorted((a, b) -> a.key().compareTo(b.key())).toList()) {
      Seen s = seen.get(f.key());
      Instant last = s == null || s.lastAt == 0 ? null : Instant.ofEpochMilli(s.lastAt);
      Instant updated = Instant.ofEpochMilli(f.updatedAt());
      List<String> dependents = requiredBy.getOrDefault(f.key(), List.of());
      String first =
          dependents.isEmpty()
              ? ""
              : "remove it from the prerequisites of " + String.join(", ", dependents) + "; ";
      if (!used.contains(f.key()) && f.createdAt() < since) {
        notEvaluated.add(
            new Finding(
                f.key(),
                "not evaluated in "
                    + env
                    + " for "
                    + period
                    + (last == null ? " (never evaluated)" : " (last evaluated " + last + ")"),
                first
                    + "remove it from code where nothing evaluates it (rollgate code-refs shows"
                    + " where it is), then archive it",
                last,
                updated,
                null,
                null,
                dependents));
      }
      if (s != null && s.inPeriod > 0 && s.variants.size() == 1 && f.updatedAt() < since) {
        String variant = s.variants.iterator().next();
        boolean off = variant.isEmpty();
        rolledOut.add(
            new Finding(
                f.key(),
                (off
                        ? "served no variant (the code default) to every evaluation in "
                        : "served " + variant + " to every evaluation in ")
                    + env
                    + " for "
                    + period
                    + " ("
                    + s.inPeriod
                    + (s.inPeriod == 1 ? " evaluation" : " evaluations")
                    + "), unchanged since "
                    + updated,
                first
                    + (off
                        ? "remove it from code, keeping the code default's path"
                        : "remove it from code, keeping the path of " + variant)
                    + ", then archive it",
                last,
                updated,
                off ? null : variant,
                s.inPeriod,
                dependents));
      }
      if (f.updatedAt() < since) {
        unchanged.add(
            new Finding(
                f.key(),
                "unchanged for " + period + " (last change " + updated + ")",
                "review it: if its rollout or experiment is over, remove it from code and"
                    + " archive it",
                last,
                updated,
                null,
                null,
                dependents));
      }
    }
    return new EnvironmentReport(notEvaluated, rolledOut, unchanged);
  }

  /** Flags evaluated in the period, and every prerequisite they reach (evaluated with them). */
  private static Set<String> usedIn(
      Map<String, Flag> byKey, String env, Map<String, Seen> seen, long since) {
    Set<String> used = new HashSet<>();
    Deque<String> work = new ArrayDeque<>();
    seen.forEach((flag, s) -> {
      if (s.lastAt >= since) {
        work.add(flag);
      }
    });
    while (!work.isEmpty()) {
      String key = work.poll();
      if (!used.add(key)) {
        continue;
      }
      Flag f = byKey.get(key);
      if (f != null) {
        f.environments().get(env).prerequisites().forEach(p -> work.add(p.flag()));
      }
    }
    return used;
  }
}

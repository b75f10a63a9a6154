package dev.rollgate.server.releases;

import dev.rollgate.core.json.JsonPath;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.monitor.CheckSpec;
import dev.rollgate.server.rollouts.RolloutPlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A release's runbook: its waves, how each window is judged, its pre- and post-checks, the KPI
 * comparison, approvals, the point of no return and the backup it needs. Each release type has a
 * default plan; a request's {@code plan} overrides it field by field ({@code waves} as a whole).
 *
 * @param windowMs the length of one judged window
 * @param checks how each window is judged: the rollouts' checks, with the runbook's pause
 *     thresholds (error rate over 1%, p95 over 500 ms) and rollback threshold (error rate over 2%)
 * @param metricLimits pushed metrics that pause the release when over their limit in a window
 * @param healthChecks health checks whose open violation rolls the release back
 * @param postcheckWindowMs how long the post-checks watch at 100% before they judge
 * @param baselineWindowMs the window before the release's start its KPIs are compared with
 * @param p95Tolerance how far over the baseline p95 the release's may be (0.10: 10%)
 * @param pointOfNoReturn the wave from whose start on nothing rolls back by itself (a migration has
 *     changed data); null for none
 * @param maintenanceNoticeMs how long before a scheduled start {@code maintenance_scheduled} goes
 */
public record ReleasePlan(
    List<Wave> waves,
    long windowMs,
    RolloutPlan.Checks checks,
    List<MetricLimit> metricLimits,
    List<String> healthChecks,
    List<NamedCheck> prechecks,
    List<NamedCheck> postchecks,
    long postcheckWindowMs,
    long baselineWindowMs,
    List<KpiMetric> kpiMetrics,
    double p95Tolerance,
    boolean requireApproval,
    int approvalsRequired,
    Integer pointOfNoReturn,
    boolean requireBackup,
    long maintenanceNoticeMs) {

  /** One wave: who it reaches (a segment's users, a share of them, or both) and for how long. */
  public record Wave(
      String name,
      String segment,
      double percent,
      long minDurationMs,
      long maxDurationMs,
      long minRequests) {
    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("name", name);
      json.put("segment", segment);
      json.put("percent", percent);
      json.put("minDurationSeconds", minDurationMs / 1000);
      json.put("maxDurationSeconds", maxDurationMs / 1000);
      json.put("minRequests", minRequests);
      return json;
    }

    /** The wave as a stage of the rollouts' judge. */
    RolloutPlan.Stage stage() {
      return new RolloutPlan.Stage(percent, minDurationMs, minRequests, maxDurationMs, false);
    }
  }

  /** A pushed metric whose latest value in a window must stay at or under {@code max}. */
  public record MetricLimit(String name, double max) {}

  /** A pre- or post-check: a health-monitor check spec with a name. */
  public record NamedCheck(String name, CheckSpec spec) {
    Map<String, Object> toJson() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("name", name);
      json.putAll(spec.toJson());
      return json;
    }
  }

  /** A pushed metric the KPI comparison compares before and after; which way is better. */
  public record KpiMetric(String name, boolean higherIsBetter) {}

  private static final Set<String> FIELDS =
      Set.of(
          "waves",
          "windowSeconds",
          "checks",
          "metricLimits",
          "healthChecks",
          "prechecks",
          "postchecks",
          "postcheckWindowSeconds",
          "baselineWindowSeconds",
          "kpiMetrics",
          "p95Tolerance",
          "requireApproval",
          "approvalsRequired",
          "pointOfNoReturn",
          "requireBackup",
          "maintenanceNoticeHours");
  private static final Set<String> WAVE_FIELDS =
      Set.of(
          "name", "segment", "percent", "minDurationSeconds", "maxDurationSeconds", "minRequests");
  private static final Set<String> CHECK_FIELDS;

  static {
    Set<String> fields = new HashSet<>(CheckSpec.ALL_FIELDS);
    fields.add("name");
    CHECK_FIELDS = Set.copyOf(fields);
  }

  /** The runbook's defaults for {@code type}, before a request's overrides. */
  static Map<String, Object> defaults(ReleaseType type) {
    Map<String, Object> plan = new LinkedHashMap<>();
    plan.put(
        "waves",
        switch (type) {
          case PATCH -> List.of(wave("canary", null, 10, 10), wave("all", null, 100, 0));
          case HOTFIX -> List.of(wave("canary", null, 10, 5), wave("all", null, 100, 0));
          case MINOR ->
              List.of(
                  wave("pilot tenant", "pilot-tenant", 10, 15),
                  wave("pilot tenants", "pilot-tenants", 50, 30),
                  wave("all tenants", null, 100, 0));
          case MAJOR -> List.of(wave("switch", null, 100, 15));
          case MIGRATION ->
              List.of(
                  wave("canary", null, 10, 30),
                  wave("half", null, 50, 30),
                  wave("all", null, 100, 0));
        });
    plan.put("requireApproval", type == ReleaseType.MAJOR);
    if (type == ReleaseType.MIGRATION) {
      plan.put("pointOfNoReturn", 1);
      plan.put("requireBackup", true);
    }
    return plan;
  }

  private static Map<String, Object> wave(String name, String segment, int percent, int minutes) {
    Map<String, Object> w = new LinkedHashMap<>();
    w.put("name", name);
    if (segment != null) {
      w.put("segment", segment);
    }
    w.put("percent", percent);
    w.put("minDurationSeconds", minutes * 60);
    return w;
  }

  /**
   * The plan of a release of {@code type}: its defaults with {@code overrides} (a request's {@code
   * plan}, null for none) laid over them.
   */
  static ReleasePlan parse(
      ReleaseType type, Map<String, Object> overrides, RolloutPlan.Defaults server) {
    Map<String, Object> merged = defaults(type);
    JsonBody given = JsonBody.of(overrides == null ? Map.of() : overrides, "plan", FIELDS);
    if (overrides != null) {
      merged.putAll(overrides);
    }
    JsonBody plan = JsonBody.of(merged, "plan", FIELDS);
    long windowSeconds = orElse(plan.whole("windowSeconds", 1, 3600), server.windowSeconds());
    long windowMs = windowSeconds * 1000;
    List<Wave> waves = waves(plan, windowMs);
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("maxErrorRate", 0.02);
    checks.put("pauseErrorRate", 0.01);
    checks.put("pauseP95Ms", 500.0);
    Map<String, Object> givenChecks = given.object("checks");
    if (givenChecks != null) {
      checks.putAll(givenChecks);
    }
    RolloutPlan.Checks judged = RolloutPlan.checks(checks, "plan.checks", server);
    List<MetricLimit> limits = new ArrayList<>();
    for (JsonBody m : list(plan, "metricLimits", Set.of("name", "max"), 20)) {
      Double max = m.number("max", -1e15, 1e15);
      if (max == null) {
        throw Failure.invalidField(m.path("max"), "is required");
      }
      limits.add(new MetricLimit(m.key("name"), max));
    }
    List<KpiMetric> kpis = new ArrayList<>();
    for (JsonBody k : list(plan, "kpiMetrics", Set.of("name", "better"), 20)) {
      String better = orElse(k.string("better", false), "lower");
      if (!better.equals("lower") && !better.equals("higher")) {
        throw Failure.invalidField(k.path("better"), "must be lower or higher");
      }
      kpis.add(new KpiMetric(k.key("name"), better.equals("higher")));
    }
    List<String> healthChecks = orElse(plan.strings("healthChecks"), List.of());
    if (healthChecks.size() > 20) {
      throw Failure.invalidField(plan.path("healthChecks"), "may list at most 20 checks");
    }
    long postWindow = orElse(plan.whole("postcheckWindowSeconds", 0, 86400), 600L) * 1000;
    Long pointOfNoReturn = plan.whole("pointOfNoReturn", 0, waves.size() - 1L);
    Long noticeHours = plan.whole("maintenanceNoticeHours", 0, 24L * 30);
    return new ReleasePlan(
        waves,
        windowMs,
        judged,
        List.copyOf(limits),
        List.copyOf(healthChecks),
        checks(plan, "prechecks"),
        checks(plan, "postchecks"),
        postWindow,
        orElse(plan.whole("baselineWindowSeconds", 1, 86400), Math.max(postWindow / 1000, 60))
            * 1000,
        List.copyOf(kpis),
        orElse(plan.number("p95Tolerance", 0, 10), 0.10),
        Boolean.TRUE.equals(plan.bool("requireApproval")),
        orElse(plan.whole("approvalsRequired", 1, 10), 1L).intValue(),
        pointOfNoReturn == null ? null : pointOfNoReturn.intValue(),
        Boolean.TRUE.equals(plan.bool("requireBackup")),
        orElse(noticeHours, 24L) * 3_600_000);
  }

  private static List<Wave> waves(JsonBody plan, long windowMs) {
    List<JsonBody> raw = list(plan, "waves", WAVE_FIELDS, 20);
    if (raw.isEmpty()) {
      throw Failure.invalidField(plan.path("waves"), "must list 1 to 20 waves");
    }
    List<Wave> waves = new ArrayList<>();
    Map<String, Double> reached = new java.util.HashMap<>(); // per segment ("" for everyone)
    for (int i = 0; i < raw.size(); i++) {
      JsonBody w = raw.get(i);
      Double percent = w.number("percent", 0.01, 100);
      if (percent == null) {
        throw Failure.invalidField(w.path("percent"), "is required");
      }
      if (Math.round(percent * 100) != percent * 100) {
        throw Failure.invalidField(w.path("percent"), "has at most two decimals");
      }
      String segment = w.raw("segment") != null ? w.key("segment") : null;
      Double before = reached.put(segment == null ? "" : segment, percent);
      if (before != null && percent <= before) {
        throw Failure.invalidField(
            w.path("percent"),
            "must be above "
                + before
                + ", the share an earlier wave already gives "
                + (segment == null ? "everyone" : "segment " + segment)
                + " (users of an earlier wave stay in)");
      }
      long min = orElse(w.whole("minDurationSeconds", 0, 30L * 86400), 0L) * 1000;
      long max =
          orElse(
                  w.whole("maxDurationSeconds", 1, 60L * 86400),
                  Math.max(3 * min, 30 * windowMs) / 1000)
              * 1000;
      if (max < min) {
        throw Failure.invalidField(
            w.path("maxDurationSeconds"), "must be at least minDurationSeconds");
      }
      String name = w.raw("name") == null ? "wave " + (i + 1) : w.string("name", true);
      if (name.length() > 128) {
        throw Failure.invalidField(w.path("name"), "must be at most 128 characters");
      }
      waves.add(
          new Wave(
              name,
              segment,
              percent,
              min,
              max,
              orElse(w.whole("minRequests", 0, Long.MAX_VALUE / 2), 100L)));
    }
    Wave last = waves.getLast();
    if (last.percent() != 100 || last.segment() != null) {
      throw Failure.invalidField(
          JsonPath.element(plan.path("waves"), waves.size() - 1),
          "the last wave must reach everyone: 100 percent and no segment");
    }
    return List.copyOf(waves);
  }

  private static List<NamedCheck> checks(JsonBody plan, String field) {
    List<NamedCheck> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (JsonBody c : list(plan, field, CHECK_FIELDS, 20)) {
      String name = c.key("name");
      if (!names.add(name)) {
        throw Failure.invalidField(c.path("name"), "names another check of " + field + " too");
      }
      out.add(new NamedCheck(name, CheckSpec.parse(c)));
    }
    return List.copyOf(out);
  }

  /** A list of objects, each read with {@code fields}. */
  private static List<JsonBody> list(JsonBody plan, String field, Set<String> fields, int max) {
    Object raw = plan.raw(field);
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof List<?> items) || items.size() > max) {
      throw Failure.invalidField(plan.path(field), "must be a list of at most " + max + " objects");
    }
    List<JsonBody> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      out.add(JsonBody.of(items.get(i), JsonPath.element(plan.path(field), i), fields));
    }
    return out;
  }

  private static <T> T orElse(T value, T fallback) {
    return value == null ? fallback : value;
  }

  /** The plan as the API shows it and the store keeps it; {@link #fromJson} reads it back. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("waves", waves.stream().map(Wave::toJson).toList());
    json.put("windowSeconds", windowMs / 1000);
    json.put("checks", checks.toJson());
    json.put(
        "metricLimits",
        metricLimits.stream()
            .map(m -> Map.<String, Object>of("name", m.name(), "max", m.max()))
            .toList());
    json.put("healthChecks", healthChecks);
    json.put("prechecks", prechecks.stream().map(NamedCheck::toJson).toList());
    json.put("postchecks", postchecks.stream().map(NamedCheck::toJson).toList());
    json.put("postcheckWindowSeconds", postcheckWindowMs / 1000);
    json.put("baselineWindowSeconds", baselineWindowMs / 1000);
    json.put(
        "kpiMetrics",
        kpiMetrics.stream()
            .map(k ->
                Map.<String, Object>of(
                    "name", k.name(), "better", k.higherIsBetter() ? "higher" : "lower"))
            .toList());
    json.put("p95Tolerance", p95Tolerance);
    json.put("requireApproval", requireApproval);
    json.put("approvalsRequired", approvalsRequired);
    json.put("pointOfNoReturn", pointOfNoReturn);
    json.put("requireBackup", requireBackup);
    json.put("maintenanceNoticeHours", maintenanceNoticeMs / 3_600_000);
    return json;
  }

  /** Reads back what {@link #toJson} stored (every field is there, so no default applies). */
  static ReleasePlan fromJson(ReleaseType type, Map<String, Object> json) {
    Map<String, Object> stored = new LinkedHashMap<>(json);
    stored.values().removeIf(java.util.Objects::isNull);
    return parse(type, stored, RolloutPlan.Defaults.STANDARD);
  }

  /** The wave's judge stage and the share of alpha each wave's comparisons get. */
  double waveAlpha() {
    return checks.alpha() / waves.size();
  }
}

package dev.rollgate.server.releases;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One release: a service's version carried by a flag's variant in one environment, and where its
 * runbook stands. The service changes a copy ({@link #copy}) inside a transaction and stores it
 * with the version it read, so concurrent writers cannot lose each other's changes.
 */
final class Release {
  final String id;
  final String project;
  final String environment;
  final String service;
  final String version;
  final ReleaseType type;
  final String flag;
  final String treatment;
  final String notes;
  final ReleasePlan plan;
  final long createdAt;
  final String createdBy;

  ReleasePhase phase = ReleasePhase.PLANNED;

  /** The phase a paused release resumes to. */
  ReleasePhase pausedFrom;

  Long startAt;
  String backupRef;

  /** The variant the treatment is compared with and rolled back to: the default at start. */
  String control;

  /** The current wave (0-based); -1 before the first. */
  int wave = -1;

  long waveStartedAt;

  /** The end of the last judged window. */
  long judgedUntil;

  Long startedAt;
  Long postchecksStartedAt;
  Long endedAt;
  boolean announced;
  String reason;
  Map<String, Object> evidence;
  List<Map<String, Object>> prechecks;
  List<Map<String, Object>> postchecks;
  Map<String, Object> kpi;

  /** Per wave: name, status, startedAt, endedAt. */
  List<Map<String, Object>> waves = new ArrayList<>();

  long rowVersion = 1;
  long updatedAt;

  Release(
      String id,
      String project,
      String environment,
      String service,
      String version,
      ReleaseType type,
      String flag,
      String treatment,
      String notes,
      ReleasePlan plan,
      long createdAt,
      String createdBy) {
    this.id = id;
    this.project = project;
    this.environment = environment;
    this.service = service;
    this.version = version;
    this.type = type;
    this.flag = flag;
    this.treatment = treatment;
    this.notes = notes;
    this.plan = plan;
    this.createdAt = createdAt;
    this.createdBy = createdBy;
    this.updatedAt = createdAt;
  }

  Release copy() {
    Release c =
        new Release(
            id,
            project,
            environment,
            service,
            version,
            type,
            flag,
            treatment,
            notes,
            plan,
            createdAt,
            createdBy);
    c.phase = phase;
    c.pausedFrom = pausedFrom;
    c.startAt = startAt;
    c.backupRef = backupRef;
    c.control = control;
    c.wave = wave;
    c.waveStartedAt = waveStartedAt;
    c.judgedUntil = judgedUntil;
    c.startedAt = startedAt;
    c.postchecksStartedAt = postchecksStartedAt;
    c.endedAt = endedAt;
    c.announced = announced;
    c.reason = reason;
    c.evidence = evidence;
    c.prechecks = prechecks;
    c.postchecks = postchecks;
    c.kpi = kpi;
    c.waves = new ArrayList<>();
    for (Map<String, Object> w : waves) {
      c.waves.add(new LinkedHashMap<>(w));
    }
    c.rowVersion = rowVersion;
    c.updatedAt = updatedAt;
    return c;
  }

  /** Whether the treatment is served to anyone now: the release's split is in the flag. */
  boolean serving() {
    ReleasePhase p = phase == ReleasePhase.PAUSED ? pausedFrom : phase;
    return p == ReleasePhase.ROLLING_OUT || p == ReleasePhase.POSTCHECKS;
  }

  /** Whether automatic rollback is off: the current wave is at or past the point of no return. */
  boolean pastPointOfNoReturn() {
    return plan.pointOfNoReturn() != null && wave >= plan.pointOfNoReturn();
  }

  String resource() {
    return "projects/" + project + "/environments/" + environment + "/releases/" + id;
  }

  /** What the store keeps beside the indexed columns; {@link #readBody} reads it back. */
  Map<String, Object> body() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("treatment", treatment);
    json.put("notes", notes);
    json.put("plan", plan.toJson());
    json.put("createdBy", createdBy);
    json.put("pausedFrom", pausedFrom == null ? null : pausedFrom.name());
    json.put("startAt", startAt);
    json.put("backupRef", backupRef);
    json.put("control", control);
    json.put("wave", wave);
    json.put("waveStartedAt", waveStartedAt);
    json.put("judgedUntil", judgedUntil);
    json.put("startedAt", startedAt);
    json.put("postchecksStartedAt", postchecksStartedAt);
    json.put("endedAt", endedAt);
    json.put("announced", announced);
    json.put("reason", reason);
    json.put("evidence", evidence);
    json.put("prechecks", prechecks);
    json.put("postchecks", postchecks);
    json.put("kpi", kpi);
    json.put("waves", waves);
    return json;
  }

  @SuppressWarnings("unchecked")
  void readBody(Map<String, Object> json) {
    pausedFrom =
        json.get("pausedFrom") == null
            ? null
            : ReleasePhase.valueOf((String) json.get("pausedFrom"));
    startAt = longOrNull(json.get("startAt"));
    backupRef = (String) json.get("backupRef");
    control = (String) json.get("control");
    wave = ((Number) json.get("wave")).intValue();
    waveStartedAt = ((Number) json.get("waveStartedAt")).longValue();
    judgedUntil = ((Number) json.get("judgedUntil")).longValue();
    startedAt = longOrNull(json.get("startedAt"));
    postchecksStartedAt = longOrNull(json.get("postchecksStartedAt"));
    endedAt = longOrNull(json.get("endedAt"));
    announced = Boolean.TRUE.equals(json.get("announced"));
    reason = (String) json.get("reason");
    evidence = (Map<String, Object>) json.get("evidence");
    prechecks = (List<Map<String, Object>>) json.get("prechecks");
    postchecks = (List<Map<String, Object>>) json.get("postchecks");
    kpi = (Map<String, Object>) json.get("kpi");
    waves = new ArrayList<>();
    for (Object w : (List<Object>) json.get("waves")) {
      waves.add(new LinkedHashMap<>((Map<String, Object>) w));
    }
  }

  private static Long longOrNull(Object v) {
    return v == null ? null : ((Number) v).longValue();
  }

  private static String time(Long ms) {
    return ms == null ? null : Instant.ofEpochMilli(ms).toString();
  }

  /** The release as the API answers and the audit trail records it. */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("project", project);
    json.put("environment", environment);
    json.put("service", service);
    json.put("version", version);
    json.put("type", type.label());
    json.put("flag", flag);
    json.put("treatment", treatment);
    json.put("control", control);
    json.put("phase", phase.name());
    json.put("pausedFrom", pausedFrom == null ? null : pausedFrom.name());
    json.put("wave", wave < 0 ? null : wave);
    json.put("waveName", wave < 0 ? null : plan.waves().get(wave).name());
    json.put("waveStartedAt", wave < 0 ? null : time(waveStartedAt));
    json.put("notes", notes);
    json.put("plan", plan.toJson());
    json.put("startAt", time(startAt));
    json.put("backupRef", backupRef);
    json.put("reason", reason);
    json.put("evidence", evidence);
    json.put("prechecks", prechecks);
    json.put("postchecks", postchecks);
    json.put("kpi", kpi);
    json.put("waves", wavesJson());
    json.put("startedAt", time(startedAt));
    json.put("postchecksStartedAt", time(postchecksStartedAt));
    json.put("endedAt", time(endedAt));
    json.put("createdBy", createdBy);
    json.put("createdAt", time(createdAt));
    json.put("updatedAt", time(updatedAt));
    json.put("revision", rowVersion);
    return json;
  }

  /** Every planned wave with its status and times (pending until it starts). */
  private List<Map<String, Object>> wavesJson() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < plan.waves().size(); i++) {
      Map<String, Object> w = plan.waves().get(i).toJson();
      Map<String, Object> run = i < waves.size() ? waves.get(i) : Map.of();
      w.put("status", run.getOrDefault("status", "pending"));
      w.put("startedAt", time(longOrNull(run.get("startedAt"))));
      w.put("endedAt", time(longOrNull(run.get("endedAt"))));
      out.add(w);
    }
    return out;
  }
}

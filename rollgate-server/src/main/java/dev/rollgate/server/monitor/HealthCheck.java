package dev.rollgate.server.monitor;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One health check as stored: what it runs, how often, and where its runs stand.
 *
 * @param action what an opened violation does; null for nothing but the report
 * @param consecutiveFailures failed runs since the last that passed
 * @param firstFailureAt when the current run of failures began; null while the check passes
 * @param lastOk whether the last run passed; null before the first
 */
record HealthCheck(
    String id,
    String project,
    String name,
    String description,
    CheckSpec spec,
    long intervalMs,
    int failuresToOpen,
    CheckAction action,
    long nextRunAt,
    int consecutiveFailures,
    Long firstFailureAt,
    Long lastRunAt,
    Boolean lastOk,
    long version,
    long createdAt,
    long updatedAt) {

  static final long DEFAULT_INTERVAL_MS = 300_000;

  String resource() {
    return "projects/" + project + "/health-checks/" + id;
  }

  /** The check after a run at {@code at}. */
  HealthCheck ran(boolean ok, long at, long nextRun) {
    return new HealthCheck(
        id,
        project,
        name,
        description,
        spec,
        intervalMs,
        failuresToOpen,
        action,
        nextRun,
        ok ? 0 : consecutiveFailures + 1,
        ok ? null : firstFailureAt == null ? at : firstFailureAt,
        at,
        ok,
        version,
        createdAt,
        updatedAt);
  }

  /**
   * As the API shows it and the audit trail records it: the fields a request sets (the type's
   * settings at the top level, as they are sent), then where it stands.
   *
   * @param openViolation the id of its open violation, or null
   */
  Map<String, Object> toJson(String openViolation) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("project", project);
    json.put("name", name);
    json.put("description", description);
    json.putAll(spec.toJson());
    json.put("intervalSeconds", intervalMs / 1000);
    json.put("failuresToOpen", failuresToOpen);
    json.put("action", action == null ? null : action.toJson());
    json.put("status", lastOk == null ? "unknown" : lastOk ? "passing" : "failing");
    json.put("consecutiveFailures", consecutiveFailures);
    json.put("lastRunAt", lastRunAt == null ? null : Instant.ofEpochMilli(lastRunAt).toString());
    json.put("nextRunAt", Instant.ofEpochMilli(nextRunAt).toString());
    json.put("openViolation", openViolation);
    json.put("version", version);
    json.put("createdAt", Instant.ofEpochMilli(createdAt).toString());
    json.put("updatedAt", Instant.ofEpochMilli(updatedAt).toString());
    return json;
  }
}

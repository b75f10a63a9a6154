package dev.rollgate.server.monitor;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one run of a check found.
 *
 * @param observed the value judged (an HTTP status, a query's value, a metric), null when there was
 *     none
 * @param message what happened, in words, naming no secret
 */
public record ProbeResult(
    boolean ok, Double observed, String message, long durationMs, Instant at) {

  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("ok", ok);
    json.put("observed", observed);
    json.put("message", message);
    json.put("durationMs", durationMs);
    json.put("at", at.toString());
    return json;
  }
}

package dev.rollgate.server.health;

import dev.rollgate.core.health.LatencyHistogram;
import java.util.LinkedHashMap;
import java.util.Map;

/** Requests, errors and latencies of one cohort (a variant) over some span of time. */
public final class CohortStats {
  private long requests;
  private long errors;
  private final LatencyHistogram latency = new LatencyHistogram();

  public CohortStats() {}

  public CohortStats(long requests, long errors, LatencyHistogram latency) {
    add(requests, errors, latency);
  }

  public void add(long requests, long errors, LatencyHistogram latency) {
    this.requests += requests;
    this.errors += errors;
    if (latency != null) {
      this.latency.merge(latency);
    }
  }

  /** {@link #add} for a cohort that several threads add to. */
  synchronized void addSynchronized(long requests, long errors, LatencyHistogram latency) {
    add(requests, errors, latency);
  }

  public void add(CohortStats other) {
    add(other.requests, other.errors, other.latency);
  }

  public long requests() {
    return requests;
  }

  public long errors() {
    return errors;
  }

  public double errorRate() {
    return requests == 0 ? 0 : (double) errors / requests;
  }

  public LatencyHistogram latency() {
    return latency;
  }

  /** requests, errors, errorRate, p50, p95 and p99 (ms; null without latencies). */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("requests", requests);
    json.put("errors", errors);
    json.put("errorRate", errorRate());
    json.put("p50", latency.isEmpty() ? null : round(latency.quantile(0.50)));
    json.put("p95", latency.isEmpty() ? null : round(latency.quantile(0.95)));
    json.put("p99", latency.isEmpty() ? null : round(latency.quantile(0.99)));
    return json;
  }

  static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }
}

package dev.rollgate.server.health;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A flag's request outcomes in {@code [from, to)}, per step and variant (each with its routes'):
 * what {@code GET .../flags/{flag}/metrics} answers, and what the live rollout feed sends.
 *
 * @param points the steps that have outcomes, oldest first
 */
public record FlagMetrics(
    String flag,
    String environment,
    Instant from,
    Instant to,
    long stepSeconds,
    List<Point> points) {

  /**
   * One step.
   *
   * @param variants per variant: requests, errors, errorRate, p50, p95, p99 (ms, null without
   *     latencies) and {@code routes}, the same per route
   */
  public record Point(Instant start, Map<String, Map<String, Object>> variants) {}
}

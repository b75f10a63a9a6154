package dev.rollgate.server.monitor;

import java.time.Instant;
import java.util.Map;

/**
 * A time a check kept failing: opened after its {@code failuresToOpen}-th consecutive failure,
 * resolved by the next run that passes.
 *
 * @param state "open" until a run passes, then "resolved"
 * @param evidence the failed run that opened it
 * @param actionTaken what the check's action did when it opened, in words; null for none
 */
public record Violation(
    String id,
    String checkId,
    String checkName,
    String project,
    String state,
    Instant openedAt,
    Instant firstFailureAt,
    Instant lastFailureAt,
    int failures,
    Instant resolvedAt,
    Map<String, Object> evidence,
    String actionTaken) {

  public boolean open() {
    return resolvedAt == null;
  }
}

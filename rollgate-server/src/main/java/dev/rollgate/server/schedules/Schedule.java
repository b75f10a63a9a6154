package dev.rollgate.server.schedules;

import java.time.Instant;
import java.util.Map;

/**
 * A change to one flag in one environment, to be applied once at {@code at}.
 *
 * @param change what it does, as it was asked for ({@link ScheduleChange#json})
 * @param createdBy the actor who scheduled it: the change is applied on their behalf
 * @param late applied after every replica was down past its time: it says so
 * @param reason why it FAILED (or was applied late); null otherwise
 */
public record Schedule(
    String id,
    String project,
    String flag,
    String environment,
    Instant at,
    Map<String, Object> change,
    String comment,
    State state,
    Author createdBy,
    Instant createdAt,
    Instant appliedAt,
    boolean late,
    String reason,
    long version) {

  /** Where a schedule is in its life: PENDING until it is applied, fails or is cancelled. */
  public enum State {
    PENDING,
    APPLIED,
    FAILED,
    CANCELLED
  }

  /** Who scheduled it, as the audit trail names actors. */
  public record Author(String id, String name) {}

  String resource() {
    return "projects/"
        + project
        + "/flags/"
        + flag
        + "/environments/"
        + environment
        + "/schedules/"
        + id;
  }

  Schedule finished(State end, long now, boolean wasLate, String why) {
    return new Schedule(
        id,
        project,
        flag,
        environment,
        at,
        change,
        comment,
        end,
        createdBy,
        createdAt,
        Instant.ofEpochMilli(now),
        wasLate,
        why,
        version + 1);
  }
}

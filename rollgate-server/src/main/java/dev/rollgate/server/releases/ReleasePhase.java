package dev.rollgate.server.releases;

import dev.rollgate.server.domain.Plain;

/** Where a release is in its runbook. The last three are final. */
public enum ReleasePhase implements Plain.Shown {
  PLANNED,
  PRECHECKS,
  AWAITING_APPROVAL,
  ROLLING_OUT,
  POSTCHECKS,
  PAUSED,
  COMPLETED,
  ROLLED_BACK,
  ABORTED;

  boolean ended() {
    return this == COMPLETED || this == ROLLED_BACK || this == ABORTED;
  }

  /** Whether the release's treatment is served to anyone (its split is in the flag). */
  boolean serving() {
    return this == ROLLING_OUT || this == POSTCHECKS || this == PAUSED;
  }

  static ReleasePhase parse(String name) {
    for (ReleasePhase p : values()) {
      if (p.name().equalsIgnoreCase(name)) {
        return p;
      }
    }
    return null;
  }

  @Override
  public Object plain() {
    return name();
  }
}

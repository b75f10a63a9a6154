package dev.rollgate.server.rollouts;

/** Where a rollout is. The last three are final. */
public enum RolloutState {
  RUNNING,
  PAUSED,
  AWAITING_APPROVAL,
  COMPLETED,
  ROLLED_BACK,
  ABORTED;

  boolean ended() {
    return this == COMPLETED || this == ROLLED_BACK || this == ABORTED;
  }
}

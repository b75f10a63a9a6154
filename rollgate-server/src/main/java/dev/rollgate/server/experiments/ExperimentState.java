package dev.rollgate.server.experiments;

/** Where an experiment is: created, splitting its flag's traffic, or done. */
public enum ExperimentState {
  DRAFT,
  RUNNING,
  STOPPED
}

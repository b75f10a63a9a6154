package dev.rollgate.sdk;

/** Where the client's flags come from. */
public enum Status {
  /** No configuration yet: every evaluation answers the caller's default. */
  NOT_READY,
  /** Following the server: the configuration is current. */
  READY,
  /**
   * Serving a configuration that may be old: the server cannot be reached, or the flags came from
   * the bootstrap file or the on-disk copy.
   */
  STALE,
  /** The server refused the client (a bad token, say); it keeps serving what it has. */
  ERROR
}

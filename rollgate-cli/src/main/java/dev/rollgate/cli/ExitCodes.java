package dev.rollgate.cli;

/** The program's exit statuses. */
final class ExitCodes {
  static final int OK = 0;

  /** A check ran and found failures (golden tests). */
  static final int FAILED = 1;

  /** Bad usage or bad input: a missing file, invalid JSON, an invalid flag document. */
  static final int USAGE = 2;

  /** A bug: reported in one line all the same. */
  static final int INTERNAL = 70;

  private ExitCodes() {}
}

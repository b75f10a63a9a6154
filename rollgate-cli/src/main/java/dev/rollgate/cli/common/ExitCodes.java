package dev.rollgate.cli.common;

/** The program's exit statuses, the same for every command (docs/cli.md lists them). */
public final class ExitCodes {
  public static final int OK = 0;

  /** A check ran and found failures: golden tests, audit verification, a server not ready. */
  public static final int FAILED = 1;

  /** Bad usage or bad input: a missing file, invalid JSON, a field the server refused. */
  public static final int USAGE = 2;

  /** Someone else changed the resource since it was read (409, 412, 428). */
  public static final int CONFLICT = 3;

  /** The resource (or the route) does not exist. */
  public static final int NOT_FOUND = 4;

  /** The token is missing, unknown, revoked, or its role may not do this. */
  public static final int UNAUTHORISED = 5;

  /** The server could not be reached, or answered that it cannot serve (5xx). */
  public static final int UNREACHABLE = 6;

  /** A bug: reported in one line all the same. */
  public static final int INTERNAL = 70;

  private ExitCodes() {}
}

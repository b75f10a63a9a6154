package dev.rollgate.cli.common;

/**
 * A command ends with one line on stderr and an exit status ({@link ExitCodes}): the only way a
 * command fails on purpose, so that no failure reaches the user as a stack trace.
 */
public class CliFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public CliFailure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}

package dev.rollgate.cli.common;

/** Input the user can fix: reported as one line, exit status 2. */
public final class UserInputException extends CliFailure {
  private static final long serialVersionUID = 1L;

  public UserInputException(String message) {
    super(ExitCodes.USAGE, message);
  }
}

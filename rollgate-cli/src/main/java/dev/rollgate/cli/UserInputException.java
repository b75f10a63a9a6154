package dev.rollgate.cli;

/** Input the user can fix: reported as one line, exit status 2. */
final class UserInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UserInputException(String message) {
    super(message);
  }
}

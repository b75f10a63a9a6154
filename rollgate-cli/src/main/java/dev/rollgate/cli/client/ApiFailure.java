package dev.rollgate.cli.client;

import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.ExitCodes;

/** The server refused a request: its status, its error code, and the exit status it maps to. */
public final class ApiFailure extends CliFailure {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;

  ApiFailure(int status, String code, String message) {
    super(exitCode(status), message);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  /** The server's error code ({@code not_found}, {@code version_mismatch}, ...), or null. */
  public String code() {
    return code;
  }

  /** The one mapping from an HTTP status to the program's exit status. */
  static int exitCode(int status) {
    return switch (status) {
      case 401, 403 -> ExitCodes.UNAUTHORISED;
      case 404, 410 -> ExitCodes.NOT_FOUND;
      case 409, 412, 428 -> ExitCodes.CONFLICT;
      case 429 -> ExitCodes.UNREACHABLE;
      default -> status >= 500 ? ExitCodes.UNREACHABLE : ExitCodes.USAGE;
    };
  }
}

package dev.rollgate.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/** Entry point of the {@code rollgate} program. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, false, java.nio.charset.StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, java.nio.charset.StandardCharsets.UTF_8);
    int code = run(out, err, args);
    out.flush();
    System.exit(code);
  }

  /**
   * Runs one command line and returns its exit status: 0 success, 1 a check failed (test-flags), 2
   * bad usage or bad input, which is reported as one line on {@code err}, never a stack trace.
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new RollgateCommand());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler((e, a) -> {
      CommandLine command = e.getCommandLine();
      String message = e.getMessage().replaceFirst("^Error: ", "");
      err.println(
          command.getCommandSpec().qualifiedName()
              + ": "
              + message
              + " (see '"
              + command.getCommandSpec().qualifiedName()
              + " --help')");
      return ExitCodes.USAGE;
    });
    cli.setExecutionExceptionHandler((e, command, parseResult) -> {
      if (e instanceof WaitReadyCommand.NotReadyException) {
        err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        return ExitCodes.FAILED;
      }
      if (e instanceof UserInputException) {
        err.println(command.getCommandSpec().qualifiedName() + ": " + e.getMessage());
        return ExitCodes.USAGE;
      }
      err.println(
          command.getCommandSpec().qualifiedName()
              + ": internal error: "
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage()));
      return ExitCodes.INTERNAL;
    });
    int code = cli.execute(args);
    out.flush();
    return code;
  }
}

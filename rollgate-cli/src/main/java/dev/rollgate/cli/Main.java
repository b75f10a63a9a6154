package dev.rollgate.cli;

import dev.rollgate.cli.admin.AdminCommands;
import dev.rollgate.cli.common.CliEnvironment;
import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.ExitCodes;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;

/** Entry point of the {@code rollgate} program. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, false, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = run(CliEnvironment.system(), out, err, args);
    out.flush();
    System.exit(code);
  }

  /** Runs one command line in this process's environment. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    return run(CliEnvironment.system(), out, err, args);
  }

  /**
   * Runs one command line and returns its exit status ({@link ExitCodes}); a failure is reported as
   * one line on {@code err}, never a stack trace.
   */
  public static int run(
      CliEnvironment environment, PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = commandLine(environment);
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
      out.flush();
      if (e instanceof CliFailure failure) {
        err.println(command.getCommandSpec().qualifiedName() + ": " + failure.getMessage());
        return failure.exitCode();
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

  /** The whole command tree, for running it and for generating its reference and completion. */
  public static CommandLine commandLine(CliEnvironment environment) {
    CommandLine cli = new CommandLine(new RollgateCommand(environment));
    AdminCommands.all().forEach(cli::addSubcommand);
    // @file arguments would let a file (or a pasted "@...") add options such as --url unseen;
    // the commands read @file JSON themselves where they mean to.
    cli.setExpandAtFiles(false);
    return cli;
  }
}

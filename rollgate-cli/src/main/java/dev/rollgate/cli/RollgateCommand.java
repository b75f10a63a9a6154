package dev.rollgate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code rollgate}: the top-level command, which only dispatches to subcommands. */
@Command(
    name = "rollgate",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description =
        "Rollgate: feature flags, progressive rollouts and experiments you host yourself.",
    subcommands = {
      ServeCommand.class,
      EvalCommand.class,
      TestFlagsCommand.class,
      SimulateRolloutCommand.class,
      WaitReadyCommand.class
    })
final class RollgateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}

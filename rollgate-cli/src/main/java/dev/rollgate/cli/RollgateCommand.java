package dev.rollgate.cli;

import dev.rollgate.cli.common.CliEnvironment;
import dev.rollgate.cli.common.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code rollgate}: the top-level command, which only dispatches to subcommands: the offline and
 * server ones here, the admin client's ({@link dev.rollgate.cli.admin.AdminCommands}) added by
 * {@link Main#commandLine}. It holds the environment every subcommand reads.
 */
@Command(
    name = "rollgate",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    scope = ScopeType.INHERIT, // --help, --version and the defaults on every subcommand
    versionProvider = VersionProvider.class,
    description =
        "Rollgate: feature flags, progressive rollouts and experiments you host yourself.",
    subcommands = {
      ServeCommand.class,
      EvalCommand.class,
      TestFlagsCommand.class,
      SimulateRolloutCommand.class,
      CodeRefsCommand.class,
      WaitReadyCommand.class
    })
final class RollgateCommand implements Callable<Integer>, CliEnvironment.Holder {
  @Spec CommandSpec spec;

  private final CliEnvironment environment;

  RollgateCommand(CliEnvironment environment) {
    this.environment = environment;
  }

  @Override
  public CliEnvironment environment() {
    return environment;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }
}

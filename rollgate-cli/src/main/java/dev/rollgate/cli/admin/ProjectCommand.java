package dev.rollgate.cli.admin;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** A noun that lives in a project, and maybe in one of its environments. */
abstract class ProjectCommand extends AdminCommand {
  @Option(
      names = {"-p", "--project"},
      paramLabel = "PROJECT",
      scope = ScopeType.INHERIT,
      description = "The project (default: ROLLGATE_PROJECT, else the profile's, else default).")
  String projectOption;

  @Option(
      names = {"-e", "--env"},
      paramLabel = "ENV",
      scope = ScopeType.INHERIT,
      description = "The environment (default: ROLLGATE_ENV, else the profile's).")
  String envOption;

  String project() {
    return connection.project(projectOption);
  }

  /** The environment, which the verb requires. */
  String env() {
    return connection.environment(envOption);
  }

  /** The environment when one was given anywhere, else null. */
  String envIfAny() {
    try {
      return env();
    } catch (dev.rollgate.cli.common.UserInputException e) {
      return null;
    }
  }
}

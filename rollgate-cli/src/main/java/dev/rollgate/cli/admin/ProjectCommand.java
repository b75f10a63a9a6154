package dev.rollgate.cli.admin;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** A noun that lives in a project's environments: {@code --env} besides {@code --project}. */
abstract class ProjectCommand extends InProject {
  @Option(
      names = {"-e", "--env"},
      paramLabel = "ENV",
      scope = ScopeType.INHERIT,
      description = "The environment (default: ROLLGATE_ENV, else the profile's).")
  String envOption;

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

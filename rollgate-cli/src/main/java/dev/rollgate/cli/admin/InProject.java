package dev.rollgate.cli.admin;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** A noun whose resources live in a project: {@code --project}, inherited by every verb. */
abstract class InProject extends AdminCommand {
  @Option(
      names = {"-p", "--project"},
      paramLabel = "PROJECT",
      scope = ScopeType.INHERIT,
      description = "The project (default: ROLLGATE_PROJECT, else the profile's, else default).")
  String projectOption;

  String project() {
    return connection.project(projectOption);
  }
}

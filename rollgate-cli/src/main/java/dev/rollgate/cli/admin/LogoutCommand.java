package dev.rollgate.cli.admin;

import dev.rollgate.cli.client.Output;
import dev.rollgate.cli.client.Profiles;
import dev.rollgate.cli.common.CliEnvironment;
import dev.rollgate.cli.common.UserInputException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rollgate logout}: forgets a profile (the token stays valid on the server). */
@Command(
    name = "logout",
    description = {
      "Remove a profile, and its token, from config.toml. The token stays valid on the server:"
          + " revoke it with rollgate tokens revoke.",
      "",
      "Example: rollgate logout --profile staging"
    })
final class LogoutCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Output output;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      defaultValue = "default",
      description = "The profile to remove (default: default).")
  String profile;

  @Override
  public Integer call() {
    Profiles profiles = Profiles.read(CliEnvironment.of(spec).configFile());
    if (!profiles.remove(profile)) {
      throw new UserInputException("no profile '" + profile + "' in " + profiles.file());
    }
    profiles.save();
    output.done(
        AdminCommand.object().put("removed", profile),
        "removed profile " + profile + " from " + profiles.file());
    return 0;
  }
}

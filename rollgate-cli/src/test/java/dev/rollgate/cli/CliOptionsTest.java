package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The help of every command: each option says what it does and what it is when left out. */
class CliOptionsTest {
  private static List<CommandLine> allCommands(CommandLine command) {
    List<CommandLine> all = new ArrayList<>(List.of(command));
    for (CommandLine sub : command.getSubcommands().values()) {
      all.addAll(allCommands(sub));
    }
    return all;
  }

  private static boolean inRequiredGroup(OptionSpec option) {
    for (ArgGroupSpec g = option.group(); g != null; g = g.parentGroup()) {
      if (g.multiplicity().min() > 0) {
        return true;
      }
    }
    return false;
  }

  @Test
  void everyOptionHasADescriptionAndShowsItsDefault() {
    List<String> problems = new ArrayList<>();
    List<CommandLine> commands =
        allCommands(Main.commandLine(dev.rollgate.cli.common.CliEnvironment.system()));
    assertThat(commands).extracting(CommandLine::getCommandName).contains("wait-ready");
    for (CommandLine command : commands) {
      CommandSpec spec = command.getCommandSpec();
      String help = command.getUsageMessage(CommandLine.Help.Ansi.OFF);
      for (OptionSpec option : spec.options()) {
        if (option.usageHelp() || option.versionHelp()) {
          continue;
        }
        String name = spec.qualifiedName() + " " + option.longestName();
        String description = String.join(" ", option.description());
        if (description.isBlank()) {
          problems.add(name + ": no description");
        }
        boolean flag = option.type() == boolean.class || option.type() == Boolean.class;
        if (option.defaultValue() != null) {
          if (!help.contains("Default: " + option.defaultValue())) {
            problems.add(name + ": its default " + option.defaultValue() + " is not in the help");
          }
        } else if (!flag
            && !option.required()
            && !inRequiredGroup(option)
            && !description.toLowerCase(java.util.Locale.ROOT).contains("default")) {
          problems.add(name + ": no default and the description does not say what applies");
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theHelpShowsDefaults() {
    CliTest.Run run = CliTest.run("simulate-rollout", "--help");
    assertThat(run.code()).isZero();
    assertThat(run.out())
        .contains("Default: http://127.0.0.1:8420")
        .contains("Default: 20000")
        .contains("ROLLGATE_ADMIN_TOKEN");
  }
}

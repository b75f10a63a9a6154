package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.cli.common.CliEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/cli.md's reference is generated from the command tree, so it cannot drift: this test fails
 * when it differs, and rewrites it with {@code -Drollgate.docs.write=true}.
 */
class CliReferenceTest {
  static final String MARKER =
      "<!-- The reference below is generated from the commands (CliReferenceTest): do not edit it. -->";
  private static final Path DOC = Path.of("..", "docs", "cli.md");

  @Test
  void docsCliMdIsTheCommandsHelp() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    int at = doc.indexOf(MARKER);
    assertThat(at).as("docs/cli.md has the marker line").isNotNegative();
    String expected = doc.substring(0, at) + MARKER + "\n" + reference();
    if (Boolean.getBoolean("rollgate.docs.write")) {
      Files.writeString(DOC, expected, StandardCharsets.UTF_8);
      doc = expected;
    }
    assertThat(doc)
        .as(
            "docs/cli.md is out of date; regenerate it with ./mvnw -pl rollgate-cli -am test"
                + " -Dtest=CliReferenceTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Drollgate.docs.write=true")
        .isEqualTo(expected);
  }

  @Test
  void everyCommandHasAnExample() {
    CommandLine root = Main.commandLine(environment());
    StringBuilder missing = new StringBuilder();
    walk(
        root,
        c -> {
          boolean leaf =
              c.getSubcommands().isEmpty()
                  || c.getCommandSpec().userObject() instanceof java.util.concurrent.Callable<?>;
          String help = String.join("\n", c.getCommandSpec().usageMessage().description());
          if (leaf && c.getParent() != null && !help.contains("Example")) {
            missing.append(c.getCommandSpec().qualifiedName()).append('\n');
          }
        });
    assertThat(missing.toString()).as("commands without an example in their help").isEmpty();
  }

  /** Every command's help, in the order of the tree, each under its own heading. */
  static String reference() {
    CommandLine root = Main.commandLine(environment());
    StringBuilder s = new StringBuilder();
    walk(
        root,
        c -> {
          c.setUsageHelpWidth(100);
          String name = c.getCommandSpec().qualifiedName();
          s.append("\n### ").append(name).append("\n\n```text\n");
          s.append(c.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing()).append("\n```\n");
        });
    return s.toString();
  }

  private static void walk(CommandLine command, java.util.function.Consumer<CommandLine> visit) {
    visit.accept(command);
    command
        .getSubcommands()
        .forEach((name, sub) -> {
          if (sub.getCommandName().equals(name)) {
            walk(sub, visit);
          }
        });
  }

  /** No variables and no terminal: the help must not depend on who generates it. */
  private static CliEnvironment environment() {
    return new CliEnvironment(Map.of(), Path.of("config.toml"), false, System.in);
  }
}

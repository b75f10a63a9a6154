package dev.rollgate.cli.admin;

import picocli.CommandLine.Option;

/** {@code --comment}: why a change is made, for the audit trail. */
class Comment {
  @Option(
      names = {"-m", "--comment"},
      paramLabel = "TEXT",
      description = "Why: recorded in the audit trail (for example \"INC-1234\"; default: none).")
  String text;
}

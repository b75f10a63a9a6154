package dev.rollgate.cli.admin;

import picocli.CommandLine.Option;

/** A change of a flag, which the server can also only check ({@code ?dryRun=true}). */
final class FlagChange extends Change {
  @Option(
      names = "--dry-run",
      description = "Check the change on the server and show the result, writing nothing.")
  boolean dryRun;
}

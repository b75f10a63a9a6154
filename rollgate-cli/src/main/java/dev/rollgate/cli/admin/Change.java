package dev.rollgate.cli.admin;

import picocli.CommandLine.Option;

/** A change that may also skip the version check ({@code --force}). */
class Change extends Versioned {
  @Option(
      names = "--force",
      description = "Write without checking that nobody changed the resource since it was read.")
  boolean force;
}

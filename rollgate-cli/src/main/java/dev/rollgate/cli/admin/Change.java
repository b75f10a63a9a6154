package dev.rollgate.cli.admin;

import picocli.CommandLine.Option;

/** The options of a change: why ({@link Comment}), and whether to check the version first. */
class Change extends Comment {
  @Option(
      names = "--force",
      description = "Write without checking that nobody changed the resource since it was read.")
  boolean force;

  @Option(
      names = "--if-version",
      paramLabel = "N",
      description =
          "Write only if the resource is still at version N (default: the version read just before the write).")
  Long ifVersion;
}

package dev.rollgate.cli.admin;

import picocli.CommandLine.Option;

/**
 * The options of a change that always names the version it was made against ({@code If-Match}): why
 * ({@link Comment}), and which version, by default the one read just before.
 */
class Versioned extends Comment {
  @Option(
      names = "--if-version",
      paramLabel = "N",
      description =
          "Write only if the resource is still at version N (default: the version read just"
              + " before the write).")
  Long ifVersion;
}

package dev.rollgate.core.conformance;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the flagd-testbed evaluator suite is: ../shared beside the checkout, as the build passes
 * it.
 */
final class FlagdTestbed {
  private FlagdTestbed() {}

  static Path evaluatorDir() {
    String dir = System.getProperty("rollgate.conformance.dir");
    return dir == null ? null : Path.of(dir);
  }

  static boolean present() {
    Path dir = evaluatorDir();
    return dir != null && Files.isDirectory(dir.resolve("gherkin"));
  }

  static Path flagsFile() {
    return evaluatorDir().resolve("flags/testkit-flags.json");
  }
}

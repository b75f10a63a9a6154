package dev.rollgate.cli;

import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Problem;
import java.nio.file.Path;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** The options that name and load a flag document, shared by the offline commands. */
final class FlagsOptions {
  @Option(
      names = "--flags",
      required = true,
      paramLabel = "FILE",
      description = "Flag document (flagd's JSON flag format).")
  Path file;

  @Option(
      names = "--flagd-compat",
      description =
          "Load the document as flagd does: a flag whose targeting cannot compile answers"
              + " PARSE_ERROR instead of rejecting the file.")
  boolean flagdCompat;

  /** Reads and compiles the document, or fails with one line naming every problem. */
  FlagSnapshot load() {
    String text = Inputs.read(file, "flags file");
    ParseOptions options =
        ParseOptions.defaults()
            .withStrictness(
                flagdCompat ? ParseOptions.Strictness.FLAGD : ParseOptions.Strictness.STRICT);
    try {
      return FlagSnapshot.parse(text, options);
    } catch (InvalidFlagDocumentException e) {
      String problems =
          e.problems().stream().map(Problem::toString).collect(Collectors.joining("; "));
      throw new UserInputException("invalid flag document " + file + ": " + problems);
    }
  }
}

package dev.rollgate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Connection;
import dev.rollgate.cli.coderefs.CallSites;
import dev.rollgate.cli.coderefs.CodeScanner;
import dev.rollgate.cli.coderefs.Report;
import dev.rollgate.cli.coderefs.SourceFiles;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.ParseOptions;
import dev.rollgate.core.Problem;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rollgate code-refs}: where the code uses each flag, which flags it never uses, and which
 * keys it evaluates that are not flags. The flags come from a flag document (offline) or from the
 * server, with the admin client's connection options.
 */
@Command(
    name = "code-refs",
    mixinStandardHelpOptions = true,
    showDefaultValues = true,
    description = {
      "Find the flags' references in a source tree: each flag's file:line list, the flags no file"
          + " references, and keys passed to flag evaluations that are not flags.",
      "",
      "In a git work tree the files are git's (tracked, and untracked ones not ignored);"
          + " elsewhere every file the .gitignore files leave. Binary files and files larger than"
          + " --max-file-size are skipped. A key counts where it is a whole string literal"
          + " (\"key\", 'key' or `key`). Unknown keys are literals passed first to OpenFeature,"
          + " Rollgate SDK, LaunchDarkly-like or Unleash evaluation calls, or matched by --pattern.",
      "",
      "The flags: --flags FILE, else the server's (--url, --token, --project or their variables"
          + " and profile, as for the admin commands). Exits 1 with --fail-on-unused when a flag"
          + " is unused.",
      "",
      "Example: rollgate code-refs --dir . --flags flags.json",
      "Example: rollgate code-refs --dir src --project shop --output json --fail-on-unused",
      "Example: rollgate code-refs --dir . --flags flags.json --pattern 'feature\\(:(\\w+)\\)'"
    })
final class CodeRefsCommand implements Callable<Integer> {
  /** What the server gives per page at most. */
  private static final int PAGE = 1000;

  /** The output formats. */
  enum Format {
    text,
    json
  }

  @Spec CommandSpec spec;

  @Mixin Connection connection;

  @Option(
      names = "--dir",
      required = true,
      paramLabel = "DIR",
      description = "The source tree to scan.")
  Path dir;

  @Option(
      names = "--flags",
      paramLabel = "FILE",
      description =
          "Take the flags from this flag document (flagd's format) (default: the server's).")
  Path flagsFile;

  @Option(
      names = {"-p", "--project"},
      paramLabel = "PROJECT",
      description =
          "The server's project (default: ROLLGATE_PROJECT, else the profile's, else default).")
  String project;

  @Option(
      names = "--pattern",
      paramLabel = "REGEX",
      description =
          "Also a flag evaluation: a regular expression whose first capture group is the key"
              + " (repeatable; default: only the built-in calls).")
  List<String> patterns; // null when none is given

  @Option(
      names = "--max-file-size",
      paramLabel = "MIB",
      defaultValue = "2",
      description = "Skip files larger than this many MiB.")
  int maxFileMib;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text or json.")
  Format format;

  @Option(names = "--fail-on-unused", description = "Exit 1 when any flag is unused.")
  boolean failOnUnused;

  @Override
  public Integer call() {
    if (!Files.isDirectory(dir)) {
      throw new UserInputException("--dir " + dir + ": not a directory");
    }
    if (maxFileMib < 1 || maxFileMib > 1024) {
      throw new UserInputException("--max-file-size: 1 to 1024 (MiB), not " + maxFileMib);
    }
    CallSites calls = CallSites.builtIn(patterns == null ? List.of() : patterns);
    Set<String> keys = flagsFile != null ? fromFile() : fromServer();
    PrintWriter err = spec.commandLine().getErr();
    SourceFiles.Listing listing =
        SourceFiles.list(dir, warning -> err.println(spec.qualifiedName() + ": " + warning));
    List<String> files = listing.files();
    String flagsInTree = flagsFileInTree();
    if (flagsInTree != null) {
      // The flag document names every flag: it is not a reference to any of them.
      files = files.stream().filter(f -> !f.equals(flagsInTree)).toList();
    }
    long maxBytes = maxFileMib * 1024L * 1024L;
    CodeScanner.Result result = new CodeScanner(keys, calls, maxBytes).scan(dir, files);
    Report report = new Report(keys, result, maxBytes);
    PrintWriter out = spec.commandLine().getOut();
    out.print(format == Format.json ? report.json() : report.text());
    out.flush();
    return failOnUnused && !report.unused().isEmpty() ? ExitCodes.FAILED : ExitCodes.OK;
  }

  /** The --flags file as a path of the tree, when it is in the tree; else null. */
  private String flagsFileInTree() {
    if (flagsFile == null) {
      return null;
    }
    try {
      Path root = dir.toRealPath();
      Path file = flagsFile.toRealPath();
      if (!file.startsWith(root)) {
        return null;
      }
      return root.relativize(file).toString().replace(root.getFileSystem().getSeparator(), "/");
    } catch (java.io.IOException e) {
      return null; // unreadable: fromFile() has said so already
    }
  }

  private Set<String> fromFile() {
    for (String option : List.of("--url", "--token", "--profile", "--project")) {
      if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
        throw new UserInputException(
            "--flags and " + option + ": take the flags from a file or from a server, not both");
      }
    }
    String text = Inputs.read(flagsFile, "flags file");
    // Only the keys matter here: a flag whose targeting would not compile still has its key.
    ParseOptions options = ParseOptions.defaults().withStrictness(ParseOptions.Strictness.FLAGD);
    try {
      return FlagSnapshot.parse(text, options).flagKeys();
    } catch (InvalidFlagDocumentException e) {
      String problems =
          e.problems().stream().map(Problem::toString).collect(Collectors.joining("; "));
      throw new UserInputException("invalid flag document " + flagsFile + ": " + problems);
    }
  }

  /** The project's flags (not the archived ones), page by page. */
  private Set<String> fromServer() {
    Api api = connection.api();
    String path = Api.path("api", "v1", "projects", connection.project(project), "flags");
    Set<String> keys = new HashSet<>();
    Set<String> cursors = new HashSet<>();
    String cursor = null;
    do {
      Map<String, Object> query = new LinkedHashMap<>();
      query.put("limit", PAGE);
      query.put("cursor", cursor);
      JsonNode page = api.get(Api.query(path, query)).json();
      for (JsonNode flag : page.path("items")) {
        if (flag.path("key").isTextual()) {
          keys.add(flag.path("key").asText());
        }
      }
      JsonNode next = page.path("nextCursor");
      cursor = next.isTextual() && cursors.add(next.asText()) ? next.asText() : null;
    } while (cursor != null);
    return keys;
  }
}

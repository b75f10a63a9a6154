package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The README's "A short tour", run as written: every {@code $ command} of its shell blocks, in
 * order, in one bash session, in a fresh directory with this checkout's {@code ./rollgate}, on each
 * store. Each command must succeed and print what the README shows after it ({@code ...} in the
 * README stands for any text).
 */
class ReadmeTourIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String MARK = "@@readme-tour-step";

  /** A command of the tour and the output the README shows for it. */
  record Step(String command, String shown) {}

  /** The {@code $ } commands of the sh blocks between "## A short tour" and the next section. */
  static List<Step> tour(String readme) {
    int start = readme.indexOf("\n## A short tour");
    int end = readme.indexOf("\n## ", start + 1);
    assertThat(start).as("the README has a tour").isPositive();
    String section = readme.substring(start, end < 0 ? readme.length() : end);
    List<Step> steps = new ArrayList<>();
    Matcher block = Pattern.compile("(?s)```sh\n(.*?)```").matcher(section);
    while (block.find()) {
      List<String> lines = block.group(1).lines().toList();
      int i = 0;
      while (i < lines.size()) {
        if (!lines.get(i).startsWith("$ ")) {
          i++; // a block of plain commands (not part of the tour) or stray text
          continue;
        }
        StringBuilder command = new StringBuilder(lines.get(i++).substring(2));
        while (i < lines.size() && continues(command.toString())) {
          command.append('\n').append(lines.get(i++));
        }
        StringBuilder shown = new StringBuilder();
        while (i < lines.size() && !lines.get(i).startsWith("$ ")) {
          shown.append(lines.get(i++)).append('\n');
        }
        steps.add(new Step(command.toString(), shown.toString().strip()));
      }
    }
    return steps;
  }

  /** A command goes on after a trailing backslash or pipe, or inside single quotes. */
  private static boolean continues(String command) {
    String last = command.substring(command.lastIndexOf('\n') + 1).stripTrailing();
    long quotes = command.chars().filter(c -> c == '\'').count();
    return last.endsWith("\\") || last.endsWith("|") || quotes % 2 == 1;
  }

  /**
   * Whether {@code actual} is what the README shows: exactly, line by line; or, when the README
   * elides with {@code ...}, the shown pieces in order (the first a prefix, the last a suffix),
   * with the README's line breaks and indentation taken out.
   */
  static boolean matches(String shown, String actual) {
    if (!shown.contains("...")) {
      return shown.lines().toList().equals(actual.strip().lines().toList());
    }
    String flat = actual.strip().replaceAll("\n\\s*", "");
    String[] pieces = shown.replaceAll("\n\\s*", "").split("\\s*,?\\s*\\.\\.\\.\\s*,?\\s*", -1);
    if (!flat.startsWith(pieces[0]) || !flat.endsWith(pieces[pieces.length - 1])) {
      return false;
    }
    int at = pieces[0].length();
    for (int k = 1; k < pieces.length - 1; k++) {
      at = flat.indexOf(pieces[k], at);
      if (at < 0) {
        return false;
      }
      at += pieces[k].length();
    }
    return at <= flat.length() - pieces[pieces.length - 1].length();
  }

  /** Points the tour at this run's port and keeps the server's log out of the outputs. */
  private static String adapt(String command, int port) {
    return command
        .replace("localhost:8420", "localhost:" + port)
        .replace("./rollgate serve &", "./rollgate serve >serve.log 2>&1 &")
        // Generous: on a busy machine the store's migrations can take a while.
        .replace(
            "./rollgate wait-ready",
            "./rollgate wait-ready --url http://127.0.0.1:" + port + " --timeout 120s");
  }

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void theTourRunsAsWritten(StoreKind store) throws Exception {
    List<Step> steps = tour(Files.readString(ROOT.resolve("README.md")));
    assertThat(steps)
        .extracting(Step::command)
        .as("the tour keeps every part this test is for")
        .anySatisfy(c -> assertThat(c).isEqualTo("./rollgate serve &"))
        .anySatisfy(c -> assertThat(c).isEqualTo("./rollgate wait-ready"))
        .anySatisfy(c -> assertThat(c).contains("-d '{\"state\": \"DISABLED\"}'"))
        .anySatisfy(c -> assertThat(c).contains("/api/v1/audit/verify"))
        .anySatisfy(c -> assertThat(c).contains("/flagd > production.json"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate eval --flags production.json"))
        .anySatisfy(c -> assertThat(c).contains("\"role\": \"sdk\""))
        .anySatisfy(c -> assertThat(c).contains("/ofrep/v1/evaluate/flags/new-checkout"))
        .anySatisfy(c -> assertThat(c).contains("--explain"))
        .anySatisfy(c -> assertThat(c).contains("--requests examples/requests.jsonl"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate test-flags"))
        .anySatisfy(c -> assertThat(c).startsWith("ROLLGATE_FLAG_NEW_CHECKOUT=off"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate login"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate flags disable"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate rollouts status"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate experiments results"));

    // A fresh directory as a new user has it: the examples, and ./rollgate from this checkout.
    Files.createSymbolicLink(dir.resolve("examples"), ROOT.resolve("examples"));
    Path launcher = dir.resolve("rollgate");
    Files.writeString(launcher, "#!/bin/sh\nexec '" + ROOT.resolve("rollgate") + "' \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));

    int port = ServeProcess.freePort();
    StringBuilder script = new StringBuilder("trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n");
    for (int i = 0; i < steps.size(); i++) {
      script
          .append(adapt(steps.get(i).command(), port))
          .append("\nprintf '\\n")
          .append(MARK)
          .append(" ")
          .append(i)
          .append(" %s\\n' $?\n");
    }
    Files.writeString(dir.resolve("tour.sh"), script);

    String dbUrl = store == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    ProcessBuilder builder =
        new ProcessBuilder("bash", "tour.sh")
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("out.txt").toFile())
            .redirectError(dir.resolve("err.txt").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("ROLLGATE_"));
    env.put("ROLLGATE_PORT", String.valueOf(port));
    // The tour shows what a terminal prints (tables), and rollgate login writes its profile here.
    env.put("ROLLGATE_OUTPUT", "table");
    env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    if (dbUrl != null) {
      env.put("ROLLGATE_DB_URL", dbUrl);
    }
    Process bash = builder.start();
    try {
      assertThat(bash.waitFor(10, TimeUnit.MINUTES)).as("the tour finished").isTrue();
    } finally {
      bash.descendants().forEach(ProcessHandle::destroy);
      bash.destroy();
      if (dbUrl != null) {
        TestPostgres.dropSchema(dbUrl);
      }
    }

    String out = Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8);
    String err = Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8);
    String log =
        Files.exists(dir.resolve("serve.log")) ? Files.readString(dir.resolve("serve.log")) : "";
    String context = "\nstderr:\n" + err + "\nserver log:\n" + log;
    Matcher marks = Pattern.compile("(?m)^" + MARK + " (\\d+) (\\d+)$").matcher(out);
    int from = 0;
    int seen = 0;
    while (marks.find()) {
      int i = Integer.parseInt(marks.group(1));
      Step step = steps.get(i);
      String actual = out.substring(from, marks.start());
      from = marks.end();
      seen++;
      assertThat(marks.group(2)).as("exit status of: %s%s", step.command(), context).isEqualTo("0");
      assertThat(matches(step.shown(), actual))
          .as(
              "the output of%n  %s%nis%n  %s%nbut the README shows%n  %s",
              step.command(), actual.strip(), step.shown())
          .isTrue();
    }
    assertThat(seen).as("every command ran" + context).isEqualTo(steps.size());
  }
}

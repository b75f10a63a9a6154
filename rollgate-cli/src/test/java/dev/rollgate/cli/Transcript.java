package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestPostgres;
import java.io.IOException;
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

/**
 * A page's shell sessions, run as written: every {@code $ command} of its {@code sh} blocks, in
 * order, in one bash session, in a fresh directory with this checkout's {@code ./rollgate}. Each
 * command must succeed and print what the page shows after it ({@code ...} stands for any text).
 * The README's tour and docs/flags.md are run so.
 */
final class Transcript {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String MARK = "@@transcript-step";
  private static final Pattern HEREDOC = Pattern.compile("<<-?'?([A-Za-z_]+)'?");

  private Transcript() {}

  /** A command of the page and the output the page shows for it. */
  record Step(String command, String shown) {}

  /** The {@code $ } commands of the sh blocks of {@code text}. */
  static List<Step> steps(String text) {
    List<Step> steps = new ArrayList<>();
    Matcher block = Pattern.compile("(?s)```sh\n(.*?)```").matcher(text);
    while (block.find()) {
      List<String> lines = block.group(1).lines().toList();
      int i = 0;
      while (i < lines.size()) {
        if (!lines.get(i).startsWith("$ ")) {
          i++; // a block of plain commands (not part of the session) or stray text
          continue;
        }
        StringBuilder command = new StringBuilder(lines.get(i++).substring(2));
        Matcher heredoc = HEREDOC.matcher(command);
        if (heredoc.find()) {
          String end = heredoc.group(1);
          while (i < lines.size()) {
            String line = lines.get(i++);
            command.append('\n').append(line);
            if (line.equals(end)) {
              break;
            }
          }
        }
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

  /** The part of {@code text} from the heading {@code heading} to the next of its level. */
  static String section(String text, String heading) {
    int start = text.indexOf("\n" + heading + "\n");
    assertThat(start).as("the page has a section " + heading).isPositive();
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    int end = text.indexOf("\n" + level, start + 1);
    return text.substring(start, end < 0 ? text.length() : end);
  }

  /** A command goes on after a trailing backslash or pipe, or inside single quotes. */
  private static boolean continues(String command) {
    String last = command.substring(command.lastIndexOf('\n') + 1).stripTrailing();
    long quotes = command.chars().filter(c -> c == '\'').count();
    return last.endsWith("\\") || last.endsWith("|") || quotes % 2 == 1;
  }

  /**
   * Whether {@code actual} is what the page shows: exactly, line by line; or, when the page elides
   * with {@code ...}, the shown pieces in order (the first a prefix, the last a suffix), with the
   * page's line breaks and indentation taken out.
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

  /**
   * Points the session at this run's ports (8420 for the page's server, 8421 for a second one it
   * starts) and keeps the servers' logs out of the outputs.
   */
  static String adapt(String command, int port, int second) {
    String adapted =
        command
            .replace("localhost:8420", "localhost:" + port)
            .replace("localhost:8421", "localhost:" + second)
            .replace("--port 8421", "--port " + second);
    if (adapted.startsWith("./rollgate serve") && adapted.endsWith(" &")) {
      adapted = adapted.substring(0, adapted.length() - 2) + " >>serve.log 2>&1 &";
    }
    return adapted
        // Generous: on a busy machine the store's migrations can take a while.
        .replace(
        "./rollgate wait-ready",
        "./rollgate wait-ready --url http://127.0.0.1:" + port + " --timeout 120s");
  }

  /**
   * Runs {@code steps} in {@code dir} on {@code store} and checks each step's status and output.
   */
  static void run(Path dir, List<Step> steps, StoreKind store)
      throws IOException, InterruptedException {
    // A fresh directory as a new user has it: the examples, and ./rollgate from this checkout.
    Files.createSymbolicLink(dir.resolve("examples"), ROOT.resolve("examples"));
    Path launcher = dir.resolve("rollgate");
    Files.writeString(launcher, "#!/bin/sh\nexec '" + ROOT.resolve("rollgate") + "' \"$@\"\n");
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));

    int port = ServeProcess.freePort();
    int second = ServeProcess.freePort();
    while (second == port) {
      second = ServeProcess.freePort();
    }
    StringBuilder script = new StringBuilder("trap 'kill $(jobs -p) 2>/dev/null; wait' EXIT\n");
    for (int i = 0; i < steps.size(); i++) {
      script
          .append(adapt(steps.get(i).command(), port, second))
          .append("\nprintf '\\n")
          .append(MARK)
          .append(" ")
          .append(i)
          .append(" %s\\n' $?\n");
    }
    Files.writeString(dir.resolve("session.sh"), script);

    String dbUrl = store == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    ProcessBuilder builder =
        new ProcessBuilder("bash", "session.sh")
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("out.txt").toFile())
            .redirectError(dir.resolve("err.txt").toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("ROLLGATE_"));
    env.put("ROLLGATE_PORT", String.valueOf(port));
    // Pages show what a terminal prints (tables), and rollgate login writes its profile here.
    env.put("ROLLGATE_OUTPUT", "table");
    env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
    if (dbUrl != null) {
      env.put("ROLLGATE_DB_URL", dbUrl);
    }
    Process bash = builder.start();
    try {
      assertThat(bash.waitFor(10, TimeUnit.MINUTES)).as("the session finished").isTrue();
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
              "the output of%n  %s%nis%n  %s%nbut the page shows%n  %s",
              step.command(), actual.strip(), step.shown())
          .isTrue();
    }
    assertThat(seen).as("every command ran" + context).isEqualTo(steps.size());
  }
}

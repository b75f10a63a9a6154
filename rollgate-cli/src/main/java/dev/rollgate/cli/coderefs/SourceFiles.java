package dev.rollgate.cli.coderefs;

import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Which files of a tree to scan, as paths relative to it with {@code /} between names: in a git
 * work tree the ones git knows or would add (tracked, plus untracked ones that are not ignored),
 * elsewhere every file the tree's {@code .gitignore} files leave.
 */
public final class SourceFiles {
  /** The files, and whether git listed them. */
  public record Listing(List<String> files, boolean fromGit) {}

  private SourceFiles() {}

  /**
   * Lists {@code root}'s files; {@code warn} hears why git could not be asked when the tree looked
   * like a work tree but git failed.
   */
  public static Listing list(Path root, Consumer<String> warn) {
    List<String> fromGit = gitFiles(root, warn);
    return fromGit != null ? new Listing(fromGit, true) : new Listing(walk(root), false);
  }

  /** The files git lists, or null when {@code root} is not in a work tree (or git is missing). */
  static List<String> gitFiles(Path root, Consumer<String> warn) {
    Result inside = git(root, "rev-parse", "--is-inside-work-tree");
    if (inside == null) {
      return null; // no git on this machine
    }
    if (inside.code != 0 && !inside.error.contains("not a git repository")) {
      // A repository git will not read (another user's, say): say so rather than guess quietly.
      warn.accept(
          "git cannot read this tree ("
              + firstLine(inside.error)
              + "); reading it with its .gitignore files instead");
    }
    if (inside.code != 0 || !inside.text.strip().equals("true")) {
      return null;
    }
    Result listed = git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard");
    if (listed == null || listed.code != 0) {
      warn.accept(
          "git ls-files failed"
              + (listed == null ? "" : ": " + firstLine(listed.error))
              + "; reading the tree with its .gitignore files instead");
      return null;
    }
    List<String> files = new ArrayList<>();
    String out = listed.text;
    int start = 0;
    for (int i = 0; i < out.length(); i++) {
      if (out.charAt(i) == '\0') {
        if (i > start) {
          files.add(out.substring(start, i));
        }
        start = i + 1;
      }
    }
    // --cached and --others never list the same path, but a path in conflict is listed per stage.
    return files.stream().distinct().toList();
  }

  private static String firstLine(String text) {
    String stripped = text.strip();
    int end = stripped.indexOf('\n');
    return dev.rollgate.cli.common.Text.printable(end < 0 ? stripped : stripped.substring(0, end));
  }

  /** How git ended, its standard output decoded, its standard error. */
  private record Result(int code, String text, String error) {}

  private static Result git(Path root, String... args) {
    List<String> command = new ArrayList<>(List.of("git", "-C", root.toString()));
    command.addAll(List.of(args));
    Path errors = null;
    try {
      errors = Files.createTempFile("rollgate-git", ".err");
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
              .redirectError(errors.toFile())
              .start();
      byte[] out;
      try (InputStream in = process.getInputStream()) {
        out = readAll(in);
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return null;
      }
      return new Result(
          process.exitValue(),
          new String(out, StandardCharsets.UTF_8),
          new String(Files.readAllBytes(errors), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return null; // no git on this machine: walk the tree
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(ExitCodes.FAILED, "interrupted while listing files with git");
    } finally {
      if (errors != null) {
        try {
          Files.deleteIfExists(errors);
        } catch (IOException e) {
          // a temporary file left behind is harmless
        }
      }
    }
  }

  private static java.io.File nullFile() {
    boolean windows = System.getProperty("os.name", "").startsWith("Windows");
    return new java.io.File(windows ? "NUL" : "/dev/null");
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 16);
    in.transferTo(buffer);
    return buffer.toByteArray();
  }

  /** Every regular file under {@code root} that its .gitignore files do not exclude. */
  static List<String> walk(Path root) {
    List<String> files = new ArrayList<>();
    Deque<Level> levels = new ArrayDeque<>();
    try {
      Files.walkFileTree(
          root,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              if (levels.isEmpty()) {
                levels.push(new Level("", rules(dir.resolve(".gitignore"))));
                return FileVisitResult.CONTINUE;
              }
              String name = dir.getFileName().toString();
              String rel = child(levels.peek(), name);
              if (name.equals(".git") || ignored(levels, rel, true)) {
                return FileVisitResult.SKIP_SUBTREE;
              }
              Gitignore rules = rules(dir.resolve(".gitignore"));
              levels.push(new Level(rel, rules, rules != null || levels.peek().ruled));
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile()) {
                String rel = child(levels.peek(), file.getFileName().toString());
                if (!ignored(levels, rel, false)) {
                  files.add(rel);
                }
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              return FileVisitResult.CONTINUE; // unreadable: nothing to scan there
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) {
              levels.pop();
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UserInputException("cannot read " + root + ": " + e.getMessage());
    }
    return files;
  }

  /**
   * A directory on the way down and its .gitignore's rules (null when it has none); {@code ruled}
   * is whether it or a directory above it has rules, so most trees check nothing per file.
   */
  private record Level(String path, Gitignore rules, boolean ruled) {
    Level(String path, Gitignore rules) {
      this(path, rules, rules != null);
    }
  }

  /** The path of {@code name} in the directory {@code level}, built without resolving paths. */
  private static String child(Level level, String name) {
    return level.path.isEmpty() ? name : level.path + "/" + name;
  }

  /** As git decides: the deepest .gitignore with a matching rule, its last matching rule. */
  private static boolean ignored(Deque<Level> levels, String path, boolean directory) {
    if (!levels.peek().ruled) {
      return false;
    }
    for (Level level : levels) { // deepest first
      if (level.rules == null) {
        continue;
      }
      String inside = level.path.isEmpty() ? path : path.substring(level.path.length() + 1);
      Boolean decision = level.rules.decide(inside, directory);
      if (decision != null) {
        return decision;
      }
    }
    return false;
  }

  private static Gitignore rules(Path file) {
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Gitignore.parse(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return null;
    }
  }
}

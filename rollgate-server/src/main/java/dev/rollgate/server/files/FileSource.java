package dev.rollgate.server.files;

import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.flags.FlagdImport;
import dev.rollgate.server.projects.Environment;
import dev.rollgate.server.projects.ProjectService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File mode ({@code rollgate serve --flags FILE [--watch]}): flagd files are the source of truth.
 * Their merged document is imported into every environment of the default project (replacing what
 * is there), at start and, when watched, whenever a file changes; the admin API refuses changes to
 * projects, flags and segments. A broken edit changes nothing: the last good document goes on being
 * served, the problem is logged with its JSON path and shown as a warning in {@code /ready}.
 */
public final class FileSource {
  private static final Logger log = LoggerFactory.getLogger(FileSource.class);

  private final List<Path> files;
  private final FlagdImport flagd;
  private final ProjectService projects;
  private final String project;
  private final Actor actor;
  private String lastApplied; // the merged text last imported; poll's thread only
  private List<Object> lastSeen = List.of(); // each file's size and modification time
  private volatile String problem;

  public FileSource(List<Path> files, FlagdImport flagd, ProjectService projects, String project) {
    this.files = List.copyOf(files);
    this.flagd = flagd;
    this.projects = projects;
    this.project = project;
    this.actor =
        new Actor(
            "flag-files",
            "flag files",
            files.stream().map(Path::toString).collect(Collectors.joining(", ")));
  }

  /** Imports the files at start; a problem stops the start with one line. */
  public void load() {
    String failure = apply(stat());
    if (failure != null) {
      throw new IllegalArgumentException("flag files: " + failure);
    }
    log.info(
        "flag files: serving {} in every environment of project {}; the admin API is read-only",
        files,
        project);
  }

  /** Looks at the files; imports them when one changed. Run every 250 ms when watching. */
  public synchronized void poll() {
    List<Object> seen = stat();
    if (seen.equals(lastSeen)) {
      return;
    }
    String failure = apply(seen);
    if (failure != null) {
      if (!failure.equals(problem)) {
        log.warn("flag files: {}; serving the last good version", failure);
      }
      problem = failure;
    } else if (problem != null) {
      log.info("flag files: fixed; serving the files again");
      problem = null;
    }
  }

  /** Why the files as they are now are not served, for {@code /ready}; empty when they are. */
  public List<String> warnings() {
    String p = problem;
    return p == null ? List.of() : List.of("flag files: " + p + "; serving the last good version");
  }

  /** null when the files are served now; else why not. */
  private String apply(List<Object> seen) {
    FlagFiles.Merged merged;
    try {
      merged = FlagFiles.read(files);
    } catch (FlagFiles.Unreadable e) {
      lastSeen = seen; // a broken file is not read again until it changes
      return e.getMessage();
    }
    if (merged.text().equals(lastApplied)) {
      lastSeen = seen;
      return null;
    }
    try {
      for (Environment env : projects.environments(project)) {
        flagd.importDocument(
            actor, project, env.key(), merged.text(), FlagdImport.Mode.REPLACE, true);
      }
    } catch (Failure e) {
      lastSeen = seen; // refused as written: not tried again until a file changes
      return e.getMessage() + origins(e.getMessage(), merged.origins());
    }
    // A store that failed meanwhile throws past here: the files are tried again next poll.
    lastSeen = seen;
    lastApplied = merged.text();
    return null;
  }

  /** " (flag x is from b.json)" for the flags a problem names. */
  private static String origins(String message, Map<String, Path> origins) {
    List<String> named = new ArrayList<>();
    origins.forEach((flag, file) -> {
      if (message.contains("flags." + flag + ".") || message.contains("flags." + flag + ":")) {
        named.add("flag " + flag + " is from " + file);
      }
    });
    return named.isEmpty() ? "" : " (" + String.join(", ", named) + ")";
  }

  private List<Object> stat() {
    List<Object> seen = new ArrayList<>();
    for (Path file : files) {
      try {
        seen.add(Files.size(file));
        seen.add(Files.getLastModifiedTime(file).toMillis());
      } catch (IOException e) {
        seen.add(e.getClass().getSimpleName()); // gone for now: read (and refused) once
      }
    }
    return seen;
  }
}

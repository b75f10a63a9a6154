package dev.rollgate.server.files;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flag documents in flagd's format, read from files and merged into one: later files win per flag
 * key and per shared evaluator. What cannot be read or parsed is an {@link Unreadable} naming the
 * file.
 */
final class FlagFiles {
  private FlagFiles() {}

  /** A file that cannot be read, or is not a JSON object. */
  static final class Unreadable extends Exception {
    Unreadable(String message) {
      super(message);
    }
  }

  /**
   * The merged document's text, and for each flag key the file it comes from (to name it in a
   * problem).
   */
  record Merged(String text, Map<String, Path> origins) {}

  @SuppressWarnings("unchecked") // JSON objects are maps
  static Merged read(List<Path> files) throws Unreadable {
    Map<String, Object> flags = new LinkedHashMap<>();
    Map<String, Object> evaluators = new LinkedHashMap<>();
    Map<String, Object> metadata = new LinkedHashMap<>();
    Map<String, Path> origins = new LinkedHashMap<>();
    for (Path file : files) {
      String text;
      try {
        text = Files.readString(file);
      } catch (IOException e) {
        throw new Unreadable(file + ": cannot be read (" + e.getMessage() + ")");
      }
      Object tree;
      try {
        tree = Json.parse(text);
      } catch (JsonSyntaxException e) {
        throw new Unreadable(file + ": " + e.getMessage());
      }
      if (!(tree instanceof Map<?, ?> document)) {
        throw new Unreadable(file + ": a flagd document is a JSON object");
      }
      member(document, "flags", file, flags, origins);
      member(document, "$evaluators", file, evaluators, null);
      member(document, "metadata", file, metadata, null);
    }
    Map<String, Object> merged = new LinkedHashMap<>();
    merged.put("flags", flags);
    if (!evaluators.isEmpty()) {
      merged.put("$evaluators", evaluators);
    }
    if (!metadata.isEmpty()) {
      merged.put("metadata", metadata);
    }
    return new Merged(Json.write(merged), origins);
  }

  @SuppressWarnings("unchecked")
  private static void member(
      Map<?, ?> document,
      String name,
      Path file,
      Map<String, Object> into,
      Map<String, Path> origins)
      throws Unreadable {
    Object value = document.get(name);
    if (value == null) {
      return;
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new Unreadable(file + ": " + name + " must be an object");
    }
    ((Map<String, Object>) map)
        .forEach((key, v) -> {
          into.put(key, v);
          if (origins != null) {
            origins.put(key, file);
          }
        });
  }
}

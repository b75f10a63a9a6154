package dev.rollgate.sdk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The on-disk copy of the last good configuration, and the reading of flag files at start (that
 * copy, or else the bootstrap file). The copy is written to a temporary file and moved into place,
 * so that a crash mid-write never leaves a half-written copy for the next start.
 *
 * <p>A copy that cannot be written is logged on {@value #LOGGER} once until a write succeeds again:
 * the copy is a convenience, and evaluation does not depend on it.
 */
final class CacheFile {
  static final String LOGGER = "dev.rollgate.sdk.cache";

  private final Path file; // null: no copy is kept
  private final StateLog log;

  CacheFile(Path file) {
    this.file = file;
    this.log = new StateLog(LOGGER);
  }

  /** A flag file's text; null when there is none or it cannot be read. */
  static String read(Path file) {
    if (file == null || !Files.isRegularFile(file)) {
      return null;
    }
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return null;
    }
  }

  /** Replaces the copy with {@code document} atomically. */
  void write(String document) {
    if (file == null) {
      return;
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path temp = Files.createTempFile(parent, ".rollgate-flags", ".tmp");
      Files.writeString(temp, document, StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      log.recovered(() -> "Rollgate's copy of the flags is written to " + file + " again");
    } catch (IOException e) {
      log.failed(
          e.getClass().getName(),
          () -> "Rollgate cannot write its copy of the flags to " + file + " (" + e + ")");
    }
  }
}

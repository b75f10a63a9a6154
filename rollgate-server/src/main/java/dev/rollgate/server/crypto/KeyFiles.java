package dev.rollgate.server.crypto;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Keys kept in the data directory, apart from the database: readable by the server's user only. The
 * directory is created 0700 and each key file 0600 (on file systems with POSIX permissions), and a
 * key file is written whole or not at all, so a crash never leaves half a key.
 */
public final class KeyFiles {
  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private KeyFiles() {}

  /** Creates {@code dir} (and its parents) when missing; a directory created here is 0700. */
  public static void privateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Path parent = dir.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    try {
      Files.createDirectory(dir, attributes("rwx------"));
    } catch (FileAlreadyExistsException raced) {
      // another process created it first: fine, it is there
    }
  }

  /**
   * The bytes in {@code file}; when it does not exist, new bytes from {@code generator}, written
   * there first (0600) so the next start reads the same key.
   */
  public static byte[] readOrCreate(Path file, Supplier<byte[]> generator) throws IOException {
    if (Files.exists(file)) {
      return Files.readAllBytes(file);
    }
    privateDirectory(file.toAbsolutePath().getParent());
    byte[] key = generator.get();
    Path temp =
        Files.createTempFile(
            file.toAbsolutePath().getParent(), ".key", ".tmp", attributes("rw-------"));
    try {
      Files.write(temp, key);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (FileAlreadyExistsException raced) {
      return Files.readAllBytes(file);
    } finally {
      Files.deleteIfExists(temp);
    }
    return Files.readAllBytes(file);
  }

  /** The POSIX permissions of {@code path}, or null where the file system has none. */
  public static Set<PosixFilePermission> permissions(Path path) throws IOException {
    return POSIX ? Files.getPosixFilePermissions(path) : null;
  }

  /** Creation attributes for {@code mode} (like "rw-------"), or none off POSIX. */
  public static FileAttribute<?>[] attributes(String mode) {
    return POSIX
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(mode))
        }
        : new FileAttribute<?>[0];
  }
}

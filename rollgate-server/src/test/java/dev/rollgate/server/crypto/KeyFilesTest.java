package dev.rollgate.server.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
  @TempDir Path temp;

  @Test
  void aKeyIsCreatedOnceInAPrivateDirectoryAndReadBackAfter() throws Exception {
    Path dir = temp.resolve("data");
    AtomicInteger generated = new AtomicInteger();
    byte[] first =
        KeyFiles.readOrCreate(
            dir.resolve("k.key"),
            () -> {
              generated.incrementAndGet();
              return new byte[] {1, 2, 3};
            });
    byte[] second = KeyFiles.readOrCreate(dir.resolve("k.key"), () -> new byte[] {9});

    assertThat(first).containsExactly(1, 2, 3);
    assertThat(second).containsExactly(1, 2, 3);
    assertThat(generated).hasValue(1);
    assertThat(PosixFilePermissions.toString(KeyFiles.permissions(dir))).isEqualTo("rwx------");
    assertThat(PosixFilePermissions.toString(KeyFiles.permissions(dir.resolve("k.key"))))
        .isEqualTo("rw-------");
    try (var files = Files.list(dir)) {
      assertThat(files).extracting(p -> p.getFileName().toString()).containsExactly("k.key");
    }
  }

  @Test
  void anExistingDirectoryKeepsItsPermissions() throws Exception {
    Path dir = Files.createDirectory(temp.resolve("shared"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
    KeyFiles.privateDirectory(dir);
    assertThat(PosixFilePermissions.toString(KeyFiles.permissions(dir))).isEqualTo("rwxr-x---");
  }
}

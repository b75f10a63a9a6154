package dev.rollgate.server.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
  private static final String SECRET = "whsec_0123456789abcdef";

  @TempDir Path temp;

  private static SecretBox box(int fill, String source) {
    byte[] key = new byte[32];
    java.util.Arrays.fill(key, (byte) fill);
    return new SecretBox(key, source);
  }

  @Test
  void aSealedValueOpensOnlyWithItsKeyAndContext() throws Exception {
    SecretBox box = box(1, "key-a");
    String sealed = box.seal(SECRET, "webhooks/1/secret");
    assertThat(sealed).startsWith("v1:").doesNotContain(SECRET);
    assertThat(box.seal(SECRET, "webhooks/1/secret"))
        .as("a fresh nonce each time")
        .isNotEqualTo(sealed);
    assertThat(box.open(sealed, "webhooks/1/secret")).isEqualTo(SECRET);

    assertThatThrownBy(() -> box(2, "key-b").open(sealed, "webhooks/1/secret"))
        .isInstanceOf(SecretBox.Unreadable.class)
        .hasMessageContaining("key-b");
    assertThatThrownBy(() -> box.open(sealed, "webhooks/2/secret"))
        .as("copied into another row")
        .isInstanceOf(SecretBox.Unreadable.class);
    byte[] bytes = Base64.getDecoder().decode(sealed.substring(3));
    bytes[bytes.length - 1] ^= 1;
    String tampered = "v1:" + Base64.getEncoder().encodeToString(bytes);
    assertThatThrownBy(() -> box.open(tampered, "webhooks/1/secret"))
        .isInstanceOf(SecretBox.Unreadable.class);
    assertThatThrownBy(() -> box.open(SECRET, "webhooks/1/secret"))
        .isInstanceOf(SecretBox.Unreadable.class);
    assertThatThrownBy(() -> box.open("v1:AAAA", "webhooks/1/secret"))
        .isInstanceOf(SecretBox.Unreadable.class);
    assertThatThrownBy(() -> box.open("v1:!!", "webhooks/1/secret"))
        .isInstanceOf(SecretBox.Unreadable.class);
  }

  @Test
  void theKeyComesFromTheEnvironmentWhenSetAndNoFileIsWritten() throws Exception {
    byte[] key = new byte[32];
    key[0] = 7;
    String base64 = Base64.getEncoder().encodeToString(key);
    SecretBox fromEnvironment = SecretBox.load(base64, temp.resolve("data"));
    assertThat(fromEnvironment.source()).isEqualTo("ROLLGATE_SECRET_KEY");
    assertThat(new SecretBox(key, "same").open(fromEnvironment.seal(SECRET, "c"), "c"))
        .isEqualTo(SECRET);
    assertThat(temp.resolve("data")).doesNotExist();
  }

  @Test
  void withoutTheVariableAKeyFileIsCreatedOwnerOnlyAndReadOnTheNextStart() throws Exception {
    Path data = temp.resolve("data");
    SecretBox first = SecretBox.load(null, data);
    SecretBox second = SecretBox.load("", data);
    Path file = data.resolve("secret.key");
    assertThat(first.source()).isEqualTo(file.toString());
    assertThat(second.open(first.seal(SECRET, "c"), "c")).isEqualTo(SECRET);
    assertThat(PosixFilePermissions.toString(KeyFiles.permissions(file))).isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(KeyFiles.permissions(data))).isEqualTo("rwx------");
    // The file holds what ROLLGATE_SECRET_KEY would, so other replicas can be given it.
    String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    assertThat(Base64.getDecoder().decode(text)).hasSize(32);
    assertThat(SecretBox.load(text, temp.resolve("other")).open(first.seal(SECRET, "c"), "c"))
        .isEqualTo(SECRET);
  }

  @Test
  void aKeyThatIsNot32BytesOfBase64IsAClearStartError() throws Exception {
    assertThatThrownBy(() -> SecretBox.load("not base64!", temp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ROLLGATE_SECRET_KEY must hold a 32-byte key in base64");
    assertThatThrownBy(() -> SecretBox.load(Base64.getEncoder().encodeToString(new byte[16]), temp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ROLLGATE_SECRET_KEY must hold a 32-byte key");
    Files.writeString(temp.resolve("secret.key"), "short\n");
    assertThatThrownBy(() -> SecretBox.load(null, temp))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(temp.resolve("secret.key") + " must hold a 32-byte key");
  }
}

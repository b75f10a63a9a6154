package dev.rollgate.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.server.crypto.KeyFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signing key comes from the setting or from a private file, and signs what it should. */
class AuditKeyTest {
  @TempDir Path dir;

  @Test
  void withoutTheSettingTheKeyIsCreatedOnceInAPrivateFile() throws Exception {
    Path dataDir = dir.resolve("data");
    AuditKey first = AuditKey.load(null, dataDir);
    Path file = dataDir.resolve("audit-signing.key");
    assertThat(file).exists();
    var permissions = KeyFiles.permissions(file);
    if (permissions != null) {
      assertThat(PosixFilePermissions.toString(permissions)).isEqualTo("rw-------");
    }
    // The file holds what the setting takes, so it can be handed to other replicas as it is.
    assertThat(Files.readString(file)).isEqualTo(first.encoded());
    AuditKey again = AuditKey.load(null, dataDir);
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.publicKeyBase64()).isEqualTo(first.publicKeyBase64());
  }

  @Test
  void theSettingWinsAndLeavesNoFile() {
    AuditKey given = AuditKey.generate();
    AuditKey loaded = AuditKey.load(given.encoded(), dir);
    assertThat(loaded.id()).isEqualTo(given.id());
    assertThat(loaded.publicKeyBase64()).isEqualTo(given.publicKeyBase64());
    assertThat(dir.resolve("audit-signing.key")).doesNotExist();
    // What one signs the other verifies: they are the same key, public half derived right.
    String signature = loaded.sign("m");
    assertThat(given.verifies("m", signature)).isTrue();
    assertThat(given.verifies("n", signature)).isFalse();
    assertThat(AuditKey.generate().verifies("m", signature)).isFalse();
    assertThat(given.verifies("m", "not hex")).isFalse();
    assertThat(given.verifies("m", "00")).isFalse();
    assertThat(given.verifies("m", null)).isFalse();
  }

  @Test
  void aKeyThatIsNotEd25519Pkcs8StopsTheStart() throws Exception {
    assertThatThrownBy(() -> AuditKey.load("not base64!", dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ROLLGATE_AUDIT_SIGNING_KEY must be an Ed25519 private key");
    String rsa =
        Base64.getEncoder()
            .encodeToString(
                KeyPairGenerator.getInstance("RSA").generateKeyPair().getPrivate().getEncoded());
    assertThatThrownBy(() -> AuditKey.load(rsa, dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ROLLGATE_AUDIT_SIGNING_KEY");
    Files.writeString(dir.resolve("audit-signing.key"), "garbage");
    assertThatThrownBy(() -> AuditKey.load(null, dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("audit-signing.key must be an Ed25519 private key");
  }
}

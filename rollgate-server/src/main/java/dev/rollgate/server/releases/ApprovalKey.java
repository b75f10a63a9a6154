package dev.rollgate.server.releases;

import dev.rollgate.server.crypto.SecretBox;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The server's Ed25519 key that signs release approvals: made at the first start and kept in the
 * store (the private half sealed with the server's secret key), so every replica signs with the
 * same key and anyone with the public key can check an approval offline.
 */
public final class ApprovalKey {
  static final String PURPOSE = "release-approvals";
  private static final String CONTEXT = "server-key:" + PURPOSE;

  private final PrivateKey privateKey;
  private final String publicKeyBase64;
  private final String id;

  private ApprovalKey(PrivateKey privateKey, String publicKeyBase64) {
    this.privateKey = privateKey;
    this.publicKeyBase64 = publicKeyBase64;
    this.id = Sha256.hex(publicKeyBase64, 16);
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ApprovalKey.class);

  /**
   * The stored key, made and stored first if there is none (the first replica's wins). A replica
   * whose secret key does not open it still verifies approvals (the public half is plain) but
   * cannot sign new ones, and says so, rather than refusing to start.
   */
  public static ApprovalKey load(Database db, SecretBox box, long now) {
    String[] stored =
        db.inTransaction(tx -> {
          if (ReleaseStore.key(tx, PURPOSE).isEmpty()) {
            KeyPair pair = generate();
            ReleaseStore.keepKey(
                tx,
                PURPOSE,
                Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                box.seal(
                    Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()), CONTEXT),
                now);
          }
          return ReleaseStore.key(tx, PURPOSE).orElseThrow();
        });
    try {
      byte[] der = Base64.getDecoder().decode(box.open(stored[1], CONTEXT));
      PrivateKey key =
          KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
      return new ApprovalKey(key, stored[0]);
    } catch (SecretBox.Unreadable e) {
      log.error(
          "releases: the approval key in the store does not open with the secret key from {}:"
              + " this replica cannot sign approvals until every replica has the same {}",
          box.source(),
          SecretBox.KEY_VARIABLE);
      return new ApprovalKey(null, stored[0]);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the stored release approval key is not an Ed25519 key", e);
    }
  }

  private static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every JDK", e);
    }
  }

  /** The public key, X.509 SubjectPublicKeyInfo as base64. */
  public String publicKey() {
    return publicKeyBase64;
  }

  /** The first 16 bytes of the public key's SHA-256, hex: which key signed. */
  public String id() {
    return id;
  }

  String sign(String text) {
    if (privateKey == null) {
      throw dev.rollgate.server.domain.Failure.conflict(
          "this replica cannot sign approvals: its "
              + SecretBox.KEY_VARIABLE
              + " is not the one the approval key was sealed with; approve on another replica or"
              + " give every replica the same key");
    }
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(privateKey);
      s.update(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every JDK", e);
    }
  }

  /** Whether {@code publicKey} (base64 X.509) is an Ed25519 public key at all. */
  public static boolean readable(String publicKey) {
    try {
      KeyFactory.getInstance("Ed25519")
          .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKey)));
      return true;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Whether {@code signature} (base64) is {@code publicKey}'s over {@code text}. */
  public static boolean verify(String publicKey, String text, String signature) {
    try {
      PublicKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(publicKey)));
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(text.getBytes(StandardCharsets.UTF_8));
      return s.verify(Base64.getDecoder().decode(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The text an approval's signature covers, one field a line: what {@code rollgate
   * verify-approval} rebuilds from an approval's JSON.
   */
  public static String signedText(
      String releaseId, String version, String phase, String approver, String at) {
    return String.join(
        "\n", "rollgate-release-approval/v1", releaseId, version, phase, approver, at);
  }
}

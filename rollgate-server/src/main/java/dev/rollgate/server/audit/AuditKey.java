package dev.rollgate.server.audit;

import dev.rollgate.server.crypto.KeyFiles;
import dev.rollgate.server.crypto.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The server's Ed25519 key that signs audit events and checkpoints. It is kept apart from the
 * database, so that someone who can write the database cannot sign what they write.
 *
 * <p>Its public half is named by a fingerprint, {@link #id()}: the first 16 bytes of the SHA-256 of
 * the public key's base64 X.509 encoding, in hex.
 */
public final class AuditKey {
  static final String FILE = "audit-signing.key";

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String id;

  private AuditKey(KeyPair pair) {
    this.privateKey = pair.getPrivate();
    this.publicKey = pair.getPublic();
    this.id = Sha256.hex(publicKeyBase64(), 16);
  }

  /**
   * The key given as base64 PKCS#8 ({@code ROLLGATE_AUDIT_SIGNING_KEY}) when not null, else the one
   * in {@code <dataDir>/audit-signing.key}, created there (0600, in the same format) on first use.
   */
  public static AuditKey load(String base64Pkcs8, Path dataDir) {
    if (base64Pkcs8 != null) {
      return ofSetting(base64Pkcs8);
    }
    Path file = dataDir.resolve(FILE);
    try {
      byte[] text =
          KeyFiles.readOrCreate(
              file, () -> generate().encoded().getBytes(StandardCharsets.US_ASCII));
      return parse(new String(text, StandardCharsets.US_ASCII), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create " + file, e);
    }
  }

  /**
   * The key in {@code ROLLGATE_AUDIT_SIGNING_KEY}'s value.
   *
   * @throws IllegalArgumentException when it is not an Ed25519 private key as base64 PKCS#8
   */
  public static AuditKey ofSetting(String base64Pkcs8) {
    return parse(base64Pkcs8, "ROLLGATE_AUDIT_SIGNING_KEY");
  }

  /** A new random key (the first start's, and tests'). */
  public static AuditKey generate() {
    try {
      return new AuditKey(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is part of every JDK", e);
    }
  }

  private static AuditKey parse(String base64Pkcs8, String source) {
    try {
      byte[] der = Base64.getMimeDecoder().decode(base64Pkcs8.strip());
      PrivateKey key =
          KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
      byte[] seed =
          ((EdECPrivateKey) key)
              .getBytes()
              .orElseThrow(() -> new GeneralSecurityException("the key has no private bytes"));
      // The JDK derives no public key from a private one, but its generator draws the private key
      // as 32 random bytes: given the stored ones, it makes the same pair, public half included.
      KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
      generator.initialize(NamedParameterSpec.ED25519, new Replay(seed));
      AuditKey pair = new AuditKey(generator.generateKeyPair());
      if (!java.util.Arrays.equals(pair.privateKey.getEncoded(), key.getEncoded())) {
        throw new GeneralSecurityException("the key could not be read back");
      }
      return pair;
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalArgumentException(
          source + " must be an Ed25519 private key as base64 PKCS#8; it could not be read", e);
    }
  }

  /** The private key as base64 PKCS#8: what the file holds and the setting takes. */
  public String encoded() {
    return Base64.getEncoder().encodeToString(privateKey.getEncoded());
  }

  /** The fingerprint of the public key, stored with each event it signs. */
  public String id() {
    return id;
  }

  /** The public key as base64 X.509 (SubjectPublicKeyInfo), as OpenSSL reads it. */
  public String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(publicKey.getEncoded());
  }

  /** The signature of {@code message}'s UTF-8, in hex. */
  String sign(String message) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update(message.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /** Whether {@code signatureHex} is this key's signature of {@code message}. */
  boolean verifies(String message, String signatureHex) {
    if (signatureHex == null) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(publicKey);
      verifier.update(message.getBytes(StandardCharsets.UTF_8));
      return verifier.verify(HexFormat.of().parseHex(signatureHex));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false; // not hex, or not a signature's length: not a valid signature
    }
  }

  /** Hands the key generator the stored private bytes instead of random ones. */
  private static final class Replay extends SecureRandom {
    private final byte[] bytes;

    Replay(byte[] bytes) {
      this.bytes = bytes.clone();
    }

    @Override
    public void nextBytes(byte[] out) {
      if (out.length != bytes.length) {
        throw new IllegalStateException("the generator asked for " + out.length + " bytes");
      }
      System.arraycopy(bytes, 0, out, 0, out.length);
    }
  }
}

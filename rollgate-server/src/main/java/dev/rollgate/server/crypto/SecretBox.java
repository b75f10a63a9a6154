package dev.rollgate.server.crypto;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals short secrets that must be read back (webhook signing secrets) so that the database alone
 * does not give them away: AES-256-GCM under a key kept outside the database, a fresh 96-bit nonce
 * per value, and a version prefix so the format can change later.
 *
 * <p>A sealed value is {@code v1:<base64(nonce ‖ ciphertext ‖ tag)>}. Each value is bound to a
 * context (such as the row it belongs to), so a sealed value copied into another row does not open.
 */
public final class SecretBox {
  /** The environment variable that gives the key; see {@link #load}. */
  public static final String KEY_VARIABLE = "ROLLGATE_SECRET_KEY";

  /** The key file in the data directory, used when {@link #KEY_VARIABLE} is not set. */
  public static final String KEY_FILE = "secret.key";

  private static final String V1 = "v1:";
  private static final int KEY_BYTES = 32;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKeySpec key;
  private final String source;

  /**
   * A box with a 32-byte {@code key}; {@code source} says where it came from, for messages.
   *
   * @throws IllegalArgumentException when the key is not 32 bytes
   */
  public SecretBox(byte[] key, String source) {
    if (key.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          source + " must be a " + KEY_BYTES + "-byte key, not " + key.length + " bytes");
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
    this.source = source;
  }

  /**
   * The key from {@code base64Key} (the value of {@link #KEY_VARIABLE}) when it is set, else from
   * {@code <dataDir>/secret.key}, created 0600 with a new random key on first use. The file holds
   * the key in base64, so it can be copied into {@link #KEY_VARIABLE} for other replicas.
   *
   * @throws IllegalArgumentException when the variable or the file does not hold a 32-byte key in
   *     base64
   */
  public static SecretBox load(String base64Key, Path dataDir) throws IOException {
    if (base64Key != null && !base64Key.isBlank()) {
      return new SecretBox(parseKey(base64Key, KEY_VARIABLE), KEY_VARIABLE);
    }
    Path file = dataDir.resolve(KEY_FILE);
    byte[] text =
        KeyFiles.readOrCreate(
            file,
            () -> {
              byte[] fresh = new byte[KEY_BYTES];
              RANDOM.nextBytes(fresh);
              return (Base64.getEncoder().encodeToString(fresh) + "\n")
                  .getBytes(StandardCharsets.US_ASCII);
            });
    return new SecretBox(
        parseKey(new String(text, StandardCharsets.US_ASCII), file.toString()), file.toString());
  }

  /**
   * The key {@code base64} holds; {@code source} names it in the message.
   *
   * @throws IllegalArgumentException when it is not 32 bytes in base64
   */
  public static byte[] parseKey(String base64, String source) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      bytes = new byte[0];
    }
    if (bytes.length != KEY_BYTES) {
      throw new IllegalArgumentException(
          source
              + " must hold a "
              + KEY_BYTES
              + "-byte key in base64 (such as the output of openssl rand -base64 32)");
    }
    return bytes;
  }

  /** Where the key came from: {@link #KEY_VARIABLE} or the key file's path. */
  public String source() {
    return source;
  }

  /** {@code text} sealed for {@code context}; only {@link #open} with the same context reads it. */
  public String seal(String text, String context) {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, context);
      byte[] sealed = cipher.doFinal(text.getBytes(StandardCharsets.UTF_8));
      return V1
          + Base64.getEncoder()
              .encodeToString(
                  ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  /**
   * The text {@code sealed} holds.
   *
   * @throws Unreadable when it was sealed under another key or for another context, was changed, or
   *     is not a sealed value at all
   */
  public String open(String sealed, String context) throws Unreadable {
    if (sealed == null || !sealed.startsWith(V1)) {
      throw new Unreadable("not a sealed value of a known version");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(sealed.substring(V1.length()));
    } catch (IllegalArgumentException e) {
      throw new Unreadable("not valid base64");
    }
    if (bytes.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new Unreadable("too short");
    }
    try {
      Cipher cipher =
          cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(bytes, NONCE_BYTES), context);
      return new String(
          cipher.doFinal(bytes, NONCE_BYTES, bytes.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new Unreadable("does not open with the key from " + source);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every JDK", e);
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String context) throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  /** A sealed value that this box cannot open. */
  public static final class Unreadable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreadable(String message) {
      super(message);
    }
  }
}

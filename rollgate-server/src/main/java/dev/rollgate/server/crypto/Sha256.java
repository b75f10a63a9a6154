package dev.rollgate.server.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 of text, as lower-case hex: token hashes, the audit chain, content ETags; and HMAC-SHA256
 * for webhook signatures.
 */
public final class Sha256 {
  private Sha256() {}

  /** The full digest of {@code text}'s UTF-8, 64 hex digits. */
  public static String hex(String text) {
    return hex(text, 32);
  }

  /** The first {@code bytes} bytes of the digest, as hex (for ETags, where 96 bits will do). */
  public static String hex(String text, int bytes) {
    return hex(text.getBytes(StandardCharsets.UTF_8), bytes);
  }

  /** The first {@code bytes} bytes of the digest of {@code data}, as hex. */
  public static String hex(byte[] data, int bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(data);
      return HexFormat.of().formatHex(digest, 0, bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** HMAC-SHA256 of {@code text}'s UTF-8 under {@code key}'s UTF-8, 64 hex digits. */
  public static String hmacHex(String key, String text) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(
          new javax.crypto.spec.SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | java.security.InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}

package dev.rollgate.core.internal.hash;

/**
 * MurmurHash3 x86_32: with seed 0, the hash flagd's {@code fractional} buckets with; with a seed,
 * what Unleash's variants bucket with.
 *
 * <p>Strings are hashed as their UTF-8 bytes, encoded on the fly so that hashing allocates nothing
 * (an unpaired surrogate counts as {@code '?'}, as {@link String#getBytes} would encode it).
 * Callers read the result as unsigned with {@link Integer#toUnsignedLong(int)}. Algorithm: Austin
 * Appleby's public-domain MurmurHash3.cpp.
 */
public final class Murmur3 {
  private static final int C1 = 0xcc9e2d51;
  private static final int C2 = 0x1b873593;

  private Murmur3() {}

  /** The hash of raw bytes. */
  public static int hash32(byte[] data) {
    int h1 = 0;
    int blocks = data.length / 4;
    for (int i = 0; i < blocks; i++) {
      int j = i * 4;
      int k1 =
          (data[j] & 0xff)
              | (data[j + 1] & 0xff) << 8
              | (data[j + 2] & 0xff) << 16
              | (data[j + 3] & 0xff) << 24;
      h1 = mixBlock(h1, k1);
    }
    int tail = 0;
    int rest = data.length & 3;
    for (int i = rest - 1; i >= 0; i--) {
      tail = tail << 8 | (data[blocks * 4 + i] & 0xff);
    }
    if (rest > 0) {
      h1 ^= mixK1(tail);
    }
    return finish(h1, data.length);
  }

  /** The hash of the UTF-8 encoding of {@code text}. */
  public static int hashUtf8(CharSequence text) {
    return hashUtf8From(0, 0, 0, 0, text);
  }

  /**
   * The state after hashing a fixed first part, such as a flag key, so that hashing it followed by
   * many second parts (targeting keys) reads the first part once: {@code Prefix.of(a).hashUtf8(b)}
   * is {@code hashUtf8(a, b)}.
   */
  public static final class Prefix {
    private final int seed;
    private final String first; // kept for the rare text whose surrogate pair spans both parts
    private final boolean endsInHighSurrogate;
    private final int h1;
    private final int pending;
    private final int pendingBits;
    private final int byteCount;

    private Prefix(int seed, String first) {
      this.seed = seed;
      this.first = first;
      this.endsInHighSurrogate =
          !first.isEmpty() && Character.isHighSurrogate(first.charAt(first.length() - 1));
      int h = seed;
      int bytes = 0;
      int bits = 0;
      int count = 0;
      byte[] utf8 = first.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      for (byte b : utf8) {
        bytes |= (b & 0xff) << bits;
        bits += 8;
        count++;
        if (bits == 32) {
          h = mixBlock(h, bytes);
          bytes = 0;
          bits = 0;
        }
      }
      this.h1 = h;
      this.pending = bytes;
      this.pendingBits = bits;
      this.byteCount = count;
    }

    public static Prefix of(String first) {
      return new Prefix(0, first);
    }

    /** The hash of the UTF-8 of the first part followed by {@code second}'s. */
    public int hashUtf8(CharSequence second) {
      if (endsInHighSurrogate) {
        return Murmur3.hashUtf8(seed, first, second);
      }
      return hashUtf8From(h1, pending, pendingBits, byteCount, second);
    }
  }

  /**
   * Goes on hashing from a state ({@code pendingBits} of a block in {@code pending}, {@code
   * byteCount} bytes so far) with the UTF-8 of {@code text}. Text that is ASCII goes four
   * characters to a block.
   */
  private static int hashUtf8From(
      int h1, int pending, int pendingBits, int byteCount, CharSequence text) {
    int n = text.length();
    int i = 0;
    while (i < n) {
      if (pendingBits == 0) {
        for (; i + 4 <= n; i += 4) {
          char c0 = text.charAt(i);
          char c1 = text.charAt(i + 1);
          char c2 = text.charAt(i + 2);
          char c3 = text.charAt(i + 3);
          if ((c0 | c1 | c2 | c3) >= 0x80) {
            break;
          }
          h1 = mixBlock(h1, c0 | c1 << 8 | c2 << 16 | c3 << 24);
          byteCount += 4;
        }
        if (i == n) {
          break;
        }
      }
      char c = text.charAt(i);
      if (c < 0x80) { // one byte: no encoding to unpack
        pending |= c << pendingBits;
        pendingBits += 8;
        byteCount++;
        i++;
        if (pendingBits == 32) {
          h1 = mixBlock(h1, pending);
          pending = 0;
          pendingBits = 0;
        }
        continue;
      }
      long encoded = encode(c, i + 1 < n ? text.charAt(i + 1) : 0);
      int bytes = (int) (encoded >>> 32);
      i += bytes == 4 ? 2 : 1;
      byteCount += bytes;
      for (int b = 0; b < bytes; b++) {
        pending |= (((int) encoded >>> (8 * b)) & 0xff) << pendingBits;
        pendingBits += 8;
        if (pendingBits == 32) {
          h1 = mixBlock(h1, pending);
          pending = 0;
          pendingBits = 0;
        }
      }
    }
    if (pendingBits > 0) {
      h1 ^= mixK1(pending);
    }
    return finish(h1, byteCount);
  }

  /**
   * The UTF-8 of {@code c} (followed by {@code next}, read only to complete a surrogate pair): the
   * byte count in the high half (4 for a pair: both characters are used), the bytes little-endian
   * in the low half.
   */
  private static long encode(char c, char next) {
    if (c < 0x80) {
      return 1L << 32 | c;
    }
    if (c < 0x800) {
      return 2L << 32 | (0xc0 | (c >>> 6)) | ((0x80 | (c & 0x3f)) << 8);
    }
    if (!Character.isSurrogate(c)) {
      return 3L << 32
          | (0xe0 | (c >>> 12))
          | ((0x80 | ((c >>> 6) & 0x3f)) << 8)
          | ((0x80 | (c & 0x3f)) << 16);
    }
    if (Character.isHighSurrogate(c) && Character.isLowSurrogate(next)) {
      int cp = Character.toCodePoint(c, next);
      return 4L << 32
          | (((0xf0 | (cp >>> 18))
                  | ((0x80 | ((cp >>> 12) & 0x3f)) << 8)
                  | ((0x80 | ((cp >>> 6) & 0x3f)) << 16)
                  | ((0x80 | (cp & 0x3f)) << 24))
              & 0xffffffffL);
    }
    return 1L << 32 | '?';
  }

  /**
   * The hash of the UTF-8 encoding of {@code first} followed by {@code second}, without joining
   * them.
   */
  public static int hashUtf8(CharSequence first, CharSequence second) {
    return hashUtf8(0, first, second);
  }

  /** {@link #hashUtf8(CharSequence, CharSequence)} with another seed than 0. */
  public static int hashUtf8(int seed, CharSequence first, CharSequence second) {
    int firstLength = first.length();
    int total = firstLength + second.length();
    int h1 = seed;
    int pending = 0; // bytes of the current 4-byte block, little-endian
    int pendingBits = 0;
    int byteCount = 0;
    for (int i = 0; i < total; i++) {
      char c = i < firstLength ? first.charAt(i) : second.charAt(i - firstLength);
      int encoded;
      int bytes;
      if (c < 0x80) {
        encoded = c;
        bytes = 1;
      } else if (c < 0x800) {
        encoded = (0xc0 | (c >>> 6)) | ((0x80 | (c & 0x3f)) << 8);
        bytes = 2;
      } else if (!Character.isSurrogate(c)) {
        encoded =
            (0xe0 | (c >>> 12)) | ((0x80 | ((c >>> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
        bytes = 3;
      } else {
        char low = 0;
        if (Character.isHighSurrogate(c) && i + 1 < total) {
          low = i + 1 < firstLength ? first.charAt(i + 1) : second.charAt(i + 1 - firstLength);
        }
        if (Character.isLowSurrogate(low)) {
          int cp = Character.toCodePoint(c, low);
          i++;
          encoded =
              (0xf0 | (cp >>> 18))
                  | ((0x80 | ((cp >>> 12) & 0x3f)) << 8)
                  | ((0x80 | ((cp >>> 6) & 0x3f)) << 16)
                  | ((0x80 | (cp & 0x3f)) << 24);
          bytes = 4;
        } else {
          encoded = '?';
          bytes = 1;
        }
      }
      byteCount += bytes;
      for (int b = 0; b < bytes; b++) {
        pending |= ((encoded >>> (8 * b)) & 0xff) << pendingBits;
        pendingBits += 8;
        if (pendingBits == 32) {
          h1 = mixBlock(h1, pending);
          pending = 0;
          pendingBits = 0;
        }
      }
    }
    if (pendingBits > 0) {
      h1 ^= mixK1(pending);
    }
    return finish(h1, byteCount);
  }

  private static int mixK1(int k1) {
    k1 *= C1;
    k1 = Integer.rotateLeft(k1, 15);
    return k1 * C2;
  }

  private static int mixBlock(int h1, int k1) {
    h1 ^= mixK1(k1);
    h1 = Integer.rotateLeft(h1, 13);
    return h1 * 5 + 0xe6546b64;
  }

  private static int finish(int h1, int length) {
    h1 ^= length;
    h1 ^= h1 >>> 16;
    h1 *= 0x85ebca6b;
    h1 ^= h1 >>> 13;
    h1 *= 0xc2b2ae35;
    h1 ^= h1 >>> 16;
    return h1;
  }
}

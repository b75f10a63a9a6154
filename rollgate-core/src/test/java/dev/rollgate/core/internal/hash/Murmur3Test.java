package dev.rollgate.core.internal.hash;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Murmur3Test {

  /** Published MurmurHash3_x86_32 vectors for seed 0 (SMHasher and common ports). */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "''|0",
        "a|1009084850",
        "abc|3017643002",
        "hello|613153351",
        "Hello, world!|3224780355",
        "The quick brown fox jumps over the lazy dog|776992547"
      })
  void matchesReferenceVectors(String input, long expectedUnsigned) {
    assertThat(Integer.toUnsignedLong(Murmur3.hashUtf8(input))).isEqualTo(expectedUnsigned);
    assertThat(Integer.toUnsignedLong(Murmur3.hash32(input.getBytes(StandardCharsets.UTF_8))))
        .isEqualTo(expectedUnsigned);
  }

  /** Streaming UTF-8 must equal hashing the encoded bytes, for any text, joined or not. */
  @Test
  void utf8StreamingMatchesGuavaOnSeededRandomText() {
    Random random = new Random(20261124L);
    for (int i = 0; i < 20_000; i++) {
      String a = randomText(random);
      String b = randomText(random);
      byte[] joined = (a + b).getBytes(StandardCharsets.UTF_8);
      int expected = Hashing.murmur3_32_fixed().hashBytes(joined).asInt();
      assertThat(Murmur3.hashUtf8(a, b)).as("%s + %s", a, b).isEqualTo(expected);
      assertThat(Murmur3.hash32(joined)).isEqualTo(expected);
      assertThat(Murmur3.Prefix.of(a).hashUtf8(b)).as("%s then %s", a, b).isEqualTo(expected);
      assertThat(Murmur3.hashUtf8(a + b)).isEqualTo(expected);
    }
  }

  /** A surrogate pair whose halves are in the two parts is one character, as when joined. */
  @Test
  void aPrefixEndingInHalfASurrogatePairJoinsTheSecondHalf() {
    String a = "flag\uD83D";
    String b = "\uDE00user";
    int expected =
        Hashing.murmur3_32_fixed().hashBytes((a + b).getBytes(StandardCharsets.UTF_8)).asInt();
    assertThat(Murmur3.Prefix.of(a).hashUtf8(b)).isEqualTo(expected);
    assertThat(Murmur3.Prefix.of("flag").hashUtf8("\uDE00user"))
        .isEqualTo(Murmur3.hashUtf8("flag", "\uDE00user"));
  }

  private static String randomText(Random random) {
    StringBuilder sb = new StringBuilder();
    int length = random.nextInt(20);
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(8)) {
        case 0, 5, 6, 7 -> sb.append((char) ('a' + random.nextInt(26))); // ASCII runs, 4 a block
        case 1 -> sb.append((char) (0x80 + random.nextInt(0x780))); // two-byte UTF-8
        case 2 -> sb.append((char) (0x800 + random.nextInt(0xD000 - 0x800))); // three-byte
        case 3 -> sb.appendCodePoint(0x10000 + random.nextInt(0x10FFFF - 0x10000)); // four-byte
        default -> sb.append((char) (0xD800 + random.nextInt(0x800))); // lone surrogate
      }
    }
    return sb.toString();
  }
}

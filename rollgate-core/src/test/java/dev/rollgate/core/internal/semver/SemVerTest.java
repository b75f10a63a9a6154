package dev.rollgate.core.internal.semver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SemVerTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "v",
        "1.2.3.4",
        "1..2",
        "a.b.c",
        "1.2.3-",
        "1.2.3+",
        "1.2.3-01",
        "-1.0.0",
        "1.2.3-a..b"
      })
  void rejectsWhatIsNotAVersion(String text) {
    assertThat(SemVer.parse(text)).isNull();
  }

  @ParameterizedTest
  @CsvSource({
    "1, 1.0.0",
    "1.2, 1.2.0",
    "v1.2.3, 1.2.3",
    "V1.2.3, 1.2.3",
    "1.2.3+build.5, 1.2.3",
    "1.2.3-rc.1+build, 1.2.3-rc.1"
  })
  void readsPartialAndPrefixedVersions(String text, String normalized) {
    assertThat(SemVer.parse(text)).hasToString(normalized);
  }

  /** The precedence example from SemVer 2.0.0, section 11. */
  @Test
  void ordersPreReleasesAsTheSpecificationDoes() {
    String[] ordered = {
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.1.0",
      "2.0.0"
    };
    for (int i = 0; i + 1 < ordered.length; i++) {
      assertThat(SemVer.parse(ordered[i]))
          .as(ordered[i] + " < " + ordered[i + 1])
          .isLessThan(SemVer.parse(ordered[i + 1]));
    }
  }

  @Test
  void buildMetadataDoesNotCount() {
    assertThat(SemVer.parse("1.0.0+a")).isEqualByComparingTo(SemVer.parse("1.0.0+b"));
  }

  @ParameterizedTest
  @CsvSource({
    "1.2.3, =, 1.2.3, true",
    "1.2.3, !=, 1.2.3, false",
    "1.2.3, <, 1.10.0, true",
    "1.2.3, <=, 1.2.3, true",
    "2.0.0, >, 1.99.99, true",
    "2.0.0, >=, 2.0.1, false",
    "1.9.9, ^, 1.0.0, true",
    "2.0.0, ^, 1.0.0, false",
    "1.2.9, ~, 1.2.0, true",
    "1.3.0, ~, 1.2.0, false"
  })
  void appliesOperators(String a, String op, String b, boolean expected) {
    assertThat(SemVer.parse(a).matches(op, SemVer.parse(b))).isEqualTo(expected);
  }

  @Test
  void unknownOperatorIsNull() {
    assertThat(SemVer.parse("1.0.0").matches("==", SemVer.parse("1.0.0"))).isNull();
  }

  /**
   * Reading a version in place must agree with parsing it, on seeded random text close to versions:
   * prefixes, spaces, partial and long numbers, pre-releases, build metadata, stray characters.
   */
  @Test
  void comparingInPlaceAgreesWithParsing() {
    Random random = new Random(20261207L);
    SemVer[] targets = {
      SemVer.parse("1.2.3"),
      SemVer.parse("1.2.3-rc.1"),
      SemVer.parse("1.2.3-alpha.10.beta"),
      SemVer.parse("0.0.0"),
      SemVer.parse("2"),
      SemVer.parse("1.2.3-1")
    };
    for (int i = 0; i < 200_000; i++) {
      String text = randomVersionish(random);
      SemVer parsed = SemVer.parse(text);
      for (SemVer target : targets) {
        int expected = parsed == null ? SemVer.NOT_A_VERSION : parsed.compareTo(target);
        assertThat(SemVer.compare(text, target))
            .as("%s against %s", text, target)
            .isEqualTo(expected);
        if (parsed != null) {
          for (String op : new String[] {"=", "!=", "<", "<=", ">", ">=", "^", "~"}) {
            assertThat(SemVer.matches(op, SemVer.compare(text, target)))
                .as("%s %s %s", text, op, target)
                .isEqualTo(parsed.matches(op, target));
          }
        }
      }
    }
  }

  @ParameterizedTest
  @CsvSource({
    "1.9.9, ^, 1.0.0, true",
    "2.0.0, ^, 1.0.0, false",
    "1.2.9, ~, 1.2.0, true",
    "1.2.0-rc.1, ~, 1.2.0, true",
    "1.3.0, ~, 1.2.0, false",
    "' v1.2.3+build ', =, 1.2.3, true",
    "1.2.3-rc.2, >, 1.2.3-rc.10, false",
    "1.2.3-rc.a, >, 1.2.3-rc.10, true",
    "1.2.3-rc, <, 1.2.3-rc.1, true"
  })
  void appliesOperatorsInPlace(String a, String op, String b, boolean expected) {
    assertThat(SemVer.matches(op, SemVer.compare(a, SemVer.parse(b)))).isEqualTo(expected);
  }

  private static String randomVersionish(Random random) {
    String[] pieces = {
      "0",
      "1",
      "2",
      "3",
      "10",
      "01",
      "999999999999999999",
      "1000000000000000000",
      ".",
      ".",
      ".",
      "-",
      "+",
      "v",
      "V",
      "rc",
      "alpha",
      "beta",
      "a-b",
      " ",
      "x",
      "é",
      "",
      "\u0661"
    };
    StringBuilder sb = new StringBuilder();
    int n = random.nextInt(9);
    for (int i = 0; i < n; i++) {
      sb.append(pieces[random.nextInt(pieces.length)]);
    }
    return sb.toString();
  }
}

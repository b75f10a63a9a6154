package dev.rollgate.core.internal.semver;

import static org.assertj.core.api.Assertions.assertThat;

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
}

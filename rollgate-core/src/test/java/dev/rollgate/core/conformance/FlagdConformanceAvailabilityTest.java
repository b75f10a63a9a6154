package dev.rollgate.core.conformance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.InvalidFlagDocumentException;
import dev.rollgate.core.ParseOptions;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Says plainly when the flagd conformance scenarios were not run (no ../shared beside the
 * checkout), and checks that the testkit loads the way the scenarios need.
 */
class FlagdConformanceAvailabilityTest {

  @Test
  void testkitLoadsInFlagdModeAndIsRejectedInStrictMode() throws Exception {
    if (!FlagdTestbed.present()) {
      String message =
          "flagd-testbed not found at "
              + FlagdTestbed.evaluatorDir()
              + ": the flagd conformance scenarios were skipped (they need ../shared beside the checkout)";
      System.out.println("SKIPPED: " + message); // surefire shows test output, not abort reasons
      Assumptions.abort(message);
    }
    String json = Files.readString(FlagdTestbed.flagsFile());
    ParseOptions options = ParseOptions.defaults().withEnvironment(Map.of());

    FlagSnapshot flagd =
        FlagSnapshot.parse(json, options.withStrictness(ParseOptions.Strictness.FLAGD));
    assertThat(flagd.flagKeys()).contains("fractional-flag", "ref-to-nonexistent-evaluator-flag");

    // The testkit breaks rules on purpose; strict loading names each place.
    assertThatThrownBy(() -> FlagSnapshot.parse(json, options))
        .isInstanceOfSatisfying(
            InvalidFlagDocumentException.class,
            e ->
                assertThat(e.problems())
                    .extracting(p -> p.path() + ": " + p.message())
                    .contains(
                        "flags.ref-to-nonexistent-evaluator-flag.targeting.if[0].$ref: $ref to unknown evaluator \"nonexistent_evaluator\"",
                        "flags.semver-invalid-operator-flag.targeting.sem_ver[1]: unknown sem_ver operator \"===\" (expected =, !=, <, <=, >, >=, ^ or ~)",
                        "flags.starts-with-wrong-args-flag.targeting.starts_with: \"starts_with\" takes 2 argument(s), got 1",
                        "flags.fractional-zero-weights-flag.targeting.fractional: fractional weights are all zero"));
  }
}

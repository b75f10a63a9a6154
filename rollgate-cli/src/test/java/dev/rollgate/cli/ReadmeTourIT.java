package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.StoreKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The README's "A short tour", run as written ({@link Transcript}) on each store. */
class ReadmeTourIT {
  /** The {@code $ } commands of the sh blocks between "## A short tour" and the next section. */
  static List<Transcript.Step> tour(String readme) {
    return Transcript.steps(Transcript.section(readme, "## A short tour"));
  }

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void theTourRunsAsWritten(StoreKind store) throws Exception {
    List<Transcript.Step> steps = tour(Files.readString(Transcript.ROOT.resolve("README.md")));
    assertThat(steps)
        .extracting(Transcript.Step::command)
        .as("the tour keeps every part this test is for")
        .anySatisfy(c -> assertThat(c).isEqualTo("./rollgate serve &"))
        .anySatisfy(c -> assertThat(c).isEqualTo("./rollgate wait-ready"))
        .anySatisfy(c -> assertThat(c).contains("-d '{\"state\": \"DISABLED\"}'"))
        .anySatisfy(c -> assertThat(c).contains("/api/v1/audit/verify"))
        .anySatisfy(c -> assertThat(c).contains("/flagd > production.json"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate eval --flags production.json"))
        .anySatisfy(c -> assertThat(c).contains("\"role\": \"sdk\""))
        .anySatisfy(c -> assertThat(c).contains("/ofrep/v1/evaluate/flags/new-checkout"))
        .anySatisfy(c -> assertThat(c).contains("--explain"))
        .anySatisfy(c -> assertThat(c).contains("--requests examples/requests.jsonl"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate test-flags"))
        .anySatisfy(c -> assertThat(c).startsWith("ROLLGATE_FLAG_NEW_CHECKOUT=off"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate login"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate flags disable"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate rollouts status"))
        .anySatisfy(c -> assertThat(c).startsWith("./rollgate experiments results"));

    Transcript.run(dir, steps, store);
  }
}

package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.StoreKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/flags.md run as written ({@link Transcript}), on the embedded store the page starts: the
 * stores themselves are covered by the API tests on both.
 */
class FlagsGuideIT {
  @TempDir Path dir;

  @Test
  void thePageRunsAsWritten() throws Exception {
    List<Transcript.Step> steps =
        Transcript.steps(Files.readString(Transcript.ROOT.resolve("docs/flags.md")));
    assertThat(steps)
        .extracting(Transcript.Step::command)
        .as("the page keeps every part this test is for")
        .anySatisfy(c -> assertThat(c).contains("\"prerequisites\": [{\"flag\": \"payments-v2\""))
        .anySatisfy(c -> assertThat(c).contains("/schedules"))
        .anySatisfy(c -> assertThat(c).contains("flagd?strict=false"))
        .anySatisfy(c -> assertThat(c).contains("stale-flags"))
        .anySatisfy(c -> assertThat(c).contains("code-refs"))
        .anySatisfy(c -> assertThat(c).contains("serve --flags"))
        .anySatisfy(c -> assertThat(c).contains("rollgate import unleash"))
        .anySatisfy(c -> assertThat(c).contains("environments/production/unleash"));
    Transcript.run(dir, steps, StoreKind.SQLITE);
  }
}

package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.rollgate.server.testing.StoreKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/flags-unleash.section.md run as written, after the session of docs/flags.md it continues
 * (its server, {@code $TOKEN} and {@code $SDK_TOKEN}). Once the section is part of docs/flags.md,
 * {@link FlagsGuideIT} runs it and this test stands aside.
 */
class UnleashGuideIT {
  private static final String HEADING = "## Import from Unleash";

  @TempDir Path dir;

  @Test
  void theSectionRunsAsWritten() throws Exception {
    String page = Files.readString(Transcript.ROOT.resolve("docs/flags.md"));
    assumeFalse(page.contains("\n" + HEADING + "\n"), "docs/flags.md has the section already");
    String section = Files.readString(Transcript.ROOT.resolve("docs/flags-unleash.section.md"));
    List<Transcript.Step> steps = Transcript.steps(page + "\n" + section);
    assertThat(steps)
        .extracting(Transcript.Step::command)
        .anySatisfy(c -> assertThat(c).contains("rollgate import unleash"))
        .anySatisfy(c -> assertThat(c).contains("environments/production/unleash"));
    Transcript.run(dir, steps, StoreKind.SQLITE);
  }
}

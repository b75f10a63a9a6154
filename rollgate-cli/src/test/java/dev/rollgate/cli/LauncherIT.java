package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged program, started through the {@code ./rollgate} launcher at the repository root, on
 * the README's own examples.
 */
class LauncherIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  private Result rollgate(String... args) throws IOException, InterruptedException {
    return rollgateWithInput(null, args);
  }

  private Result rollgateWithInput(Path stdin, String... args)
      throws IOException, InterruptedException {
    return rollgateIn(ROOT, Map.of(), stdin, args);
  }

  private Result rollgateIn(Path cwd, Map<String, String> env, Path stdin, String... args)
      throws IOException, InterruptedException {
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    List<String> command = new ArrayList<>(List.of(ROOT.resolve("rollgate").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(cwd.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    builder.environment().remove("ROLLGATE_ADMIN_TOKEN");
    builder.environment().putAll(env);
    if (stdin != null) {
      builder.redirectInput(stdin.toFile());
    }
    Process process = builder.start();
    assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("rollgate finished").isTrue();
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void printsItsVersion() throws Exception {
    Result r = rollgate("--version");
    assertThat(r.code()).isZero();
    assertThat(r.out().strip()).matches("rollgate \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
  }

  @Test
  void runsTheReadmeTour() throws Exception {
    Result eval =
        rollgate(
            "eval",
            "--flags",
            "examples/flags.json",
            "--flag",
            "new-checkout",
            "--context",
            "{\"targetingKey\": \"u-2\", \"tenant\": \"acme\"}");
    assertThat(eval.code()).isZero();
    assertThat(eval.out())
        .isEqualTo(
            "{\"key\":\"new-checkout\",\"value\":true,\"variant\":\"on\",\"reason\":\"TARGETING_MATCH\",\"metadata\":{\"project\":\"shop\",\"owner\":\"payments\"}}\n");

    Result golden =
        rollgate("test-flags", "--flags", "examples/flags.json", "--cases", "examples/cases.jsonl");
    assertThat(golden.code()).isZero();
    assertThat(golden.out()).isEqualTo("6 passed, 0 failed\n");
  }

  @Test
  void readsRequestsFromStandardInput() throws Exception {
    Path requests =
        Files.writeString(
            dir.resolve("in.jsonl"),
            "{\"flag\": \"banner-text\"}\n{\"flag\": \"legacy-export\"}\n");
    Result r =
        rollgateWithInput(requests, "eval", "--flags", "examples/flags.json", "--requests", "-");
    assertThat(r.code()).isZero();
    assertThat(r.out().lines().toList())
        .containsExactly(
            "{\"key\":\"banner-text\",\"value\":\"Winter sale: 20% off\",\"variant\":\"sale\",\"reason\":\"STATIC\",\"metadata\":{\"project\":\"shop\"}}",
            "{\"key\":\"legacy-export\",\"value\":null,\"reason\":\"DISABLED\",\"metadata\":{\"project\":\"shop\"}}");
  }

  /**
   * Without --token, simulate-rollout takes ROLLGATE_ADMIN_TOKEN, else rollgate-data/admin-token in
   * the directory it runs in: it gets as far as starting the rollout either way.
   */
  @Test
  void simulateRolloutFindsTheAdminTokenByItself() throws Exception {
    try (TestServer server = TestServer.start(StoreKind.SQLITE)) {
      String[] args = {
        "simulate-rollout", "--url", server.admin().base(), "--rps", "10", "--max-duration", "1"
      };
      Path cwd = Files.createDirectories(dir.resolve("work/rollgate-data")).getParent();
      Result none = rollgateIn(cwd, Map.of(), null, args);
      assertThat(none.code()).isEqualTo(2);
      assertThat(none.err()).startsWith("rollgate simulate-rollout: no admin token:");

      Result fromEnv =
          rollgateIn(cwd, Map.of("ROLLGATE_ADMIN_TOKEN", TestServer.ADMIN_TOKEN), null, args);
      assertThat(fromEnv.err()).isEmpty();
      assertThat(fromEnv.out()).contains("of simulated-checkout in production");

      Files.writeString(cwd.resolve("rollgate-data/admin-token"), TestServer.ADMIN_TOKEN + "\n");
      Result fromFile = rollgateIn(cwd, Map.of(), null, concat(args, "--flag", "second"));
      assertThat(fromFile.err()).isEmpty();
      assertThat(fromFile.out()).contains("of second in production").contains("final state:");
    }
  }

  private static String[] concat(String[] a, String... b) {
    List<String> all = new ArrayList<>(List.of(a));
    all.addAll(List.of(b));
    return all.toArray(String[]::new);
  }

  @Test
  void badInputIsOneLineWithStatusTwo() throws Exception {
    Result r = rollgate("eval", "--flags", "examples/missing.json", "--flag", "x");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo("rollgate eval: cannot read flags file examples/missing.json: no such file\n");
  }

  @Test
  void evaluatesOneHundredThousandRequests() throws Exception {
    Path requests = dir.resolve("requests.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      sb.append("{\"flag\": \"new-checkout\", \"context\": {\"targetingKey\": \"user-")
          .append(i)
          .append("\"}}\n");
    }
    Files.writeString(requests, sb);
    long start = System.nanoTime();
    Result r =
        rollgate("eval", "--flags", "examples/flags.json", "--requests", requests.toString());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(r.code()).isZero();
    List<String> lines = r.out().lines().toList();
    assertThat(lines).hasSize(100_000);
    long on = lines.stream().filter(l -> l.contains("\"variant\":\"on\"")).count();
    assertThat(on / 100_000.0).isBetween(0.095, 0.105); // the 10% ramp
    // Reported, not asserted: wall time depends on the machine.
    System.out.println("eval --requests: 100000 lines in " + millis + " ms (including JVM start)");
  }
}

package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rollgate simulate-rollout} against a real server on a socket. */
class SimulateRolloutTest {

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void aRegressingTreatmentIsRolledBackAndTheTimelineSaysWhen() {
    try (TestServer server = TestServer.start(StoreKind.SQLITE)) {
      String url = server.admin().base();
      Run r =
          run(
              "simulate-rollout",
              "--url",
              url,
              "--token",
              TestServer.ADMIN_TOKEN,
              "--rps",
              "2000",
              "--window-seconds",
              "1",
              "--stage-seconds",
              "2",
              "--regress-after",
              "2",
              "--regressed-error-rate",
              "0.5",
              "--max-duration",
              "60");
      assertThat(r.err()).isEmpty();
      assertThat(r.code()).isZero();
      assertThat(r.out())
          .contains("RUNNING stage 0 at 1.0%")
          .contains("ROLLED_BACK")
          .contains("final state: ROLLED_BACK")
          .contains("from the regression to the rollback:")
          .contains("reason: FAIL: canary error rate");
    }
  }

  @Test
  void aWrongTokenIsOneLineAndExit2() {
    try (TestServer server = TestServer.start(StoreKind.SQLITE)) {
      Run r =
          run("simulate-rollout", "--url", server.admin().base(), "--token", "nope", "--rps", "10");
      assertThat(r.code()).isEqualTo(2);
      assertThat(r.err().strip()).startsWith("rollgate simulate-rollout: the server answered 401");
      assertThat(r.err().strip().lines()).hasSize(1);
    }
  }

  @Test
  void aClosedPortNamesTheCauseNotNull() throws IOException {
    int port = WaitReadyTest.closedPort();
    Run r = run("simulate-rollout", "--url", "http://127.0.0.1:" + port, "--token", "t");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err())
        .isEqualTo(
            "rollgate simulate-rollout: cannot reach http://127.0.0.1:"
                + port
                + ": connection refused"
                + System.lineSeparator());
  }

  @Test
  void theTokenComesFromTheOptionThenTheEnvironmentThenTheFile(@TempDir Path dir)
      throws IOException {
    Path file = Files.writeString(dir.resolve("admin-token"), "from-file\n");
    Map<String, String> env = Map.of("ROLLGATE_ADMIN_TOKEN", "from-env");
    assertThat(SimulateRolloutCommand.adminToken("from-option", env, file))
        .isEqualTo("from-option");
    assertThat(SimulateRolloutCommand.adminToken(null, env, file)).isEqualTo("from-env");
    assertThat(SimulateRolloutCommand.adminToken(null, Map.of(), file)).isEqualTo("from-file");
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() ->
            SimulateRolloutCommand.adminToken(null, Map.of("ROLLGATE_ADMIN_TOKEN", " "), missing))
        .isInstanceOf(UserInputException.class)
        .hasMessage(
            "no admin token: pass --token, set ROLLGATE_ADMIN_TOKEN, or run where "
                + missing
                + " is (rollgate serve writes it on its first start)");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> SimulateRolloutCommand.adminToken(null, Map.of(), empty))
        .hasMessage("admin token file " + empty + " is empty");
  }
}

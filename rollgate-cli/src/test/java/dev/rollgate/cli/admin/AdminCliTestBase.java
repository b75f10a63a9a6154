package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollgate.cli.Main;
import dev.rollgate.cli.common.CliEnvironment;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs the admin client in-process against a real server on a socket, on SQLite and on PostgreSQL,
 * with its own environment variables and profiles file.
 */
@ParameterizedClass(name = "{0}")
@EnumSource(StoreKind.class)
abstract class AdminCliTestBase {
  static final ObjectMapper JSON = new ObjectMapper();

  @Parameter StoreKind store;
  @TempDir Path home;

  TestServer server;

  /**
   * The variables each run sees: the server's URL and the admin token unless a test changes them.
   */
  final Map<String, String> env = new HashMap<>();

  boolean terminal;
  String stdin = "";

  record Run(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + out + err, e);
      }
    }
  }

  /** Settings the server of each test starts with, over {@link TestServer}'s own. */
  Map<String, String> serverEnvironment() {
    return Map.of();
  }

  @BeforeEach
  void startServer() {
    server = TestServer.start(store, serverEnvironment());
    env.put("ROLLGATE_URL", server.admin().base());
    env.put("ROLLGATE_TOKEN", TestServer.ADMIN_TOKEN);
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  Path configFile() {
    return home.resolve("config").resolve("config.toml");
  }

  Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CliEnvironment environment =
        new CliEnvironment(
            Map.copyOf(env),
            configFile(),
            terminal,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
    int code = Main.run(environment, new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  /** A run that must succeed. */
  Run ok(String... args) {
    Run run = run(args);
    assertThat(run.code()).as(String.join(" ", args) + ": " + run.err()).isZero();
    return run;
  }

  /** A run that must fail with {@code code} and one line on stderr. */
  Run fails(int code, String... args) {
    Run run = run(args);
    assertThat(run.code())
        .as(String.join(" ", args) + ": " + run.out() + run.err())
        .isEqualTo(code);
    assertThat(run.err().lines().count()).as(run.err()).isEqualTo(1);
    assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    return run;
  }

  /** A boolean flag new-checkout, enabled in production with no rules. */
  void checkoutFlag() {
    ok("flags", "create", "new-checkout", "--boolean", "--tag", "checkout");
    ok("flags", "enable", "new-checkout", "--env", "production");
  }
}

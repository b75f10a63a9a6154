package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.server.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.Test;

/** Where the client takes its server and token from, profiles, and the exit codes of failures. */
class ConnectionCliTest extends AdminCliTestBase {

  @Test
  void loginWritesAPrivateProfileThatLaterCommandsUse() throws Exception {
    String url = env.remove("ROLLGATE_URL");
    env.remove("ROLLGATE_TOKEN");
    Run login = ok("login", "--url", url, "--token", TestServer.ADMIN_TOKEN, "-o", "table");
    assertThat(login.out())
        .startsWith("logged in to " + url + " as profile default; saved in " + configFile());
    assertThat(login.out() + login.err()).doesNotContain(TestServer.ADMIN_TOKEN);
    assertThat(Files.getPosixFilePermissions(configFile()))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.readString(configFile()))
        .contains("default = \"default\"")
        .contains("[profiles.\"default\"]");

    ok("flags", "create", "from-profile", "--boolean");
    assertThat(ok("flags", "list").json().path("items")).hasSize(1);

    // A second profile, chosen by --profile or ROLLGATE_PROFILE; its own project default.
    ok("projects", "create", "shop");
    ok(
        "login",
        "--url",
        url,
        "--token",
        TestServer.ADMIN_TOKEN,
        "--profile",
        "shop",
        "--project",
        "shop",
        "--env",
        "production");
    ok("flags", "create", "in-shop", "--boolean", "--profile", "shop");
    assertThat(ok("flags", "list", "--profile", "shop").json().path("items"))
        .extracting(n -> n.path("key").asText())
        .containsExactly("in-shop");
    env.put("ROLLGATE_PROFILE", "shop");
    ok("flags", "disable", "in-shop"); // the profile's environment
    env.remove("ROLLGATE_PROFILE");
    assertThat(ok("flags", "list").json().path("items"))
        .extracting(n -> n.path("key").asText())
        .containsExactly("from-profile");

    Run unknown = fails(ExitCodes.USAGE, "flags", "list", "--profile", "nope");
    assertThat(unknown.err()).contains("no profile 'nope'").contains("default, shop");
    ok("logout", "--profile", "shop");
    fails(ExitCodes.USAGE, "flags", "list", "--profile", "shop");
    assertThat(Files.readString(configFile())).doesNotContain("shop");
  }

  @Test
  void optionsWinOverVariablesWhichWinOverTheDefaultProfile() {
    String url = env.get("ROLLGATE_URL");
    ok("login", "--url", url, "--token", TestServer.ADMIN_TOKEN);
    // A wrong token in the variable beats the default profile's right one ...
    env.put("ROLLGATE_TOKEN", "wrong-token-000000000000");
    fails(ExitCodes.UNAUTHORISED, "flags", "list");
    // ... and the option beats the variable.
    ok("flags", "list", "--token", TestServer.ADMIN_TOKEN);
    // A profile named explicitly beats the variables.
    ok("flags", "list", "--profile", "default");
  }

  @Test
  void loginChecksTheToken() {
    Run wrong = fails(ExitCodes.UNAUTHORISED, "login", "--token", "not-a-token-00000000000");
    assertThat(wrong.err()).contains("401").doesNotContain("not-a-token");
    assertThat(Files.exists(configFile())).isFalse();
    String sdk = server.sdkToken();
    Run sdkLogin = fails(ExitCodes.UNAUTHORISED, "login", "--token", sdk);
    assertThat(sdkLogin.err()).contains("403").doesNotContain(sdk);
    stdin = TestServer.ADMIN_TOKEN + "\n";
    env.remove("ROLLGATE_TOKEN");
    ok("login", "--token-stdin");
    assertThat(Files.exists(configFile())).isTrue();
  }

  @Test
  void everyExitCode() {
    checkoutFlag();
    String viewer = viewer();
    assertThat(ok("flags", "list").code()).isEqualTo(ExitCodes.OK);
    fails(ExitCodes.USAGE, "flags", "list", "--no-such-option");
    fails(ExitCodes.USAGE, "flags", "create", "bad key!", "--boolean"); // the server's 400
    fails(ExitCodes.CONFLICT, "flags", "create", "new-checkout", "--boolean"); // exists: 409
    fails(
        ExitCodes.CONFLICT, "flags", "update", "new-checkout", "--name", "x", "--if-version", "1");
    fails(ExitCodes.NOT_FOUND, "flags", "get", "missing");
    fails(ExitCodes.NOT_FOUND, "flags", "list", "--project", "missing");
    env.put("ROLLGATE_TOKEN", "unknown-token-0000000000");
    fails(ExitCodes.UNAUTHORISED, "flags", "list");
    env.put("ROLLGATE_TOKEN", viewer);
    Run forbidden =
        fails(ExitCodes.UNAUTHORISED, "flags", "disable", "new-checkout", "--env", "production");
    assertThat(forbidden.err()).contains("403");
    env.remove("ROLLGATE_TOKEN");
    Run noToken = fails(ExitCodes.UNAUTHORISED, "flags", "list");
    assertThat(noToken.err()).contains("rollgate login");
    Run unreachable =
        fails(
            ExitCodes.UNREACHABLE, "flags", "list", "--url", "http://127.0.0.1:1", "--token", "x");
    assertThat(unreachable.err())
        .isEqualTo("rollgate flags list: cannot reach http://127.0.0.1:1/: connection refused\n");
    fails(ExitCodes.USAGE, "flags", "list", "--url", "ftp://example.com");
  }

  @Test
  void anAlteredAuditTrailIsAFailedCheck() throws Exception {
    checkoutFlag();
    Run intact = ok("audit", "verify", "-o", "table");
    assertThat(intact.out()).startsWith("audit trail intact: ");
    try (var c = server.connect();
        var s = c.createStatement()) {
      s.executeUpdate(
          "UPDATE audit_events SET after_json = '{\"description\":\"harmless\"}' WHERE seq = 2");
    }
    Run altered = run("audit", "verify", "-o", "table");
    assertThat(altered.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(altered.out()).startsWith("audit trail ALTERED at event 2: ");
    assertThat(run("audit", "verify").json().path("valid").asBoolean()).isFalse();
  }

  private String viewer() {
    return ok("tokens", "create", "a-viewer", "--role", "viewer").json().path("secret").asText();
  }

  @Test
  void tablesOnATerminalJsonOtherwise() {
    checkoutFlag();
    terminal = true;
    assertThat(ok("flags", "list").out()).startsWith("KEY ");
    terminal = false;
    assertThat(ok("flags", "list").json().path("items").isArray()).isTrue();
  }

  @Test
  void healthAndMetricsSummary() {
    Run health = ok("health", "-o", "table");
    assertThat(health.out()).contains(" is ready: ");
    env.remove("ROLLGATE_TOKEN");
    assertThat(ok("health").json().path("ready").asBoolean()).isTrue();
    fails(ExitCodes.UNREACHABLE, "health", "--url", "http://127.0.0.1:1");
    env.put("ROLLGATE_TOKEN", TestServer.ADMIN_TOKEN);
    ok("flags", "list");
    var summary = ok("metrics").json();
    assertThat(summary.path("requests").asLong()).isPositive();
    assertThat(summary.path("samples").asInt()).isPositive();
    assertThat(ok("metrics", "-o", "table").out()).startsWith("FIELD").contains("meanLatencyMs");
  }
}

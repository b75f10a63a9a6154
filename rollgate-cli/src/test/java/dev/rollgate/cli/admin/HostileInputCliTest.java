package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.server.testing.TestServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What a mistyped key, an odd comment, a stray URL or a server that is not ours does. */
class HostileInputCliTest extends AdminCliTestBase {

  @Test
  void aKeyThatWouldNameAnotherPathIsRefusedBeforeAnyRequest() {
    ok("projects", "create", "tmp");
    for (String key : List.of("..", ".", "")) {
      Run run = fails(ExitCodes.USAGE, "flags", "delete", key, "-p", "tmp");
      assertThat(run.err()).contains("is not a key");
    }
    fails(ExitCodes.USAGE, "tokens", "revoke", "..");
    assertThat(ok("projects", "get", "tmp").json().path("key").asText()).isEqualTo("tmp");
  }

  @Test
  void aCommentInAnyScriptReachesTheAuditTrailAsWritten() {
    checkoutFlag();
    String comment = "INC-1 — Kasse fällt aus, 決済エラー";
    ok("flags", "disable", "new-checkout", "--env", "production", "-m", comment);
    assertThat(
            server.admin().get("/api/v1/audit?resource=projects/default/flags/new-checkout").text())
        .contains(comment);
    // A literal comment that merely looks encoded is sent encoded, so it is kept as written.
    ok("flags", "enable", "new-checkout", "--env", "production", "-m", "UTF-8''%41");
    assertThat(
            server.admin().get("/api/v1/audit?resource=projects/default/flags/new-checkout").text())
        .contains("UTF-8''%41");
    Run control =
        fails(
            ExitCodes.USAGE,
            "flags",
            "disable",
            "new-checkout",
            "--env",
            "production",
            "-m",
            "line\nbreak");
    assertThat(control.err()).contains("control characters");
  }

  @Test
  void aProfilesTokenGoesOnlyToItsOwnServer() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer other =
        HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    other.createContext(
        "/",
        exchange -> {
          seen.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
          byte[] body =
              "{\"status\":401,\"code\":\"unauthorized\",\"message\":\"no\",\"requestId\":\"r\"}"
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(401, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    other.start();
    try {
      String elsewhere = "http://127.0.0.1:" + other.getAddress().getPort();
      env.remove("ROLLGATE_TOKEN");
      ok("login", "--token", TestServer.ADMIN_TOKEN);
      Run run = fails(ExitCodes.UNAUTHORISED, "flags", "list", "--url", elsewhere);
      assertThat(run.err()).contains("no token");
      env.put("ROLLGATE_URL", elsewhere); // the default profile's token does not follow it
      fails(ExitCodes.UNAUTHORISED, "flags", "list");
      env.put("ROLLGATE_URL", server.admin().base());
      assertThat(seen).isEmpty();
      ok("flags", "list", "--url", server.admin().base()); // its own server: the token goes
    } finally {
      other.stop(0);
    }
  }

  @Test
  void somethingThatIsNotRollgateIsSaidSo() throws Exception {
    HttpServer html =
        HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    html.createContext(
        "/",
        exchange -> {
          if (exchange.getRequestURI().getPath().startsWith("/moved")) {
            exchange.getResponseHeaders().add("Location", "https://elsewhere.example/");
            exchange.sendResponseHeaders(301, -1);
            exchange.close();
            return;
          }
          byte[] body = "<html>hello</html>".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("ETag", "\"abc\"");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    html.start();
    try {
      String url = "http://127.0.0.1:" + html.getAddress().getPort();
      Run disable =
          fails(
              ExitCodes.UNREACHABLE, "flags", "disable", "x", "--env", "production", "--url", url);
      assertThat(disable.err()).contains("not JSON");
      Run moved = fails(ExitCodes.UNREACHABLE, "flags", "list", "--url", url + "/moved");
      assertThat(moved.err())
          .contains("pointing to https://elsewhere.example/:")
          .doesNotContain("\u001b");
      fails(ExitCodes.USAGE, "flags", "list", "--url", "http://127.0.0.1:99999");
      fails(ExitCodes.USAGE, "flags", "list", "--url", "http://user:pw@127.0.0.1:1");
    } finally {
      html.stop(0);
    }
  }

  @Test
  void setRolloutKeepsABucketingInputAndRefusesTheDefaultAsTreatment() {
    checkoutFlag();
    Run same =
        fails(
            ExitCodes.USAGE,
            "flags",
            "set-rollout",
            "new-checkout",
            "--env",
            "production",
            "--percentage",
            "25",
            "--variant",
            "off");
    assertThat(same.err()).contains("is the default variant");
    ok(
        "flags",
        "set-targeting",
        "new-checkout",
        "--env",
        "production",
        "--rules",
        "{\"fractional\": [{\"var\": \"tenant\"}, [\"on\", 10], [\"off\", 90]]}");
    ok("flags", "set-rollout", "new-checkout", "--env", "production", "--percentage", "50");
    assertThat(
            ok("flags", "get", "new-checkout", "--env", "production")
                .json()
                .path("targeting")
                .toString())
        .isEqualTo("{\"fractional\":[{\"var\":\"tenant\"},[\"on\",1],[\"off\",1]]}");
  }

  @Test
  void forceAndIfVersionTogetherIsBadUsageAndAtFilesAreNotOptions() throws Exception {
    checkoutFlag();
    fails(
        ExitCodes.USAGE,
        "flags",
        "disable",
        "new-checkout",
        "--env",
        "production",
        "--force",
        "--if-version",
        "2");
    java.nio.file.Path args = Files.writeString(home.resolve("args"), "--url=http://127.0.0.1:1\n");
    Run at = fails(ExitCodes.NOT_FOUND, "flags", "get", "@" + args);
    assertThat(at.err()).doesNotContain("cannot reach");
  }

  @Test
  void profileNamesAreQuotedAndLoggingOutTheDefaultLeavesNone() throws Exception {
    Files.createDirectories(configFile().getParent());
    Files.writeString(
        configFile(),
        "[profiles.\"a.b\"]\nurl = \""
            + server.admin().base()
            + "\"\ntoken = \""
            + TestServer.ADMIN_TOKEN
            + "\"\n");
    env.remove("ROLLGATE_TOKEN");
    ok("login", "--token", TestServer.ADMIN_TOKEN, "--profile", "main");
    assertThat(Files.readString(configFile()))
        .contains("[profiles.\"a.b\"]")
        .contains("default = \"main\"");
    ok("flags", "list", "--profile", "a.b");
    ok("logout", "--profile", "main");
    assertThat(Files.readString(configFile())).doesNotContain("default =");
    Run none = fails(ExitCodes.UNAUTHORISED, "flags", "list");
    assertThat(none.err()).contains("no token");
  }
}

package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollgate.cli.common.ExitCodes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code rollgate code-refs} with the flags of a real server, on both stores. */
class CodeRefsCliTest extends AdminCliTestBase {

  private Path tree() throws IOException {
    Path tree = Files.createDirectories(home.resolve("src"));
    Files.writeString(
        tree.resolve("Checkout.java"),
        """
        class Checkout {
          boolean on = client.getBooleanValue("new-checkout", false);
          boolean typo = client.getBooleanValue("new-chekout", false);
          String retired = "old-banner";
        }
        """);
    return tree;
  }

  @Test
  void theProjectsFlagsComeFromTheServerWithTheAdminConnection() throws IOException {
    ok("flags", "create", "new-checkout", "--boolean");
    ok("flags", "create", "dark-mode", "--boolean");
    ok("flags", "create", "old-banner", "--boolean");
    ok("flags", "archive", "old-banner", "-m", "retired");
    ok("projects", "create", "shop");
    ok("flags", "create", "shop-only", "--boolean", "--project", "shop");
    Path tree = tree();

    // ROLLGATE_URL and ROLLGATE_TOKEN, as every admin command reads them; the default project
    Run run = ok("code-refs", "--dir", tree.toString(), "-o", "json");
    JsonNode json = run.json();
    assertThat(json.path("flags"))
        .extracting(f -> f.path("key").asText())
        .containsExactly("dark-mode", "new-checkout"); // archived flags are not the project's
    assertThat(json.path("flags").get(1).path("references").get(0).path("line").asInt())
        .isEqualTo(2);
    assertThat(json.path("unused")).extracting(JsonNode::asText).containsExactly("dark-mode");
    assertThat(json.path("unknown"))
        .extracting(f -> f.path("key").asText())
        .containsExactly("new-chekout");

    // the options, another project
    env.clear();
    Run shop =
        run(
            "code-refs",
            "--dir",
            tree.toString(),
            "--url",
            server.admin().base(),
            "--token",
            dev.rollgate.server.testing.TestServer.ADMIN_TOKEN,
            "--project",
            "shop",
            "--fail-on-unused");
    assertThat(shop.code()).as(shop.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(shop.out())
        .startsWith("referenced:\n  (none)\nunused flags:\n  shop-only\n")
        .endsWith( // in this project new-checkout is no flag either
            """
            unknown keys in code:
              new-checkout
                Checkout.java:2
              new-chekout
                Checkout.java:3
            1 file scanned
            """);
  }

  @Test
  void theServersRefusalsAreTheAdminClientsExitCodes() throws IOException {
    Path tree = tree();
    fails(ExitCodes.NOT_FOUND, "code-refs", "--dir", tree.toString(), "--project", "nope");
    env.put("ROLLGATE_TOKEN", "rg_not_a_token");
    fails(ExitCodes.UNAUTHORISED, "code-refs", "--dir", tree.toString());
    env.put("ROLLGATE_URL", "http://127.0.0.1:1");
    fails(ExitCodes.UNREACHABLE, "code-refs", "--dir", tree.toString());
  }
}

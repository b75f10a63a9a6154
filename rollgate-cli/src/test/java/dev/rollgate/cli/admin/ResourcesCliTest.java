package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollgate.cli.common.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Projects, environments, segments, tokens, metrics, import and export, completion. */
class ResourcesCliTest extends AdminCliTestBase {

  @Test
  void projectsAndEnvironments() {
    ok(
        "projects",
        "create",
        "shop",
        "--name",
        "Shop",
        "--environment",
        "staging",
        "--environment",
        "production");
    Run table = ok("projects", "list", "-o", "table");
    assertThat(table.out()).containsPattern("shop +Shop +production,staging +1");
    ok("projects", "update", "shop", "--description", "the web shop");
    assertThat(ok("projects", "get", "shop").json().path("description").asText())
        .isEqualTo("the web shop");

    ok("environments", "create", "qa", "--project", "shop", "--name", "QA");
    assertThat(ok("envs", "list", "-p", "shop").json().path("items"))
        .extracting(n -> n.path("key").asText())
        .containsExactly("production", "qa", "staging");
    ok("environments", "update", "qa", "-p", "shop", "--description", "for QA");
    assertThat(ok("environments", "get", "qa", "-p", "shop").json().path("description").asText())
        .isEqualTo("for QA");
    ok("environments", "delete", "qa", "-p", "shop");
    fails(ExitCodes.NOT_FOUND, "environments", "get", "qa", "-p", "shop");

    ok("flags", "create", "f", "--boolean", "-p", "shop");
    fails(ExitCodes.CONFLICT, "projects", "delete", "shop"); // it has flags
    ok("projects", "delete", "shop", "--cascade");
    fails(ExitCodes.NOT_FOUND, "projects", "get", "shop");
    fails(ExitCodes.USAGE, "projects", "update", "default"); // nothing to change
  }

  @Test
  void segments() {
    ok("segments", "create", "pro-users", "--rules", "{\"==\": [{\"var\": \"plan\"}, \"pro\"]}");
    assertThat(ok("segments", "list", "-o", "table").out())
        .containsPattern("pro-users +pro-users +\\{\"==\"");
    ok(
        "segments",
        "update",
        "pro-users",
        "--rules",
        "{\"in\": [{\"var\": \"plan\"}, [\"pro\", \"team\"]]}");
    assertThat(ok("segments", "get", "pro-users").json().path("rules").toString()).contains("team");
    ok("segments", "delete", "pro-users");
    assertThat(ok("segments", "list").json().path("items")).isEmpty();
  }

  @Test
  void tokensShowTheirSecretOnceAndAreRevoked() {
    Run table =
        ok(
            "tokens",
            "create",
            "checkout-service",
            "--role",
            "sdk",
            "--env",
            "production",
            "-o",
            "table");
    String secret =
        table
            .out()
            .lines()
            .filter(l -> l.startsWith("secret (shown once, store it now): "))
            .findFirst()
            .orElseThrow()
            .substring("secret (shown once, store it now): ".length());
    assertThat(secret).isNotBlank();
    JsonNode list = ok("tokens", "list").json();
    assertThat(list.toString()).doesNotContain(secret);
    JsonNode token = list.path("items").get(0);
    assertThat(token.path("role").asText()).isEqualTo("sdk");
    assertThat(ok("tokens", "list", "-o", "table").out())
        .containsPattern("checkout-service +sdk +default/production");
    ok("tokens", "revoke", token.path("id").asText());
    assertThat(ok("tokens", "list").json().path("items")).isEmpty();
    assertThat(ok("tokens", "list", "--revoked").json().path("items")).hasSize(1);
    fails(ExitCodes.USAGE, "tokens", "create", "x", "--role", "owner");
  }

  @Test
  void webhooks() {
    // A public address literal: accepted without a DNS lookup; no event is sent in this test.
    Run created =
        ok(
            "webhooks",
            "create",
            "https://93.184.216.34/hook",
            "--event",
            "rollout.rolled_back",
            "-o",
            "table");
    assertThat(created.out()).contains("secret (shown once, store it now): whsec_");
    JsonNode list = ok("webhooks", "list").json();
    assertThat(list.toString()).doesNotContain("whsec_");
    String id = list.path("items").get(0).path("id").asText();
    assertThat(ok("webhooks", "list", "-o", "table").out())
        .contains("https://93.184.216.34/hook")
        .contains("rollout.rolled_back");
    assertThat(ok("webhooks", "deliveries", id).json().path("items")).isEmpty();
    ok("webhooks", "delete", id, "-m", "unused");
    assertThat(ok("webhooks", "list").json().path("items")).isEmpty();
    fails(ExitCodes.USAGE, "webhooks", "create", "http://127.0.0.1/x", "--event", "*"); // private
  }

  @Test
  void experimentMetrics() {
    ok("metrics", "create", "revenue", "--kind", "sum", "--event", "purchase");
    assertThat(ok("metrics", "list", "-o", "table").out())
        .containsPattern("revenue +revenue +sum +purchase");
    ok("metrics", "delete", "revenue");
    assertThat(ok("metrics", "list").json().path("items"))
        .extracting(n -> n.path("key").asText())
        .containsExactly("error_rate", "latency");
  }

  @Test
  void importAndExportFlagd(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("flags.json"),
            "{\"flags\": {\"banner\": {\"state\": \"ENABLED\", \"variants\": {\"a\": \"Hello\", \"b\": \"Hi\"}, \"defaultVariant\": \"b\"}}}");
    Run imported = ok("import", "flagd", file.toString(), "--env", "staging", "-o", "table");
    assertThat(imported.out()).isEqualTo("imported 1 flags into default/staging\n");
    Path out = dir.resolve("staging.json");
    ok("export", "flagd", "--env", "staging", "--out", out.toString());
    JsonNode exported = JSON.readTree(Files.readString(out));
    assertThat(exported.path("flags").path("banner").path("defaultVariant").asText())
        .isEqualTo("b");
    assertThat(JSON.readTree(ok("export", "flagd", "--env", "staging").out())).isEqualTo(exported);
    Path bad =
        Files.writeString(
            dir.resolve("bad.json"),
            "{\"flags\": {\"x\": {\"state\": \"ENABLED\", \"variants\": {}, \"defaultVariant\": \"a\"}}}");
    fails(ExitCodes.USAGE, "import", "flagd", bad.toString(), "--env", "staging");
  }

  @Test
  void importUnleash(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("unleash.json"),
            """
            {"features": [
              {"name": "new-checkout", "enabled": true, "strategies": [{"name": "flexibleRollout",
                "parameters": {"rollout": "50", "stickiness": "default", "groupId": "new-checkout"}}]},
              {"name": "banner", "enabled": true, "strategies": [{"name": "default", "segments": [7]}]}
            ]}
            """);
    Run dry =
        ok("import", "unleash", file.toString(), "--env", "staging", "--dry-run", "-o", "table");
    assertThat(dry.out())
        .isEqualTo(
            "would import 2 features into default/staging: 2 created, 0 updated, 0 unchanged\n");
    fails(ExitCodes.NOT_FOUND, "flags", "get", "new-checkout");
    Run imported = ok("import", "unleash", file.toString(), "--env", "staging", "-o", "table");
    assertThat(imported.out())
        .isEqualTo("imported 2 features into default/staging: 2 created, 0 updated, 0 unchanged\n");
    assertThat(imported.err())
        .contains(
            "warning: banner: segment 7 is not in the payload: the strategy never applies, as in"
                + " Unleash\n");
    JsonNode flag = JSON.readTree(ok("flags", "get", "new-checkout", "-o", "json").out());
    assertThat(flag.path("environments").path("staging").path("targeting").toString())
        .contains("unleash_rollout");
    JsonNode again =
        JSON.readTree(ok("import", "unleash", file.toString(), "--env", "staging").out());
    assertThat(again.path("unchanged").size()).isEqualTo(2);

    Path custom =
        Files.writeString(
            dir.resolve("custom.json"),
            "{\"features\": [{\"name\": \"x\", \"enabled\": true, \"strategies\": [{\"name\": \"mine\"}]}]}");
    Run refused =
        fails(ExitCodes.USAGE, "import", "unleash", custom.toString(), "--env", "staging");
    assertThat(refused.err())
        .contains("feature x: strategy \"mine\" is a custom strategy")
        .doesNotContain("Exception");
  }

  @Test
  void completionScripts() {
    String bash = ok("completion", "bash").out();
    assertThat(bash).contains("complete -F").contains("set-rollout").contains("--output");
    assertThat(ok("completion", "zsh").out()).isEqualTo(bash);
    String powershell = ok("completion", "powershell").out();
    assertThat(powershell)
        .contains("Register-ArgumentCompleter -Native -CommandName rollgate")
        .contains("'flags' = @(")
        .contains("'flags set-rollout' = @(")
        .contains("'--percentage'");
    fails(ExitCodes.USAGE, "completion", "fish");
  }
}

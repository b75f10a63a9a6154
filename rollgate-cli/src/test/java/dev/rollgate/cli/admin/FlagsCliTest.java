package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.server.testing.ApiClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code rollgate flags ...}: every verb, in table and JSON output, and the kill switch. */
class FlagsCliTest extends AdminCliTestBase {

  @Test
  void createListGetUpdateArchiveDelete() {
    Run created =
        ok(
            "flags",
            "create",
            "new-checkout",
            "--boolean",
            "--tag",
            "checkout",
            "--name",
            "New checkout");
    assertThat(created.json().path("key").asText()).isEqualTo("new-checkout");
    assertThat(created.json().path("variants").path("on").asBoolean()).isTrue();
    ok(
        "flags",
        "create",
        "banner",
        "--variants",
        "{\"a\": \"Hello\", \"b\": \"Hi\"}",
        "--default-variant",
        "a");

    JsonNode list = ok("flags", "list").json();
    assertThat(list.path("items"))
        .extracting(n -> n.path("key").asText())
        .containsExactly("banner", "new-checkout");
    Run table = ok("flags", "list", "--env", "production", "-o", "table");
    assertThat(table.out().lines().toList())
        .first()
        .asString()
        .startsWith("KEY")
        .contains("STATE", "DEFAULT", "VERSION");
    assertThat(table.out())
        .containsPattern("new-checkout +boolean +DISABLED +off +no +checkout +1");
    assertThat(ok("flags", "list", "--tag", "checkout").json().path("items")).hasSize(1);

    JsonNode one = ok("flags", "get", "new-checkout").json();
    assertThat(one.path("name").asText()).isEqualTo("New checkout");
    assertThat(ok("flags", "get", "new-checkout", "--env", "staging").json().path("state").asText())
        .isEqualTo("DISABLED");

    Run updated =
        ok("flags", "update", "new-checkout", "--description", "The new checkout", "-o", "table");
    assertThat(updated.out()).isEqualTo("updated flag new-checkout (version 2)\n");
    assertThat(server.admin().get("/api/v1/projects/default/flags/new-checkout").object())
        .containsEntry("description", "The new checkout");

    ok("flags", "archive", "new-checkout", "-m", "replaced");
    assertThat(ok("flags", "list").json().path("items")).hasSize(1);
    assertThat(ok("flags", "list", "--archived").json().path("items")).hasSize(2);
    ok("flags", "unarchive", "new-checkout");
    Run deleted = ok("flags", "delete", "banner", "-o", "table");
    assertThat(deleted.out()).isEqualTo("deleted flag banner\n");
    fails(ExitCodes.NOT_FOUND, "flags", "get", "banner");
  }

  @Test
  void createFromAFileAndFromStandardInput(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("flag.json"),
            "{\"key\": \"from-file\", \"variants\": {\"x\": 1, \"y\": 2}, \"defaultVariant\": \"x\"}");
    assertThat(ok("flags", "create", "--file", file.toString()).json().path("kind").asText())
        .isEqualTo("number");
    stdin = "{\"key\": \"from-stdin\", \"variants\": {\"on\": true, \"off\": false}}";
    ok("flags", "create", "--file", "-");
    assertThat(ok("flags", "list").json().path("items")).hasSize(2);
    fails(ExitCodes.USAGE, "flags", "create", "other", "--file", file.toString()); // key differs
    fails(
        ExitCodes.USAGE, "flags", "create", "x", "--file", dir.resolve("missing.json").toString());
  }

  @Test
  void theKillSwitchWithItsCommentInTheAuditTrail() {
    checkoutFlag();
    Run off =
        ok(
            "flags",
            "disable",
            "new-checkout",
            "--env",
            "production",
            "--comment",
            "INC-1234 checkout errors",
            "-o",
            "table");
    assertThat(off.out()).isEqualTo("new-checkout is DISABLED in production (version 3)\n");
    ApiClient.Response audit =
        server.admin().get("/api/v1/audit?resource=projects/default/flags/new-checkout");
    List<?> items = (List<?>) audit.object().get("items");
    assertThat(((Map<?, ?>) items.get(items.size() - 1)).get("comment"))
        .isEqualTo("INC-1234 checkout errors");

    JsonNode on = ok("flags", "enable", "new-checkout", "--env", "production").json();
    assertThat(on.path("state").asText()).isEqualTo("ENABLED");
  }

  @Test
  void setDefaultSetRolloutAndTargeting() {
    checkoutFlag();
    ok("flags", "set-default", "new-checkout", "on", "--env", "staging");
    assertThat(
            ok("flags", "get", "new-checkout", "--env", "staging")
                .json()
                .path("defaultVariant")
                .asText())
        .isEqualTo("on");

    Run rollout =
        ok(
            "flags",
            "set-rollout",
            "new-checkout",
            "--env",
            "production",
            "--percentage",
            "12.5",
            "-o",
            "table");
    assertThat(rollout.out())
        .startsWith("new-checkout serves on to 12.5% in production, off to the others");
    JsonNode targeting =
        ok("flags", "get", "new-checkout", "--env", "production").json().path("targeting");
    assertThat(targeting.toString()).isEqualTo("{\"fractional\":[[\"on\",1],[\"off\",7]]}");
    // A percentage again replaces the percentage.
    ok("flags", "set-rollout", "new-checkout", "--env", "production", "--percentage", "100");
    assertThat(
            ok("flags", "get", "new-checkout", "--env", "production")
                .json()
                .path("targeting")
                .toString())
        .isEqualTo("{\"fractional\":[[\"on\",1]]}");

    ok(
        "flags",
        "set-targeting",
        "new-checkout",
        "--env",
        "production",
        "--rules",
        "{\"if\": [{\"==\": [{\"var\": \"plan\"}, \"pro\"]}, \"on\"]}");
    Run refused =
        fails(
            ExitCodes.USAGE,
            "flags",
            "set-rollout",
            "new-checkout",
            "--env",
            "production",
            "--percentage",
            "5");
    assertThat(refused.err()).contains("--replace");
    ok(
        "flags",
        "set-rollout",
        "new-checkout",
        "--env",
        "production",
        "--percentage",
        "5",
        "--replace");
    fails(
        ExitCodes.USAGE,
        "flags",
        "set-rollout",
        "new-checkout",
        "--env",
        "production",
        "--percentage",
        "101");
    fails(
        ExitCodes.USAGE,
        "flags",
        "set-rollout",
        "new-checkout",
        "--env",
        "production",
        "--percentage",
        "1.234");
    ok("flags", "set-targeting", "new-checkout", "--env", "production", "--clear");
    assertThat(
            ok("flags", "get", "new-checkout", "--env", "production")
                .json()
                .path("targeting")
                .isNull())
        .isTrue();
  }

  @Test
  void aDryRunChangesNothing() {
    checkoutFlag();
    Run dry =
        ok("flags", "disable", "new-checkout", "--env", "production", "--dry-run", "-o", "table");
    assertThat(dry.out()).startsWith("dry run: would have new-checkout is DISABLED in production");
    assertThat(
            ok("flags", "get", "new-checkout", "--env", "production").json().path("state").asText())
        .isEqualTo("ENABLED");
  }

  @Test
  void explainOnTheServer() {
    checkoutFlag();
    ok(
        "flags",
        "set-targeting",
        "new-checkout",
        "--env",
        "production",
        "--rules",
        "{\"if\": [{\"==\": [{\"var\": \"plan\"}, \"pro\"]}, \"on\"]}");
    JsonNode why =
        ok(
                "flags",
                "explain",
                "new-checkout",
                "--env",
                "production",
                "--context",
                "{\"targetingKey\": \"u1\", \"plan\": \"pro\"}")
            .json();
    assertThat(why.path("variant").asText()).isEqualTo("on");
    assertThat(why.path("steps").isArray()).isTrue();
    Run table =
        ok(
            "flags",
            "explain",
            "new-checkout",
            "--env",
            "production",
            "--context",
            "{\"plan\": \"free\"}",
            "-o",
            "table");
    assertThat(table.out().lines().findFirst().orElseThrow())
        .isEqualTo("new-checkout in production: false (variant off, reason DEFAULT)");
    assertThat(table.out()).contains("AT", "RESULT", "NOTE");
    fails(
        ExitCodes.USAGE,
        "flags",
        "explain",
        "new-checkout",
        "--env",
        "production",
        "--context",
        "{not json");
    fails(
        ExitCodes.USAGE,
        "flags",
        "explain",
        "new-checkout",
        "--env",
        "production",
        "--context",
        "[1]");
  }

  @Test
  void aChangeMadeMeanwhileIsAConflictUnlessForced() {
    checkoutFlag(); // version 2
    ok("flags", "update", "new-checkout", "--description", "someone else"); // version 3
    Run stale =
        fails(
            ExitCodes.CONFLICT,
            "flags",
            "disable",
            "new-checkout",
            "--env",
            "production",
            "--if-version",
            "2");
    assertThat(stale.err()).contains("412").contains("someone else changed it").contains("--force");
    assertThat(
            ok("flags", "get", "new-checkout", "--env", "production").json().path("state").asText())
        .isEqualTo("ENABLED");
    ok("flags", "disable", "new-checkout", "--env", "production", "--force");
    ok("flags", "disable", "new-checkout", "--env", "production", "--if-version", "4");
  }

  @Test
  void yamlOutput() {
    checkoutFlag();
    Run yaml = ok("flags", "get", "new-checkout", "-o", "yaml");
    assertThat(yaml.out())
        .contains("key: new-checkout\n")
        .contains("kind: boolean\n")
        .doesNotStartWith("---");
  }

  @Test
  void withoutAnEnvironmentTheVerbsThatNeedOneSaySo() {
    checkoutFlag();
    Run run = fails(ExitCodes.USAGE, "flags", "disable", "new-checkout");
    assertThat(run.err())
        .isEqualTo(
            "rollgate flags disable: which environment? pass --env, set ROLLGATE_ENV, or save one in the profile\n");
    env.put("ROLLGATE_ENV", "production");
    ok("flags", "disable", "new-checkout");
    assertThat(ok("flags", "get", "new-checkout").json().path("state").asText())
        .isEqualTo("DISABLED");
  }
}

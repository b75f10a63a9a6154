package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollgate.cli.common.ExitCodes;
import org.junit.jupiter.api.Test;

/** {@code rollgate rollouts ...} and {@code rollgate experiments ...}. */
class RolloutsExperimentsCliTest extends AdminCliTestBase {

  @Test
  void aRolloutFromStartToRollback() throws Exception {
    checkoutFlag();
    Run started =
        ok(
            "rollouts",
            "start",
            "new-checkout",
            "--env",
            "production",
            "--treatment",
            "on",
            "--stages",
            "5,50,100",
            "-m",
            "go",
            "-o",
            "table");
    assertThat(started.out())
        .startsWith(
            "started rollout of new-checkout=on in production: RUNNING, stage 1 of 3 at 5%");
    JsonNode status = ok("rollouts", "status", "new-checkout", "--env", "production").json();
    assertThat(status.path("state").asText()).isEqualTo("RUNNING");
    assertThat(status.path("percent").asDouble()).isEqualTo(5.0);
    Run table = ok("rollouts", "status", "new-checkout", "--env", "production", "-o", "table");
    assertThat(table.out())
        .startsWith("new-checkout in production: RUNNING, stage 1 of 3 at 5%")
        .contains("reason: started");

    assertThat(
            ok("rollouts", "pause", "new-checkout", "--env", "production", "-m", "wait")
                .json()
                .path("state")
                .asText())
        .isEqualTo("PAUSED");
    assertThat(
            ok("rollouts", "resume", "new-checkout", "--env", "production")
                .json()
                .path("state")
                .asText())
        .isEqualTo("RUNNING");
    assertThat(
            ok("rollouts", "advance", "new-checkout", "--env", "production")
                .json()
                .path("percent")
                .asDouble())
        .isEqualTo(50.0);
    Run back =
        ok(
            "rollouts",
            "rollback",
            "new-checkout",
            "--env",
            "production",
            "-m",
            "INC-7",
            "-o",
            "table");
    assertThat(back.out()).startsWith("rollback: new-checkout in production is ROLLED_BACK");
    // Watching a rollout that has ended draws it once and returns.
    Run watched =
        ok("rollouts", "status", "new-checkout", "--env", "production", "--watch", "-o", "json");
    assertThat(watched.out().lines().count()).isEqualTo(1);
    assertThat(JSON.readTree(watched.out()).path("state").asText()).isEqualTo("ROLLED_BACK");

    JsonNode history = ok("rollouts", "history", "new-checkout", "--env", "production").json();
    assertThat(history.path("items"))
        .extracting(n -> n.path("action").asText())
        .containsExactly("start", "pause", "resume", "advance", "rollback");
    assertThat(
            ok("rollouts", "history", "new-checkout", "--env", "production", "-o", "table").out())
        .contains("ACTION")
        .contains("rollback");
    fails(ExitCodes.CONFLICT, "rollouts", "advance", "new-checkout", "--env", "production");
    fails(ExitCodes.NOT_FOUND, "rollouts", "status", "missing", "--env", "production");
  }

  @Test
  void promoteAndAbort() {
    checkoutFlag();
    ok("rollouts", "start", "new-checkout", "--env", "production", "--treatment", "on");
    assertThat(
            ok("rollouts", "promote", "new-checkout", "--env", "production")
                .json()
                .path("state")
                .asText())
        .isEqualTo("COMPLETED");
    ok("rollouts", "start", "new-checkout", "--env", "production", "--treatment", "off");
    assertThat(
            ok("rollouts", "abort", "new-checkout", "--env", "production")
                .json()
                .path("state")
                .asText())
        .isEqualTo("ABORTED");
  }

  @Test
  void anExperimentAndItsResults() throws Exception {
    ok(
        "flags",
        "create",
        "banner",
        "--variants",
        "{\"a\": \"Hello\", \"b\": \"Hi\"}",
        "--default-variant",
        "a");
    ok("flags", "enable", "banner", "--env", "production");
    ok("metrics", "create", "purchase", "--kind", "conversion", "--event", "purchase");
    JsonNode created =
        ok(
                "experiments",
                "create",
                "banner-test",
                "--env",
                "production",
                "--flag",
                "banner",
                "--variant",
                "a=1",
                "--variant",
                "b=1",
                "--primary-metric",
                "purchase",
                "--guardrail",
                "error_rate=increase")
            .json();
    assertThat(created.path("state").asText()).isEqualTo("DRAFT");
    assertThat(ok("experiments", "list", "--env", "production", "-o", "table").out())
        .containsPattern("banner-test +banner +DRAFT +purchase");
    assertThat(
            ok("experiments", "start", "banner-test", "--env", "production")
                .json()
                .path("state")
                .asText())
        .isEqualTo("RUNNING");

    Run results = ok("experiments", "results", "banner-test", "--env", "production", "-o", "table");
    assertThat(results.out().lines().findFirst().orElseThrow())
        .startsWith("experiment banner-test (RUNNING, sequential, alpha 0.05): keep_running - ");
    assertThat(results.out())
        .contains("sample ratio ok")
        .containsPattern(
            "METRIC +ROLE +VARIANT +N +MEAN +EFFECT +95% INTERVAL +RELATIVE +P +STATUS");
    assertThat(results.out())
        .containsPattern("purchase +primary +a +0 ")
        .containsPattern("purchase +primary +b +0 .*insufficient_data");
    assertThat(results.out()).containsPattern("error_rate +guardrail +b");
    assertThat(
            ok("experiments", "results", "banner-test", "--env", "production")
                .json()
                .path("decision")
                .path("decision")
                .asText())
        .isEqualTo("keep_running");

    assertThat(
            ok("experiments", "stop", "banner-test", "--env", "production", "-m", "done")
                .json()
                .path("state")
                .asText())
        .isEqualTo("STOPPED");
    assertThat(
            ok("experiments", "get", "banner-test", "--env", "production")
                .json()
                .path("state")
                .asText())
        .isEqualTo("STOPPED");
    fails(
        ExitCodes.USAGE,
        "experiments",
        "create",
        "x",
        "--env",
        "production"); // no flag, variants or metric
  }
}

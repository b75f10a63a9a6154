package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollgate.cli.common.ExitCodes;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@code rollgate flags prerequisites|schedules ...} and {@code rollgate import flagd --lenient}
 * against a real server.
 */
class FlagLifecycleCliTest extends AdminCliTestBase {

  @Test
  void prerequisitesAreAddedListedRemovedAndCleared() {
    checkoutFlag();
    ok("flags", "create", "payments-v2", "--boolean");
    ok("flags", "create", "fraud-check", "--variants", "{\"strict\": 1, \"lax\": 2}");

    Run added =
        ok(
            "flags",
            "prerequisites",
            "add",
            "new-checkout",
            "payments-v2",
            "--env",
            "production",
            "-m",
            "needs the new payments",
            "-o",
            "table");
    assertThat(added.out())
        .isEqualTo("new-checkout requires payments-v2 to serve on in production (version 3)\n");
    ok(
        "flags",
        "prerequisites",
        "add",
        "new-checkout",
        "fraud-check",
        "--variant",
        "strict",
        "--variant",
        "lax",
        "--env",
        "production");
    // Adding a flag again replaces what was required of it, in place.
    ok(
        "flags",
        "prerequisites",
        "add",
        "new-checkout",
        "payments-v2",
        "--variant",
        "off",
        "--env",
        "production");
    Run table =
        ok("flags", "prerequisites", "list", "new-checkout", "--env", "production", "-o", "table");
    assertThat(table.out().lines().toList())
        .containsExactly("FLAG         VARIANTS", "payments-v2  off", "fraud-check  strict,lax");
    JsonNode stored =
        ok("flags", "get", "new-checkout", "--env", "production").json().path("prerequisites");
    assertThat(stored.toString())
        .isEqualTo(
            "[{\"flag\":\"payments-v2\",\"variants\":[\"off\"]},"
                + "{\"flag\":\"fraud-check\",\"variants\":[\"strict\",\"lax\"]}]");

    // The server refuses a cycle and an unknown variant; the CLI says so in one line.
    Run cycle =
        fails(
            ExitCodes.USAGE,
            "flags",
            "prerequisites",
            "add",
            "payments-v2",
            "new-checkout",
            "--env",
            "production");
    assertThat(cycle.err()).contains("cycle").contains("payments-v2 -> new-checkout");
    fails(
        ExitCodes.USAGE,
        "flags",
        "prerequisites",
        "add",
        "new-checkout",
        "fraud-check",
        "--variant",
        "nope",
        "--env",
        "production");
    Run absent =
        fails(
            ExitCodes.USAGE,
            "flags",
            "prerequisites",
            "remove",
            "new-checkout",
            "banner",
            "--env",
            "production");
    assertThat(absent.err()).contains("banner is not a prerequisite of new-checkout in production");

    ok("flags", "prerequisites", "remove", "new-checkout", "payments-v2", "--env", "production");
    assertThat(
            ok("flags", "prerequisites", "list", "new-checkout", "--env", "production")
                .json()
                .path("prerequisites"))
        .extracting(p -> p.path("flag").asText())
        .containsExactly("fraud-check");
    ok("flags", "prerequisites", "clear", "new-checkout", "--env", "production");
    assertThat(
            ok("flags", "get", "new-checkout", "--env", "production").json().path("prerequisites"))
        .isEmpty();
  }

  @Test
  void schedulesAreCreatedListedShownAndCancelled() {
    checkoutFlag();
    Instant before = Instant.now();
    JsonNode step =
        ok(
                "flags",
                "schedules",
                "create",
                "new-checkout",
                "--env",
                "production",
                "--at",
                "+2h",
                "--percentage",
                "50",
                "-m",
                "CHG-88 after the peak")
            .json();
    assertThat(step.path("state").asText()).isEqualTo("PENDING");
    assertThat(step.path("comment").asText()).isEqualTo("CHG-88 after the peak");
    assertThat(step.path("change").toString()).isEqualTo("{\"percentage\":50}");
    Instant at = Instant.parse(step.path("at").asText());
    assertThat(at)
        .isBetween(
            before.plus(Duration.ofHours(2)).minusSeconds(1),
            Instant.now().plus(Duration.ofHours(2)));
    String off =
        ok(
                "flags",
                "schedules",
                "create",
                "new-checkout",
                "--env",
                "production",
                "--at",
                "+30d",
                "--state",
                "disabled")
            .json()
            .path("id")
            .asText();

    // A change that would not apply now is refused when it is made.
    Run bad =
        fails(
            ExitCodes.USAGE,
            "flags",
            "schedules",
            "create",
            "new-checkout",
            "--env",
            "production",
            "--at",
            "+1d",
            "--default-variant",
            "nope");
    assertThat(bad.err()).contains("nope");
    assertThat(
            fails(
                    ExitCodes.USAGE,
                    "flags",
                    "schedules",
                    "create",
                    "new-checkout",
                    "--env",
                    "production",
                    "--at",
                    "tomorrow",
                    "--state",
                    "ENABLED")
                .err())
        .contains("--at: expected an ISO-8601 instant");
    assertThat(
            fails(
                    ExitCodes.USAGE,
                    "flags",
                    "schedules",
                    "create",
                    "new-checkout",
                    "--env",
                    "production",
                    "--at",
                    "+1h")
                .err())
        .contains("what should change?");

    Run table =
        ok("flags", "schedules", "list", "new-checkout", "--env", "production", "-o", "table");
    assertThat(table.out().lines().toList()).hasSize(3);
    assertThat(table.out().lines().toList().get(0))
        .startsWith("ID")
        .contains("AT", "STATE", "CHANGE", "COMMENT");
    assertThat(table.out().lines().toList().get(1))
        .contains(step.path("id").asText(), "PENDING", "{\"percentage\":50}", "CHG-88");
    assertThat(ok("flags", "get", "new-checkout").json().path("schedules"))
        .extracting(s -> s.path("id").asText())
        .containsExactly(step.path("id").asText(), off);

    Run cancelled =
        ok(
            "flags",
            "schedules",
            "cancel",
            "new-checkout",
            off,
            "--env",
            "production",
            "-m",
            "the campaign runs on",
            "-o",
            "table");
    assertThat(cancelled.out()).isEqualTo("cancelled schedule " + off + " of new-checkout\n");
    assertThat(
            ok("flags", "schedules", "get", "new-checkout", off, "--env", "production")
                .json()
                .path("state")
                .asText())
        .isEqualTo("CANCELLED");
    fails(
        ExitCodes.CONFLICT,
        "flags",
        "schedules",
        "cancel",
        "new-checkout",
        off,
        "--env",
        "production");
    assertThat(
            ok(
                    "flags",
                    "schedules",
                    "list",
                    "new-checkout",
                    "--env",
                    "production",
                    "--state",
                    "PENDING")
                .json()
                .path("items"))
        .hasSize(1);
    fails(
        ExitCodes.NOT_FOUND,
        "flags",
        "schedules",
        "get",
        "new-checkout",
        "0000",
        "--env",
        "production");
  }

  @Test
  void staleFlagsArePrintedWithTheirEvidence() throws Exception {
    checkoutFlag();
    ok("flags", "create", "old-banner", "--boolean");
    // Both flags were made 40 days ago, as far as the store knows.
    try (var db = server.connect();
        var st = db.prepareStatement("UPDATE flags SET created_at = ?, updated_at = ?")) {
      long old = System.currentTimeMillis() - Duration.ofDays(40).toMillis();
      st.setLong(1, old);
      st.setLong(2, old);
      st.executeUpdate();
    }
    server
        .as(server.sdkToken())
        .post(
            "/ofrep/v1/evaluate/flags/new-checkout",
            java.util.Map.of("context", java.util.Map.of()));

    Run text = ok("stale-flags", "--env", "production", "-o", "table");
    assertThat(text.out())
        .startsWith("production:\n  not evaluated for 30 days: 1\n    old-banner\n")
        .contains("      not evaluated in production for 30 days (never evaluated)\n")
        .contains("      -> remove it from code where nothing evaluates it")
        .contains("  fully rolled out for 30 days: 1\n    new-checkout\n")
        .contains("  unchanged for 30 days: 2\n");
    JsonNode json = ok("stale-flags", "--days", "7").json();
    assertThat(json.path("days").asInt()).isEqualTo(7);
    assertThat(json.path("environments").path("staging").path("notEvaluated"))
        .extracting(f -> f.path("flag").asText())
        .containsExactly("new-checkout", "old-banner");
    assertThat(run("stale-flags", "--env", "production", "--fail-on-stale").code())
        .isEqualTo(ExitCodes.FAILED);
    assertThat(fails(ExitCodes.USAGE, "stale-flags", "--days", "0").err()).contains("days");
    assertThat(fails(ExitCodes.USAGE, "stale-flags", "--env", "moon").err())
        .contains("no flags in an environment moon");
  }

  @Test
  void relativeTimesCountFromNow() {
    Instant now = Instant.parse("2026-12-03T10:15:30.250Z");
    assertThat(FlagSchedulesCommand.at("+45s", now)).isEqualTo("2026-12-03T10:16:15Z");
    assertThat(FlagSchedulesCommand.at("+30m", now)).isEqualTo("2026-12-03T10:45:30Z");
    assertThat(FlagSchedulesCommand.at("+2h", now)).isEqualTo("2026-12-03T12:15:30Z");
    assertThat(FlagSchedulesCommand.at("+1d", now)).isEqualTo("2026-12-04T10:15:30Z");
    assertThat(FlagSchedulesCommand.at("2026-12-24T18:00:00Z", now))
        .isEqualTo("2026-12-24T18:00:00Z");
  }

  @Test
  void aLenientImportStoresWhatDoesNotCompileAndSaysSo() {
    stdin =
        """
        {"flags": {
          "new-search": {"state": "ENABLED", "variants": {"on": true, "off": false},
            "defaultVariant": "off", "targeting": {"if": [{"$ref": "beta-testers"}, "on", "off"]}},
          "banner": {"state": "ENABLED", "variants": {"a": "A"}, "defaultVariant": "a"}}}
        """;
    Run strict = fails(ExitCodes.USAGE, "import", "flagd", "-", "--env", "staging");
    assertThat(strict.err()).contains("beta-testers");
    assertThat(ok("flags", "list").json().path("items")).isEmpty();

    terminal = true;
    Run lenient =
        run("import", "flagd", "-", "--env", "staging", "--lenient", "-o", "table", "-m", "move");
    assertThat(lenient.code()).as(lenient.err()).isZero();
    assertThat(lenient.out())
        .isEqualTo("imported 2 flags into default/staging (1 with warnings)\n");
    assertThat(lenient.err())
        .contains(
            "warning: new-search does not compile and serves PARSE_ERROR:"
                + " flags.new-search.targeting.if[0].$ref: $ref to unknown evaluator");

    Run list = ok("flags", "list", "--env", "staging", "-o", "table");
    assertThat(list.out()).containsPattern("new-search .* no\n").containsPattern("banner .* yes\n");
    Run get = ok("flags", "get", "new-search", "-o", "table");
    assertThat(get.out())
        .contains(
            "invalid in staging (serves PARSE_ERROR): flags.new-search.targeting.if[0].$ref:"
                + " $ref to unknown evaluator");
    assertThat(ok("flags", "get", "banner", "-o", "table").out()).doesNotContain("invalid");
  }
}

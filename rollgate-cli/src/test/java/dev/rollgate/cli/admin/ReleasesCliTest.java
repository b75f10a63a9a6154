package dev.rollgate.cli.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.common.ExitCodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code rollgate releases ...} and the offline {@code rollgate verify-approval}. */
class ReleasesCliTest extends AdminCliTestBase {

  private void serviceFlag() {
    var r =
        server
            .admin()
            .post(
                "/api/v1/projects/default/flags",
                Map.of(
                    "key",
                    "checkout-svc",
                    "variants",
                    Map.of("1.4.0", "1.4.0", "2.0.0", "2.0.0"),
                    "defaultVariant",
                    "1.4.0",
                    "environments",
                    Map.of("production", Map.of("state", "ENABLED"))));
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
  }

  private JsonNode awaitPhase(String id, String phase) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (true) {
      JsonNode r = ok("releases", "show", id, "--env", "production").json();
      if (r.path("phase").asText().equals(phase)) {
        return r;
      }
      assertThat(System.nanoTime())
          .as("phase " + phase + ", is " + r.path("phase"))
          .isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void aMajorReleaseFromPlanToApprovalReportAndRollback() throws Exception {
    serviceFlag();
    Path notes = home.resolve("NOTES.md");
    Files.writeString(notes, "## 2.0.0\n\nA new checkout.\n");
    JsonNode planned =
        ok(
                "releases",
                "plan",
                "checkout",
                "2.0.0",
                "--type",
                "major",
                "--flag",
                "checkout-svc",
                "--env",
                "production",
                "--notes",
                "@" + notes,
                "-m",
                "CHG-1")
            .json();
    String id = planned.path("id").asText();
    assertThat(planned.path("phase").asText()).isEqualTo("PLANNED");
    assertThat(planned.path("notes").asText()).startsWith("## 2.0.0");
    assertThat(
            ok("releases", "list", "--env", "production", "--type", "major", "-o", "table").out())
        .contains("checkout")
        .contains("2.0.0")
        .contains("PLANNED");

    Run started = ok("releases", "start", id, "--env", "production", "-o", "table");
    assertThat(started.out()).startsWith("start: checkout 2.0.0 (major): PRECHECKS");
    awaitPhase(id, "AWAITING_APPROVAL");
    fails(ExitCodes.USAGE, "releases", "approve", id, "--env", "production");
    Run approved =
        ok("releases", "approve", id, "--env", "production", "-m", "CAB-1234", "-o", "table");
    assertThat(approved.out())
        .startsWith("approved: checkout 2.0.0 (major): ROLLING_OUT, wave 1 of 1");
    assertThat(ok("releases", "verify", id, "--env", "production", "-o", "table").out())
        .contains("VALID")
        .contains("true");
    Run shown = ok("releases", "show", id, "--env", "production", "-o", "table");
    assertThat(shown.out()).contains("APPROVER").contains("CAB-1234").contains("wave_started");

    // Offline: the public key and the release's JSON are all verify-approval needs.
    Path key = home.resolve("key.json");
    Files.writeString(key, server.admin().withToken(null).get("/api/v1/keys/approvals").text());
    Path release = home.resolve("release.json");
    Files.writeString(release, ok("releases", "show", id, "--env", "production").out());
    env.remove("ROLLGATE_URL");
    env.remove("ROLLGATE_TOKEN");
    Run offline =
        ok(
            "verify-approval",
            "--public-key",
            "@" + key,
            "--approvals",
            "@" + release,
            "-o",
            "table");
    assertThat(offline.out()).contains(id).contains("true");
    ObjectNode tampered = (ObjectNode) JSON.readTree(release.toFile());
    ((ObjectNode) tampered.path("approvals").get(0)).put("approver", "mallory");
    stdin = tampered.toString();
    Run refused = run("verify-approval", "--public-key", "@" + key, "--approvals", "-");
    assertThat(refused.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(JSON.readTree(refused.out()).path("valid").asBoolean()).isFalse();
    fails(ExitCodes.USAGE, "verify-approval", "--public-key", "@" + key, "--approvals", "{}");
    fails(
        ExitCodes.USAGE,
        "verify-approval",
        "--public-key",
        "garbage",
        "--approvals",
        "@" + release);
    env.put("ROLLGATE_URL", server.admin().base());
    env.put("ROLLGATE_TOKEN", dev.rollgate.server.testing.TestServer.ADMIN_TOKEN);

    // The report: Markdown to standard output, PDF to a file.
    assertThat(ok("releases", "report", id, "--env", "production").out())
        .startsWith("# Release checkout 2.0.0")
        .contains("CAB-1234");
    Path pdf = home.resolve("release.pdf");
    ok("releases", "report", id, "--env", "production", "--format", "pdf", "--out", pdf.toString());
    assertThat(new String(Files.readAllBytes(pdf), 0, 5, StandardCharsets.US_ASCII))
        .isEqualTo("%PDF-");
    fails(ExitCodes.USAGE, "releases", "report", id, "--env", "production", "--format", "pdf");

    Run back = ok("releases", "rollback", id, "--env", "production", "-m", "INC-9", "-o", "table");
    assertThat(back.out()).startsWith("rollback: checkout 2.0.0 (major): ROLLED_BACK");
    fails(ExitCodes.CONFLICT, "releases", "advance", id, "--env", "production");
    fails(ExitCodes.NOT_FOUND, "releases", "show", "no-such-release", "--env", "production");
    Run bad =
        run(
            "releases",
            "plan",
            "checkout",
            "two",
            "--type",
            "major",
            "--flag",
            "checkout-svc",
            "--env",
            "production");
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("semantic version").doesNotContain("Exception");
    assertThat(
            ok("releases", "list", "--env", "production", "--phase", "ROLLED_BACK")
                .json()
                .path("items"))
        .extracting(n -> n.path("id").asText())
        .isEqualTo(List.of(id));
  }
}

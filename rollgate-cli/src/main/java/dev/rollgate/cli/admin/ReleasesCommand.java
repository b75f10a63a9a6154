package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollgate releases}: versioned releases run through their runbook. */
@Command(
    name = "releases",
    description =
        "Releases of a service's version: plan, start, watch, approve, pause, advance, roll back,"
            + " report.")
final class ReleasesCommand extends ProjectCommand {
  private String releases() {
    return Api.path("api", "v1", "projects", project(), "environments", env(), "releases");
  }

  private String release(String id) {
    return releases() + Api.path(id);
  }

  @Command(
      name = "plan",
      description = {
        "Plan a release: the service's version, carried by a flag's variant, with the type's default"
            + " plan (patch, hotfix: canary 10% then 100%; minor: segments pilot-tenant 10%,"
            + " pilot-tenants 50%, then 100%; major: one switch after an approval; migration: waves"
            + " with a point of no return and a backup) or --plan's overrides.",
        "",
        "Example: rollgate releases plan checkout 1.5.0 --type minor --flag checkout-svc --env production --notes @NOTES.md"
      })
  void plan(
      @Parameters(index = "0", paramLabel = "SERVICE", description = "The service released.")
          String service,
      @Parameters(index = "1", paramLabel = "VERSION", description = "Its semantic version.")
          String version,
      @Option(
              names = "--type",
              required = true,
              paramLabel = "TYPE",
              description = "patch, minor, major, hotfix or migration.")
          String type,
      @Option(
              names = "--flag",
              required = true,
              paramLabel = "FLAG",
              description = "The flag whose variant carries the version.")
          String flag,
      @Option(
              names = "--variant",
              paramLabel = "VARIANT",
              description =
                  "The variant that carries it (default: the one named as the version, else true"
                      + " or on).")
          String variant,
      @Option(
              names = "--notes",
              paramLabel = "TEXT",
              description = "Release notes, Markdown (or @file); by default none.")
          String notes,
      @Option(
              names = "--plan",
              paramLabel = "JSON",
              description =
                  "Overrides of the default plan as JSON (or @file): waves, windowSeconds,"
                      + " checks, prechecks, postchecks, healthChecks, kpiMetrics, ...")
          String plan,
      @Option(
              names = "--start-at",
              paramLabel = "TIME",
              description =
                  "Start it at this RFC 3339 time (announced 24 h before); by default it waits for release start.")
          String startAt,
      @Option(
              names = "--backup-ref",
              paramLabel = "REF",
              description =
                  "A rollgate backup id or where the backup is (migrations need one); by default none.")
          String backupRef,
      @Mixin Comment comment) {
    ObjectNode body = object().put("service", service).put("version", version);
    body.put("type", type).put("flag", flag);
    if (variant != null) {
      body.put("variant", variant);
    }
    if (notes != null) {
      body.put(
          "notes",
          notes.startsWith("@")
              ? JsonArgs.read(
                  Path.of(notes.substring(1)), "--notes", connection.environment().stdin())
              : notes);
    }
    if (plan != null) {
      body.set("plan", JsonArgs.object(plan, "--plan", connection.environment().stdin()));
    }
    if (startAt != null) {
      body.put("startAt", startAt);
    }
    if (backupRef != null) {
      body.put("backupRef", backupRef);
    }
    JsonNode created = send("POST", releases(), body, comment.text).json();
    output.done(
        created,
        "planned release "
            + created.path("id").asText()
            + ": "
            + service
            + " "
            + version
            + " ("
            + type
            + ") in "
            + env());
  }

  @Command(
      name = "list",
      description = {
        "List the environment's releases, newest first.",
        "",
        "Example: rollgate releases list --env production --service checkout --phase ROLLING_OUT"
      })
  void list(
      @Option(
              names = "--service",
              paramLabel = "SERVICE",
              description = "Only this service's; by default every service's.")
          String service,
      @Option(
              names = "--type",
              paramLabel = "TYPE",
              description = "Only releases of this type; by default every type.")
          String type,
      @Option(
              names = "--phase",
              paramLabel = "PHASE",
              description = "Only releases in this phase; by default every phase.")
          String phase) {
    Map<String, String> query = new LinkedHashMap<>();
    if (service != null) {
      query.put("service", service);
    }
    if (type != null) {
      query.put("type", type);
    }
    if (phase != null) {
      query.put("phase", phase);
    }
    output.print(
        api().get(Api.query(releases(), query)).json(),
        Table.rows(
            "items",
            column("ID", "id"),
            column("SERVICE", "service"),
            column("VERSION", "version"),
            column("TYPE", "type"),
            column("PHASE", "phase"),
            column("WAVE", "waveName"),
            column("UPDATED", "updatedAt")));
  }

  @Command(
      name = "show",
      description = {
        "Show a release: phase, waves, approvals, KPI comparison and timeline.",
        "",
        "Example: rollgate releases show 6f1c... --env production"
      })
  void show(@Parameters(paramLabel = "ID", description = "The release.") String id) {
    JsonNode r = api().get(release(id)).json();
    if (!output.isTable()) {
      output.print(r, null);
      return;
    }
    var out = output.out();
    out.println(summary(r));
    out.println("reason: " + r.path("reason").asText("-"));
    out.println();
    out.print(
        Table.rows(
                "waves",
                column("WAVE", "name"),
                column("SEGMENT", w -> w.path("segment").asText("everyone")),
                column("PERCENT", "percent"),
                column("STATUS", "status"),
                column("STARTED", "startedAt"),
                column("ENDED", "endedAt"))
            .render(r));
    if (!r.path("approvals").isEmpty()) {
      out.println();
      out.print(
          Table.rows(
                  "approvals",
                  column("APPROVER", "approver"),
                  column("AT", "at"),
                  column("PHASE", "phase"),
                  column("COMMENT", "comment"))
              .render(r));
    }
    if (r.path("kpi").isObject()) {
      out.println();
      out.print(
          Table.rows(
                  "kpis",
                  column("KPI", "name"),
                  column("RULE", "rule"),
                  column("BEFORE", "before"),
                  column("AFTER", "after"),
                  column("STATUS", "status"))
              .render(r.path("kpi")));
    }
    out.println();
    out.print(
        Table.rows(
                "timeline",
                column("AT", "at"),
                column("EVENT", "event"),
                column("ACTOR", "actor"),
                column("REASON", "reason"))
            .render(r));
    out.flush();
  }

  /** "checkout 1.5.0 (minor): ROLLING_OUT, wave 2 of 3 (pilot tenants)" */
  static String summary(JsonNode r) {
    String wave =
        r.path("wave").isNumber()
            ? ", wave "
                + (r.path("wave").asInt() + 1)
                + " of "
                + r.path("waves").size()
                + " ("
                + r.path("waveName").asText()
                + ")"
            : "";
    return r.path("service").asText()
        + " "
        + r.path("version").asText()
        + " ("
        + r.path("type").asText()
        + "): "
        + r.path("phase").asText()
        + wave;
  }

  @Command(
      name = "start",
      description = {
        "Start a planned release: its pre-checks run, then it waits for approvals or starts its"
            + " first wave.",
        "",
        "Example: rollgate releases start 6f1c... --env production --backup-ref backup-2026-12-06"
      })
  void start(
      @Parameters(paramLabel = "ID", description = "The release.") String id,
      @Option(
              names = "--backup-ref",
              paramLabel = "REF",
              description =
                  "The backup taken before it (migrations need one); by default the one the plan names.")
          String backupRef,
      @Mixin Versioned change) {
    act(id, "start", change, backupRef);
  }

  @Command(
      name = "pause",
      description = {
        "Hold the release where it is; its waves stay served.",
        "",
        "Example: rollgate releases pause 6f1c... --env production -m 'looking at the p95'"
      })
  void pause(
      @Parameters(paramLabel = "ID", description = "The release.") String id,
      @Mixin Versioned change) {
    act(id, "pause", change, null);
  }

  @Command(
      name = "resume",
      description = {
        "Resume a paused release where it was.",
        "",
        "Example: rollgate releases resume 6f1c... --env production -m 'dependency fixed'"
      })
  void resume(
      @Parameters(paramLabel = "ID", description = "The release.") String id,
      @Mixin Versioned change) {
    act(id, "resume", change, null);
  }

  @Command(
      name = "advance",
      description = {
        "Go to the next wave now (after the last: the post-checks).",
        "",
        "Example: rollgate releases advance 6f1c... --env production -m 'pilot is happy'"
      })
  void advance(
      @Parameters(paramLabel = "ID", description = "The release.") String id,
      @Mixin Versioned change) {
    act(id, "advance", change, null);
  }

  @Command(
      name = "rollback",
      description = {
        "Serve the previous version to everyone again.",
        "",
        "Example: rollgate releases rollback 6f1c... --env production -m 'INC-7'"
      })
  void rollback(
      @Parameters(paramLabel = "ID", description = "The release.") String id,
      @Mixin Versioned change) {
    act(id, "rollback", change, null);
  }

  @Command(
      name = "abort",
      description = {
        "End the release where it is; nothing is served.",
        "",
        "Example: rollgate releases abort 6f1c... --env production -m 'not this week'"
      })
  void abort(
      @Parameters(paramLabel = "ID", description = "The release.") String id,
      @Mixin Versioned change) {
    act(id, "abort", change, null);
  }

  private void act(String id, String action, Versioned change, String backupRef) {
    ObjectNode body = object();
    if (change.text != null) {
      body.put("comment", change.text);
    }
    if (backupRef != null) {
      body.put("backupRef", backupRef);
    }
    String path = release(id);
    JsonNode after = write("POST", path + "/" + action, body, change, path).json();
    output.done(after, action + ": " + summary(after));
  }

  @Command(
      name = "approve",
      description = {
        "Approve a release (admin or approver token): the server signs the approval with its"
            + " Ed25519 key.",
        "",
        "Example: rollgate releases approve 6f1c... --env production -m 'CAB-1234'"
      })
  void approve(
      @Parameters(paramLabel = "ID", description = "The release.") String id,
      @Option(
              names = {"-m", "--comment"},
              required = true,
              paramLabel = "TEXT",
              description = "Why it is approved (a change ticket, a review).")
          String comment) {
    JsonNode after =
        send("POST", release(id) + "/approvals", object().put("comment", comment), null).json();
    output.done(after, "approved: " + summary(after));
  }

  @Command(
      name = "verify",
      description = {
        "Check every approval's signature on the server; exits 1 when one does not verify.",
        "",
        "Example: rollgate releases verify 6f1c... --env production"
      })
  int verify(@Parameters(paramLabel = "ID", description = "The release.") String id) {
    JsonNode answer = api().get(release(id) + "/approvals/verify").json();
    output.print(
        answer,
        Table.rows(
            "approvals",
            column("APPROVER", "approver"),
            column("AT", "at"),
            column("PHASE", "phase"),
            column("VALID", "valid")));
    return answer.path("valid").asBoolean() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  @Command(
      name = "report",
      description = {
        "The release's report: Markdown (default, to standard output), json, or pdf (to --out).",
        "",
        "Example: rollgate releases report 6f1c... --env production --format pdf --out release.pdf"
      })
  void report(
      @Parameters(paramLabel = "ID", description = "The release.") String id,
      @Option(
              names = "--format",
              defaultValue = "markdown",
              paramLabel = "FORMAT",
              description = "markdown, json or pdf (default markdown).")
          String format,
      @Option(
              names = "--out",
              paramLabel = "FILE",
              description =
                  "Write it to FILE (required for pdf); by default the report goes to standard output.")
          Path file) {
    String accept =
        switch (format) {
          case "markdown" -> "text/markdown";
          case "json" -> "application/json";
          case "pdf" -> "application/pdf";
          default -> throw new UserInputException("--format: must be markdown, json or pdf");
        };
    if (format.equals("pdf") && file == null) {
      throw new UserInputException("--format pdf: give --out FILE (a PDF is not for a terminal)");
    }
    byte[] body = api().download(release(id) + "/report?format=" + format, accept);
    if (file == null) {
      output.out().print(new String(body, java.nio.charset.StandardCharsets.UTF_8));
      output.out().flush();
      return;
    }
    try {
      Files.write(file, body);
    } catch (IOException e) {
      throw new CliFailure(ExitCodes.FAILED, "cannot write " + file + ": " + e.getMessage());
    }
    output.err().println("wrote " + file + " (" + body.length + " bytes)");
    output.err().flush();
  }
}

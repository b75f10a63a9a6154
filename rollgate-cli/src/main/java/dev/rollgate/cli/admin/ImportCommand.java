package dev.rollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollgate import}: bring flags in from another tool's format. */
@Command(
    name = "import",
    description = "Import flags from another tool's format into an environment.")
final class ImportCommand extends ProjectCommand {

  @Command(
      name = "flagd",
      description = {
        "Import a flagd flag document into an environment, all or nothing: flags it names are"
            + " created or replaced there.",
        "",
        "With --lenient, the document is taken as flagd takes it: flags whose targeting does not"
            + " compile are stored as written, serve as flagd would (PARSE_ERROR) and are listed"
            + " as warnings.",
        "",
        "Example: rollgate import flagd flags.json --env staging -m 'from flagd'",
        "Example: rollgate import flagd flags.json --env staging --lenient --replace"
      })
  void flagd(
      @Parameters(paramLabel = "FILE", description = "The flagd document (- for standard input).")
          Path file,
      @Option(
              names = "--lenient",
              description =
                  "Accept every document flagd accepts (strict=false); without it a flag that does"
                      + " not compile refuses the whole import.")
          boolean lenient,
      @Option(
              names = "--replace",
              description =
                  "Remove the environment's flags that the document does not name (default: keep"
                      + " them).")
          boolean replace,
      @Mixin Comment comment) {
    ObjectNode document = JsonArgs.file(file, "FILE", connection.environment().stdin());
    String env = env();
    int flags = document.path("flags").size();
    if (output.terminal()) {
      output.err().println("importing " + flags + " flags into " + project() + "/" + env + "...");
    }
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("mode", replace ? "replace" : null);
    query.put("strict", lenient ? "false" : null);
    String path =
        Api.query(
            Api.path("api", "v1", "projects", project(), "environments", env, "flagd"), query);
    JsonNode answer = send("PUT", path, document, comment.text).json();
    JsonNode warnings = answer.path("warnings");
    if (output.isTable()) {
      // The warnings are the point of a lenient import: each flag stored that will not compile.
      for (JsonNode w : warnings) {
        output
            .err()
            .println(
                "warning: "
                    + w.path("flag").asText()
                    + " does not compile and serves PARSE_ERROR: "
                    + w.path("path").asText()
                    + ": "
                    + w.path("message").asText());
      }
    }
    output.done(
        answer,
        "imported "
            + flags
            + " flags into "
            + project()
            + "/"
            + env
            + (warnings.isEmpty() ? "" : " (" + warnings.size() + " with warnings)"));
  }

  @Command(
      name = "unleash",
      description = {
        "Import an Unleash client-features payload (what Unleash's /api/client/features returns"
            + " for the environment) into an environment, all or nothing: each feature becomes a"
            + " flag that answers as Unleash did, users keeping their rollout buckets and variants."
            + " A feature that cannot be converted (a custom strategy, say) is named with the"
            + " reason, and nothing is imported.",
        "",
        "Example: rollgate import unleash unleash.json --env production -m 'from Unleash'",
        "(unleash.json: what GET /api/client/features answers an Unleash client token)"
      })
  void unleash(
      @Parameters(paramLabel = "FILE", description = "The Unleash payload (- for standard input).")
          Path file,
      @Option(
              names = "--dry-run",
              description =
                  "Convert and check on the server and show what the import would do, writing"
                      + " nothing.")
          boolean dryRun,
      @Mixin Comment comment) {
    ObjectNode payload = JsonArgs.file(file, "FILE", connection.environment().stdin());
    String env = env();
    int features = payload.path("features").size();
    if (output.terminal()) {
      output
          .err()
          .println("importing " + features + " features into " + project() + "/" + env + "...");
    }
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("dryRun", dryRun ? "true" : null);
    String path =
        Api.query(
            Api.path("api", "v1", "projects", project(), "environments", env, "unleash"), query);
    JsonNode answer = send("PUT", path, payload, comment.text).json();
    StringBuilder sentence =
        new StringBuilder(
            (dryRun ? "would import " : "imported ")
                + features
                + " features into "
                + project()
                + "/"
                + env
                + ": "
                + answer.path("created").size()
                + " created, "
                + answer.path("updated").size()
                + " updated, "
                + answer.path("unchanged").size()
                + " unchanged");
    for (JsonNode renamed : answer.path("renamed")) {
      sentence
          .append("\n  ")
          .append(renamed.path("feature").asText())
          .append(" is flag ")
          .append(renamed.path("key").asText());
    }
    if (output.isTable()) {
      // Converted to what Unleash answers, but worth a look: a missing segment, say.
      for (JsonNode w : answer.path("warnings")) {
        output
            .err()
            .println("warning: " + w.path("feature").asText() + ": " + w.path("message").asText());
      }
    }
    output.done(answer, sentence.toString());
  }
}

package dev.rollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
        "Example: rollgate import flagd flags.json --env staging -m 'from flagd'"
      })
  void flagd(
      @Parameters(paramLabel = "FILE", description = "The flagd document (- for standard input).")
          Path file,
      @Mixin Comment comment) {
    ObjectNode document = JsonArgs.file(file, "FILE", connection.environment().stdin());
    String env = env();
    int flags = document.path("flags").size();
    if (output.terminal()) {
      output.err().println("importing " + flags + " flags into " + project() + "/" + env + "...");
    }
    String path = Api.path("api", "v1", "projects", project(), "environments", env, "flagd");
    JsonNode answer = send("PUT", path, document, comment.text).json();
    output.done(answer, "imported " + flags + " flags into " + project() + "/" + env);
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
      @Mixin Comment comment) {
    ObjectNode payload = JsonArgs.file(file, "FILE", connection.environment().stdin());
    String env = env();
    int features = payload.path("features").size();
    if (output.terminal()) {
      output
          .err()
          .println("importing " + features + " features into " + project() + "/" + env + "...");
    }
    String path = Api.path("api", "v1", "projects", project(), "environments", env, "unleash");
    JsonNode answer = send("PUT", path, payload, comment.text).json();
    StringBuilder sentence =
        new StringBuilder(
            "imported "
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
    for (JsonNode warning : answer.path("warnings")) {
      sentence
          .append("\n  warning: ")
          .append(warning.path("feature").asText())
          .append(": ")
          .append(warning.path("message").asText());
    }
    output.done(answer, sentence.toString());
  }
}

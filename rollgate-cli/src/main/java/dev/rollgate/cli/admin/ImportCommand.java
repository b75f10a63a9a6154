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
}

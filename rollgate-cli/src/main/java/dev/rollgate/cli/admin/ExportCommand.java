package dev.rollgate.cli.admin;

import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.common.UserInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rollgate export}: an environment in another tool's format. */
@Command(name = "export", description = "Export an environment's flags in another tool's format.")
final class ExportCommand extends ProjectCommand {

  @Command(
      name = "flagd",
      description = {
        "Export an environment as a flagd flag document: what flagd, rollgate eval and"
            + " rollgate test-flags read.",
        "",
        "Example: rollgate export flagd --env production --out production.json"
      })
  void flagd(
      @Option(
              names = "--out",
              paramLabel = "FILE",
              description = "Write it here instead of standard output (default: standard output).")
          Path out) {
    String path = Api.path("api", "v1", "projects", project(), "environments", env(), "flagd");
    String document = api().get(path).text();
    if (out == null) {
      output.out().println(document);
      output.out().flush();
      return;
    }
    try {
      Files.writeString(out, document + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserInputException("--out: cannot write " + out + ": " + e.getMessage());
    }
    output.err().println("wrote " + out);
  }
}

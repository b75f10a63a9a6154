package dev.rollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.common.ExitCodes;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code rollgate health}: is the server up and ready to serve. */
@Command(
    name = "health",
    description = {
      "Read the server's /ready: whether its store is reachable and its snapshots loaded."
          + " Exits 0 when ready, 1 when not, 6 when it cannot be reached. Needs no token.",
      "",
      "Example: rollgate health --url https://flags.example.com"
    })
final class HealthCommand extends AdminCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    HttpResponse<String> response = api().raw("/ready", false);
    JsonNode ready;
    try {
      ready = Api.JSON.readTree(response.body());
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      ready = object().put("status", "HTTP " + response.statusCode());
    }
    ObjectNode answer =
        object().put("url", api().base().toString()).put("ready", response.statusCode() == 200);
    answer.set("detail", ready);
    if (output.isTable()) {
      output
          .out()
          .println(
              api().base()
                  + " is "
                  + (response.statusCode() == 200 ? "ready" : "NOT ready")
                  + ": "
                  + ready);
      output.out().flush();
    } else {
      output.print(answer, null);
    }
    return response.statusCode() == 200 ? ExitCodes.OK : ExitCodes.FAILED;
  }
}

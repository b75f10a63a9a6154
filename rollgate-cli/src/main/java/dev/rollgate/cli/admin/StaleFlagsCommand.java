package dev.rollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.Text;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rollgate stale-flags}: the flags a project could remove, with the evidence. */
@Command(
    name = "stale-flags",
    description = {
      "List a project's stale flags per environment: not evaluated for N days, serving one variant"
          + " to everyone for N days (fully rolled out), unchanged for N days; each with its"
          + " evidence and what to do. Exits 1 with --fail-on-stale when a flag is unused or"
          + " fully rolled out.",
      "",
      "Example: rollgate stale-flags --days 30 --env production"
    })
final class StaleFlagsCommand extends InProject implements Callable<Integer> {
  private static final Map<String, String> LISTS =
      Map.of(
          "notEvaluated", "not evaluated",
          "fullyRolledOut", "fully rolled out",
          "unchanged", "unchanged");

  @Option(
      names = "--days",
      paramLabel = "N",
      defaultValue = "30",
      description = "The period, 1 to 365 days (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = {"-e", "--env"},
      paramLabel = "ENV",
      description = "Only this environment (default: every environment).")
  String env;

  @Option(
      names = "--fail-on-stale",
      description = "Exit 1 when a flag is not evaluated or fully rolled out (for CI).")
  boolean failOnStale;

  @Override
  public Integer call() {
    String path =
        Api.query(
            Api.path("api", "v1", "projects", project(), "stale-flags"), Map.of("days", days));
    JsonNode report = api().get(path).json();
    JsonNode environments = report.path("environments");
    require(
        env == null || environments.has(env),
        "project " + project() + " has no flags in an environment " + env);
    if (env != null) {
      ObjectNode one = Api.JSON.createObjectNode();
      one.set(env, environments.get(env));
      ((ObjectNode) report).set("environments", one);
      environments = one;
    }
    boolean stale = false;
    for (JsonNode lists : environments) {
      stale |= !lists.path("notEvaluated").isEmpty() || !lists.path("fullyRolledOut").isEmpty();
    }
    if (output.isTable()) {
      print(output.out(), environments);
    } else {
      output.print(report, null);
    }
    return failOnStale && stale ? ExitCodes.FAILED : ExitCodes.OK;
  }

  /** Per environment and list, each flag with its evidence and the suggestion under it. */
  private void print(PrintWriter out, JsonNode environments) {
    for (Map.Entry<String, JsonNode> e : environments.properties()) {
      out.println(e.getKey() + ":");
      for (String list : new String[] {"notEvaluated", "fullyRolledOut", "unchanged"}) {
        JsonNode findings = e.getValue().path(list);
        out.println(
            "  "
                + LISTS.get(list)
                + " for "
                + days
                + (days == 1 ? " day" : " days")
                + ": "
                + (findings.isEmpty() ? "none" : findings.size()));
        for (JsonNode f : findings) {
          out.println("    " + Text.printable(f.path("flag").asText()));
          out.println("      " + Text.printable(f.path("evidence").asText()));
          out.println("      -> " + Text.printable(f.path("suggestion").asText()));
        }
      }
    }
    out.flush();
  }
}

package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import dev.rollgate.cli.common.ExitCodes;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code rollgate audit}: the hash-chained, signed audit trail. */
@Command(
    name = "audit",
    description = "The audit trail: list events, verify the chain and its signatures.")
final class AuditCommand extends AdminCommand {
  private static final String AUDIT = Api.path("api", "v1", "audit");

  @Command(
      name = "list",
      description = {
        "List audit events, oldest first, filtered.",
        "",
        "Example: rollgate audit list --resource projects/default/flags/new-checkout --limit 20"
      })
  void list(
      @Option(
              names = "--resource",
              paramLabel = "PATH",
              description = "A resource and what is below it, e.g. projects/default/flags/x.")
          String resource,
      @Option(
              names = "--actor",
              paramLabel = "NAME",
              description = "Events by this token name (default: anyone).")
          String actor,
      @Option(
              names = "--action",
              paramLabel = "ACTION",
              description = "For example flag.update (default: any).")
          String action,
      @Option(
              names = "--from",
              paramLabel = "TIME",
              description = "From this instant (ISO-8601) (default: the beginning).")
          String from,
      @Option(
              names = "--to",
              paramLabel = "TIME",
              description = "Before this instant (ISO-8601) (default: now).")
          String to,
      @Option(
              names = "--limit",
              paramLabel = "N",
              description = "At most N (default: the server's page size).")
          Integer limit,
      @Option(
              names = "--cursor",
              paramLabel = "CURSOR",
              description = "Continue after a previous page (default: the first page).")
          String cursor) {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("resource", resource);
    q.put("actor", actor);
    q.put("action", action);
    q.put("from", from);
    q.put("to", to);
    q.put("limit", limit);
    q.put("cursor", cursor);
    JsonNode answer = api().get(Api.query(AUDIT, q)).json();
    output.print(
        answer,
        Table.rows(
            "items",
            column("SEQ", "seq"),
            column("TIME", "time"),
            column("ACTOR", "actor"),
            column("ACTION", "action"),
            column("RESOURCE", "resource"),
            column("COMMENT", "comment")));
    output.nextPage(answer);
  }

  @Command(
      name = "verify",
      description = {
        "Recompute the hash chain and check every signature. Exits 1 when the trail was altered.",
        "",
        "Example: rollgate audit verify"
      })
  int verify() {
    JsonNode answer = api().get(AUDIT + "/verify").json();
    boolean valid = answer.path("valid").asBoolean(false);
    if (output.isTable()) {
      output
          .out()
          .println(
              valid
                  ? "audit trail intact: "
                      + answer.path("events").asText()
                      + " events, signed with key "
                      + answer.path("keyId").asText()
                  : "audit trail ALTERED at event "
                      + answer.path("firstBroken").path("seq").asText("?")
                      + ": "
                      + answer.path("firstBroken").path("reason").asText("see --output json"));
      output.out().flush();
    } else {
      output.print(answer, null);
    }
    return valid ? ExitCodes.OK : ExitCodes.FAILED;
  }
}

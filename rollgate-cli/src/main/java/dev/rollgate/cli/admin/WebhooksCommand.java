package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollgate webhooks}: signed notifications of rollout and flag events (admin). */
@Command(
    name = "webhooks",
    description = "Webhooks: register, list, inspect deliveries, delete (admin).")
final class WebhooksCommand extends AdminCommand {
  private static final String WEBHOOKS = Api.path("api", "v1", "webhooks");

  @Command(
      name = "create",
      description = {
        "Register a webhook. Its signing secret is shown once, here.",
        "",
        "Example: rollgate webhooks create https://hooks.example.com/rollgate --event rollout.rolled_back --event flag.changed"
      })
  void create(
      @Parameters(
              paramLabel = "URL",
              description = "Where deliveries go: http or https, public addresses only.")
          String url,
      @Option(
              names = "--event",
              required = true,
              paramLabel = "EVENT",
              description = "An event to deliver (repeatable; * for all).")
          List<String> events,
      @Option(
              names = "--description",
              paramLabel = "TEXT",
              description = "What it is for (default: empty).")
          String description) {
    ObjectNode body = object().put("url", url);
    ArrayNode list = body.putArray("events");
    events.forEach(list::add);
    if (description != null) {
      body.put("description", description);
    }
    JsonNode created = api().send("POST", WEBHOOKS, body, Map.of()).json();
    output.secretOnce(
        created, "created webhook " + created.path("id").asText() + " for " + url, "secret");
  }

  @Command(
      name = "list",
      description = {
        "List the webhooks, without their secrets.",
        "",
        "Example: rollgate webhooks list"
      })
  void list() {
    output.print(
        api().get(WEBHOOKS).json(),
        Table.rows(
            "items",
            column("ID", "id"),
            column("URL", "url"),
            column("EVENTS", r -> String.join(",", Named.texts(r.path("events")))),
            column("CREATED", "createdAt")));
  }

  @Command(
      name = "deliveries",
      description = {
        "A webhook's latest deliveries, newest first, with status and attempts.",
        "",
        "Example: rollgate webhooks deliveries 3f2a..."
      })
  void deliveries(
      @Parameters(paramLabel = "ID", description = "The webhook's id.") String id,
      @Option(
              names = "--limit",
              paramLabel = "N",
              defaultValue = "20",
              description = "At most N deliveries.")
          int limit) {
    output.print(
        api().get(Api.query(WEBHOOKS + Api.path(id, "deliveries"), Map.of("limit", limit))).json(),
        Table.rows(
            "items",
            column("EVENT", "event"),
            column("STATUS", "status"),
            column("ATTEMPTS", "attempts"),
            column("NEXT ATTEMPT", "nextAttemptAt"),
            column("CREATED", "createdAt")));
  }

  @Command(
      name = "delete",
      description = {
        "Delete a webhook and its deliveries.",
        "",
        "Example: rollgate webhooks delete 3f2a..."
      })
  void delete(
      @Parameters(paramLabel = "ID", description = "The webhook's id.") String id,
      @Mixin Comment comment) {
    send("DELETE", WEBHOOKS + Api.path(id), null, comment.text);
    output.done(object().put("deleted", id), "deleted webhook " + id);
  }
}

package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import java.net.http.HttpResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rollgate metrics}: by itself, a summary of the server's {@code /metrics}; with a verb, the
 * project's experiment metrics (conversion, sum, mean or ratio of track events).
 */
@Command(
    name = "metrics",
    description = {
      "Without a verb: a summary of the server's /metrics (requests, errors, latency, streams,"
          + " store). With one: the project's experiment metrics.",
      "",
      "Example: rollgate metrics",
      "Example: rollgate metrics create purchase --kind conversion --event purchase"
    })
final class MetricsCommand extends InProject implements Callable<Integer> {
  private String metrics() {
    return Api.path("api", "v1", "projects", project(), "metrics");
  }

  @Override
  public Integer call() {
    HttpResponse<String> response = api().raw("/metrics", true);
    api().requireSuccess(response);
    ObjectNode summary = PrometheusSummary.of(response.body());
    output.print(summary, null);
    return 0;
  }

  @Command(
      name = "list",
      description = {
        "List the project's metrics, the built-in error_rate and latency first.",
        "",
        "Example: rollgate metrics list"
      })
  void list() {
    output.print(
        api().get(metrics()).json(),
        Table.rows(
            "items",
            column("KEY", "key"),
            column("NAME", "name"),
            column("KIND", "kind"),
            column("EVENT", "event"),
            column("DENOMINATOR", "denominatorEvent"),
            column("BUILT-IN", "builtIn")));
  }

  @Command(
      name = "create",
      description = {
        "Define a metric on track events.",
        "",
        "Example: rollgate metrics create revenue --kind sum --event purchase"
      })
  void create(
      @Parameters(paramLabel = "KEY", description = "The metric.") String key,
      @Option(
              names = "--kind",
              required = true,
              paramLabel = "KIND",
              description = "conversion, sum, mean or ratio.")
          String kind,
      @Option(
              names = "--event",
              required = true,
              paramLabel = "EVENT",
              description = "The track event (a ratio's numerator).")
          String event,
      @Option(
              names = "--denominator-event",
              paramLabel = "EVENT",
              description = "A ratio's denominator (default: none).")
          String denominator,
      @Option(
              names = "--name",
              paramLabel = "NAME",
              description = "A name for people (default: the key).")
          String name,
      @Mixin Comment comment) {
    ObjectNode body = object().put("key", key).put("kind", kind).put("event", event);
    if (denominator != null) {
      body.put("denominatorEvent", denominator);
    }
    if (name != null) {
      body.put("name", name);
    }
    JsonNode created = send("POST", metrics(), body, comment.text).json();
    output.done(created, "created metric " + key);
  }

  @Command(
      name = "delete",
      description = {
        "Delete a metric no experiment uses.",
        "",
        "Example: rollgate metrics delete revenue"
      })
  void delete(
      @Parameters(paramLabel = "KEY", description = "The metric.") String key,
      @Mixin Comment comment) {
    send("DELETE", metrics() + Api.path(key), null, comment.text);
    output.done(object().put("deleted", key), "deleted metric " + key);
  }
}

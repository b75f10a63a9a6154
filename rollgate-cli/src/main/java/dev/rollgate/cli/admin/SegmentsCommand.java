package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollgate segments}: named JsonLogic rules that flags refer to. */
@Command(
    name = "segments",
    description = "Segments (named rules flags refer to): list, read, create, change and delete.")
final class SegmentsCommand extends InProject {
  private String segments() {
    return Api.path("api", "v1", "projects", project(), "segments");
  }

  @Command(
      name = "list",
      description = {"List the project's segments.", "", "Example: rollgate segments list"})
  void list() {
    output.print(
        api().get(segments()).json(),
        Table.rows(
            "items",
            column("KEY", "key"),
            column("NAME", "name"),
            column("RULES", "rules"),
            column("VERSION", "version")));
  }

  @Command(
      name = "get",
      description = {"Show a segment.", "", "Example: rollgate segments get pro-users"})
  void get(@Parameters(paramLabel = "KEY", description = "The segment.") String key) {
    output.print(api().get(segments() + Api.path(key)).json(), null);
  }

  @Command(
      name = "create",
      description = {
        "Create a segment from JsonLogic rules.",
        "",
        "Example: rollgate segments create pro-users --rules '{\"==\": [{\"var\": \"plan\"}, \"pro\"]}'"
      })
  void create(
      @Parameters(paramLabel = "KEY", description = "The segment.") String key,
      @Option(
              names = "--rules",
              required = true,
              paramLabel = "JSON",
              description = "The rules, as JSON (or @file) (default: unchanged).")
          String rules,
      @Mixin Named named,
      @Mixin Comment comment) {
    ObjectNode body = named.body(object().put("key", key));
    body.set("rules", JsonArgs.object(rules, "--rules", connection.environment().stdin()));
    output.done(send("POST", segments(), body, comment.text).json(), "created segment " + key);
  }

  @Command(
      name = "update",
      description = {
        "Change a segment's rules, name or description.",
        "",
        "Example: rollgate segments update pro-users --rules @pro.json"
      })
  void update(
      @Parameters(paramLabel = "KEY", description = "The segment.") String key,
      @Option(
              names = "--rules",
              paramLabel = "JSON",
              description = "The rules, as JSON (or @file) (default: unchanged).")
          String rules,
      @Mixin Named named,
      @Mixin Change change) {
    ObjectNode body = named.body(object());
    if (rules != null) {
      body.set("rules", JsonArgs.object(rules, "--rules", connection.environment().stdin()));
    }
    require(!body.isEmpty(), "nothing to change: pass --rules, --name or --description");
    String path = segments() + Api.path(key);
    output.done(write("PATCH", path, body, change, path).json(), "updated segment " + key);
  }

  @Command(
      name = "delete",
      description = {
        "Delete a segment no flag refers to.",
        "",
        "Example: rollgate segments delete pro-users"
      })
  void delete(
      @Parameters(paramLabel = "KEY", description = "The segment.") String key,
      @Mixin Change change) {
    String path = segments() + Api.path(key);
    write("DELETE", path, null, change, path);
    output.done(object().put("deleted", key), "deleted segment " + key);
  }
}

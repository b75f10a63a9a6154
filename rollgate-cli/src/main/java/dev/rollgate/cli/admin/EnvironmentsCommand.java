package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code rollgate environments}: a project's environments (admin to change). */
@Command(
    name = "environments",
    aliases = "envs",
    description = "A project's environments: list, read, create, change and delete (admin).")
final class EnvironmentsCommand extends InProject {
  private String environments() {
    return Api.path("api", "v1", "projects", project(), "environments");
  }

  @Command(
      name = "list",
      description = {
        "List the project's environments.",
        "",
        "Example: rollgate environments list --project shop"
      })
  void list() {
    output.print(
        api().get(environments()).json(),
        Table.rows(
            "items", column("KEY", "key"), column("NAME", "name"), column("VERSION", "version")));
  }

  @Command(
      name = "get",
      description = {"Show an environment.", "", "Example: rollgate environments get production"})
  void get(@Parameters(paramLabel = "KEY", description = "The environment.") String key) {
    output.print(api().get(environments() + Api.path(key)).json(), null);
  }

  @Command(
      name = "create",
      description = {
        "Create an environment; every flag starts DISABLED in it.",
        "",
        "Example: rollgate environments create qa --name QA"
      })
  void create(
      @Parameters(paramLabel = "KEY", description = "The environment.") String key,
      @Mixin Named named,
      @Mixin Comment comment) {
    ObjectNode body = named.body(object().put("key", key));
    output.done(
        send("POST", environments(), body, comment.text).json(), "created environment " + key);
  }

  @Command(
      name = "update",
      description = {
        "Change an environment's name or description.",
        "",
        "Example: rollgate environments update qa --description 'for the QA team'"
      })
  void update(
      @Parameters(paramLabel = "KEY", description = "The environment.") String key,
      @Mixin Named named,
      @Mixin Change change) {
    ObjectNode body = named.body(object());
    require(!body.isEmpty(), "nothing to change: pass --name or --description");
    String path = environments() + Api.path(key);
    output.done(write("PATCH", path, body, change, path).json(), "updated environment " + key);
  }

  @Command(
      name = "delete",
      description = {
        "Delete an environment and every flag's configuration in it.",
        "",
        "Example: rollgate environments delete qa"
      })
  void delete(
      @Parameters(paramLabel = "KEY", description = "The environment.") String key,
      @Mixin Change change) {
    String path = environments() + Api.path(key);
    write("DELETE", path, null, change, path);
    output.done(object().put("deleted", key), "deleted environment " + key);
  }
}

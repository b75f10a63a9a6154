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

/** {@code rollgate projects}: the projects, each with its environments (admin to change). */
@Command(
    name = "projects",
    description = "Projects: list, read, create, change and delete (admin).")
final class ProjectsCommand extends AdminCommand {
  private static final String PROJECTS = Api.path("api", "v1", "projects");

  @Command(
      name = "list",
      description = {"List the projects.", "", "Example: rollgate projects list"})
  void list() {
    output.print(
        api().get(PROJECTS).json(),
        Table.rows(
            "items",
            column("KEY", "key"),
            column("NAME", "name"),
            column("ENVIRONMENTS", r -> String.join(",", Named.texts(r.path("environments")))),
            column("VERSION", "version")));
  }

  @Command(
      name = "get",
      description = {"Show a project.", "", "Example: rollgate projects get shop"})
  void get(@Parameters(paramLabel = "KEY", description = "The project.") String key) {
    output.print(api().get(PROJECTS + Api.path(key)).json(), null);
  }

  @Command(
      name = "create",
      description = {
        "Create a project with its environments (default: development, staging, production).",
        "",
        "Example: rollgate projects create shop --name Shop --environment staging --environment production"
      })
  void create(
      @Parameters(paramLabel = "KEY", description = "The project.") String key,
      @Mixin Named named,
      @Option(
              names = "--environment",
              paramLabel = "ENV",
              description =
                  "An environment to create with it (repeatable) (default: development, staging, production).")
          List<String> environments,
      @Mixin Comment comment) {
    ObjectNode body = named.body(object().put("key", key));
    if (environments != null) {
      ArrayNode array = body.putArray("environments");
      environments.forEach(array::add);
    }
    JsonNode created = send("POST", PROJECTS, body, comment.text).json();
    output.done(created, "created project " + key);
  }

  @Command(
      name = "update",
      description = {
        "Change a project's name or description.",
        "",
        "Example: rollgate projects update shop --name 'Web shop'"
      })
  void update(
      @Parameters(paramLabel = "KEY", description = "The project.") String key,
      @Mixin Named named,
      @Mixin Change change) {
    ObjectNode body = named.body(object());
    require(!body.isEmpty(), "nothing to change: pass --name or --description");
    String path = PROJECTS + Api.path(key);
    output.done(write("PATCH", path, body, change, path).json(), "updated project " + key);
  }

  @Command(
      name = "delete",
      description = {
        "Delete a project; one that still has flags or segments needs --cascade.",
        "",
        "Example: rollgate projects delete old-shop --cascade"
      })
  void delete(
      @Parameters(paramLabel = "KEY", description = "The project.") String key,
      @Option(names = "--cascade", description = "Delete its flags and segments too.")
          boolean cascade,
      @Mixin Change change) {
    String path = PROJECTS + Api.path(key);
    write("DELETE", cascade ? Api.query(path, Map.of("force", "true")) : path, null, change, path);
    output.done(object().put("deleted", key), "deleted project " + key);
  }
}

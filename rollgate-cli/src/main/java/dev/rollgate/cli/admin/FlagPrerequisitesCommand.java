package dev.rollgate.cli.admin;

import static dev.rollgate.cli.admin.AdminCommand.object;
import static dev.rollgate.cli.admin.AdminCommand.require;
import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code rollgate flags prerequisites}: the flags that must serve given variants before a flag's
 * own rules apply in an environment. Each verb reads the configuration and writes the whole list
 * back against the version it read, so two people editing the list cannot lose each other's
 * entries.
 */
@Command(
    name = "prerequisites",
    description = {
      "A flag's prerequisites in one environment: flags that must serve one of the listed variants"
          + " before its own rules apply (else it serves its default variant, reason"
          + " PREREQUISITE_FAILED)."
    })
final class FlagPrerequisitesCommand {
  @ParentCommand FlagsCommand flags;

  @Command(
      name = "list",
      description = {
        "List a flag's prerequisites in one environment.",
        "",
        "Example: rollgate flags prerequisites list one-click-checkout --env production"
      })
  void list(@Parameters(paramLabel = "KEY", description = "The flag.") String key) {
    JsonNode config = flags.api().get(flags.flagIn(key, flags.env())).json();
    flags.output.print(
        config,
        Table.rows(
            "prerequisites",
            column("FLAG", "flag"),
            column("VARIANTS", p -> String.join(",", Named.texts(p.path("variants"))))));
  }

  @Command(
      name = "add",
      description = {
        "Require a flag to serve one of the given variants (replaces what was required of that flag"
            + " before).",
        "",
        "Example: rollgate flags prerequisites add one-click-checkout payments-v2 --variant on"
            + " --env production -m 'needs the new payments'"
      })
  void add(
      @Parameters(index = "0", paramLabel = "KEY", description = "The flag.") String key,
      @Parameters(index = "1", paramLabel = "PREREQUISITE", description = "The flag it requires.")
          String prerequisite,
      @Option(
              names = "--variant",
              paramLabel = "VARIANT",
              description =
                  "A variant the prerequisite must serve (repeatable; default: on, for a boolean"
                      + " flag).")
          List<String> variants,
      @Mixin FlagChange change) {
    List<String> required = variants == null || variants.isEmpty() ? List.of("on") : variants;
    write(
        key,
        change,
        (list, env) -> {
          ObjectNode entry = object().put("flag", prerequisite);
          ArrayNode names = entry.putArray("variants");
          required.forEach(names::add);
          int at = indexOf(list, prerequisite);
          if (at >= 0) {
            list.set(at, entry);
          } else {
            list.add(entry);
          }
          return key
              + " requires "
              + prerequisite
              + " to serve "
              + String.join(" or ", required)
              + " in "
              + env;
        });
  }

  @Command(
      name = "remove",
      description = {
        "No longer require a flag.",
        "",
        "Example: rollgate flags prerequisites remove one-click-checkout payments-v2 --env production"
      })
  void remove(
      @Parameters(index = "0", paramLabel = "KEY", description = "The flag.") String key,
      @Parameters(index = "1", paramLabel = "PREREQUISITE", description = "The flag it requires.")
          String prerequisite,
      @Mixin FlagChange change) {
    write(
        key,
        change,
        (list, env) -> {
          int at = indexOf(list, prerequisite);
          require(at >= 0, prerequisite + " is not a prerequisite of " + key + " in " + env);
          list.remove(at);
          return key + " no longer requires " + prerequisite + " in " + env;
        });
  }

  @Command(
      name = "clear",
      description = {
        "Remove every prerequisite of a flag in one environment.",
        "",
        "Example: rollgate flags prerequisites clear one-click-checkout --env production"
      })
  void clear(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Mixin FlagChange change) {
    write(
        key,
        change,
        (list, env) -> {
          list.removeAll();
          return key + " has no prerequisites in " + env;
        });
  }

  /** Changes the list in place and says what it did. */
  private interface Edit {
    String apply(ArrayNode list, String env);
  }

  private void write(String key, FlagChange change, Edit edit) {
    String env = flags.env();
    Api.Reply current = flags.api().get(flags.flag(key));
    JsonNode config = current.json().path("environments").path(env);
    require(!config.isMissingNode(), "flag " + key + " has no environment " + env);
    ArrayNode list =
        config.path("prerequisites").isArray()
            ? ((ArrayNode) config.path("prerequisites")).deepCopy()
            : Api.JSON.createArrayNode();
    String sentence = edit.apply(list, env);
    ObjectNode body = object();
    if (list.isEmpty()) {
      body.putNull("prerequisites");
    } else {
      body.set("prerequisites", list);
    }
    if (!change.force && change.ifVersion == null && current.version() != null) {
      // The list was edited from this version: a change made since is a conflict.
      change.ifVersion = Long.valueOf(current.version());
    }
    String path = flags.flagIn(key, env);
    JsonNode updated = flags.write("PATCH", path, body, change, path).json();
    flags.output.done(updated, FlagsCommand.changed(change.dryRun, sentence, updated));
  }

  private static int indexOf(ArrayNode list, String flag) {
    for (int i = 0; i < list.size(); i++) {
      if (flag.equals(list.get(i).path("flag").asText())) {
        return i;
      }
    }
    return -1;
  }
}

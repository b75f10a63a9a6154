package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollgate flags}: flags and their configuration per environment, the kill switch. */
@Command(
    name = "flags",
    description =
        "Flags: list, read, create, change, switch off (the kill switch), explain, chain"
            + " (prerequisites) and schedule.",
    subcommands = {FlagPrerequisitesCommand.class, FlagSchedulesCommand.class})
final class FlagsCommand extends ProjectCommand {

  private String flags() {
    return Api.path("api", "v1", "projects", project(), "flags");
  }

  String flag(String key) {
    return flags() + Api.path(key);
  }

  String flagIn(String key, String env) {
    return flag(key) + Api.path("environments", env);
  }

  @Command(
      name = "list",
      description = {
        "List the project's flags, with their state in --env when given.",
        "",
        "Example: rollgate flags list --env production --tag checkout"
      })
  void list(
      @Option(
              names = "--tag",
              paramLabel = "TAG",
              description = "Only flags with this tag (default: any tag).")
          String tag,
      @Option(
              names = {"-q", "--query"},
              paramLabel = "PREFIX",
              description = "Only keys that start so (default: every key).")
          String query,
      @Option(names = "--archived", description = "Include archived flags.") boolean archived,
      @Option(
              names = "--limit",
              paramLabel = "N",
              description = "At most N flags (server default 100).")
          Integer limit,
      @Option(
              names = "--cursor",
              paramLabel = "CURSOR",
              description = "Continue after a previous page (default: the first page).")
          String cursor) {
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("tag", tag);
    q.put("q", query);
    q.put("includeArchived", archived ? "true" : null);
    q.put("limit", limit);
    q.put("cursor", cursor);
    JsonNode answer = api().get(Api.query(flags(), q)).json();
    String env = envIfAny();
    Table table =
        env == null
            ? Table.rows(
                "items",
                column("KEY", "key"),
                column("KIND", "kind"),
                column("TAGS", r -> String.join(",", Named.texts(r.path("tags")))),
                column("ARCHIVED", "archived"),
                column("VERSION", "version"),
                column("ENVIRONMENTS", r -> states(r.path("environments"))))
            : Table.rows(
                "items",
                column("KEY", "key"),
                column("KIND", "kind"),
                column("STATE", "environments." + env + ".state"),
                column("DEFAULT", "environments." + env + ".defaultVariant"),
                column(
                    "TARGETING",
                    r ->
                        r.path("environments").path(env).path("targeting").isObject()
                            ? "yes"
                            : "no"),
                column("TAGS", r -> String.join(",", Named.texts(r.path("tags")))),
                column("VERSION", "version"),
                column(
                    "VALID",
                    r ->
                        r.path("environments").path(env).path("valid").asBoolean(true)
                            ? "yes"
                            : "no"));
    output.print(answer, table);
    output.nextPage(answer);
  }

  @Command(
      name = "get",
      description = {
        "Show one flag with every environment's configuration.",
        "",
        "Example: rollgate flags get new-checkout"
      })
  void get(@Parameters(paramLabel = "KEY", description = "The flag.") String key) {
    String env = envIfAny();
    JsonNode answer = api().get(env != null ? flagIn(key, env) : flag(key)).json();
    output.print(answer, null);
    if (output.isTable()) {
      // A flag imported as flagd takes it may not compile; the table would hide why.
      if (env != null) {
        problems(env, answer);
      } else {
        answer.path("environments").properties().forEach(e -> problems(e.getKey(), e.getValue()));
      }
    }
  }

  private void problems(String env, JsonNode config) {
    if (!config.path("valid").asBoolean(true)) {
      for (JsonNode problem : config.path("problems")) {
        output
            .out()
            .println(
                "invalid in "
                    + env
                    + " (serves PARSE_ERROR): "
                    + problem.path("path").asText()
                    + ": "
                    + problem.path("message").asText());
      }
    }
  }

  @Command(
      name = "create",
      description = {
        "Create a flag: from a JSON file (the API's body), or from options.",
        "",
        "Example: rollgate flags create new-checkout --boolean --tag checkout",
        "Example: rollgate flags create banner --variants '{\"a\": \"Hello\", \"b\": \"Hi\"}' --default-variant a",
        "Example: rollgate flags create --file flag.json"
      })
  void create(
      @Parameters(paramLabel = "KEY", arity = "0..1", description = "The key (or in --file).")
          String key,
      @Option(
              names = {"-f", "--file"},
              paramLabel = "FILE",
              description =
                  "The flag as JSON (- for standard input) (default: none; the options give the fields).")
          Path file,
      @Option(names = "--boolean", description = "Variants on (true) and off (false), default off.")
          boolean bool,
      @Option(
              names = "--variants",
              paramLabel = "JSON",
              description = "Variant name to value, as JSON (or @file) (default: from --file).")
          String variants,
      @Option(
              names = "--default-variant",
              paramLabel = "VARIANT",
              description =
                  "The variant served when no rule applies (default: from --file, or off with --boolean).")
          String defaultVariant,
      @Option(
              names = "--name",
              paramLabel = "NAME",
              description = "A name for people (default: the key).")
          String name,
      @Option(
              names = "--description",
              paramLabel = "TEXT",
              description = "What it is for (default: empty).")
          String description,
      @Option(
              names = "--tag",
              paramLabel = "TAG",
              description = "A tag (repeatable; default: none).")
          List<String> tags,
      @Option(names = "--dry-run", description = "Check on the server without creating.")
          boolean dryRun,
      @Mixin Comment comment) {
    ObjectNode body =
        file != null ? JsonArgs.file(file, "--file", connection.environment().stdin()) : object();
    if (key != null) {
      require(
          !body.has("key") || body.path("key").asText().equals(key),
          "the key " + key + " differs from the file's " + body.path("key").asText());
      body.put("key", key);
    }
    require(body.has("key"), "which flag? give its KEY (or a \"key\" in --file)");
    require(!(bool && variants != null), "--boolean and --variants: give one of them");
    if (bool) {
      body.set("variants", object().put("on", true).put("off", false));
      if (defaultVariant == null && !body.has("defaultVariant")) {
        body.put("defaultVariant", "off");
      }
    } else if (variants != null) {
      body.set(
          "variants", JsonArgs.object(variants, "--variants", connection.environment().stdin()));
    }
    require(body.has("variants"), "which variants? pass --boolean, --variants JSON or --file");
    putIfSet(body, "defaultVariant", defaultVariant);
    describe(body, null, name, description, tags);
    String path = dryRun ? Api.query(flags(), Map.of("dryRun", "true")) : flags();
    JsonNode created = send("POST", path, body, comment.text).json();
    output.done(
        created,
        (dryRun ? "dry run: would create flag " : "created flag ")
            + created.path("key").asText()
            + " (version "
            + created.path("version").asText("-")
            + ")");
  }

  @Command(
      name = "update",
      description = {
        "Change a flag: name, description, tags, variants, or any field of the API's body in --file.",
        "",
        "Example: rollgate flags update new-checkout --description 'The new checkout' --tag checkout"
      })
  void update(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Option(
              names = {"-f", "--file"},
              paramLabel = "FILE",
              description =
                  "The change as JSON (- for standard input) (default: none; the options give the fields).")
          Path file,
      @Option(
              names = "--variants",
              paramLabel = "JSON",
              description = "Variant name to value, as JSON (or @file) (default: from --file).")
          String variants,
      @Option(
              names = "--name",
              paramLabel = "NAME",
              description = "A name for people (default: the key).")
          String name,
      @Option(
              names = "--description",
              paramLabel = "TEXT",
              description = "What it is for (default: empty).")
          String description,
      @Option(
              names = "--tag",
              paramLabel = "TAG",
              description = "The tags (repeatable; replaces them; default: unchanged).")
          List<String> tags,
      @Mixin FlagChange change) {
    ObjectNode body =
        file != null ? JsonArgs.file(file, "--file", connection.environment().stdin()) : object();
    describe(body, variants, name, description, tags);
    require(
        !body.isEmpty(),
        "nothing to change: pass --file, --name, --description, --tag or --variants");
    JsonNode updated = write("PATCH", flag(key), body, change, flag(key)).json();
    output.done(updated, changed(change.dryRun, "updated flag " + key, updated));
  }

  @Command(
      name = "archive",
      description = {
        "Archive a flag: it leaves the lists and is served no more.",
        "",
        "Example: rollgate flags archive old-banner -m 'cleanup'"
      })
  void archive(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key, @Mixin Change change) {
    JsonNode updated =
        write("PATCH", flag(key), object().put("archived", true), change, flag(key)).json();
    output.done(updated, changed(false, "archived flag " + key, updated));
  }

  @Command(
      name = "unarchive",
      description = {
        "Bring an archived flag back.",
        "",
        "Example: rollgate flags unarchive old-banner"
      })
  void unarchive(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key, @Mixin Change change) {
    JsonNode updated =
        write("PATCH", flag(key), object().put("archived", false), change, flag(key)).json();
    output.done(updated, changed(false, "unarchived flag " + key, updated));
  }

  @Command(
      name = "delete",
      description = {
        "Delete a flag in every environment.",
        "",
        "Example: rollgate flags delete old-banner -m 'unused since 2026-06'"
      })
  void delete(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key, @Mixin Change change) {
    write("DELETE", flag(key), null, change, flag(key));
    output.done(object().put("deleted", key), "deleted flag " + key);
  }

  @Command(
      name = "enable",
      description = {
        "Switch a flag on in one environment: its rules apply again.",
        "",
        "Example: rollgate flags enable new-checkout --env production -m 'INC-1 fixed'"
      })
  void enable(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Mixin FlagChange change) {
    setState(key, "ENABLED", change);
  }

  @Command(
      name = "disable",
      description = {
        "The kill switch: switch a flag off in one environment. Every SDK serves its code default"
            + " within the stream's propagation time.",
        "",
        "Example: rollgate flags disable new-checkout --env production -m 'INC-1 checkout errors'"
      })
  void disable(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Mixin FlagChange change) {
    setState(key, "DISABLED", change);
  }

  private void setState(String key, String state, FlagChange change) {
    String env = env();
    JsonNode updated =
        write("PATCH", flagIn(key, env), object().put("state", state), change, flagIn(key, env))
            .json();
    output.done(updated, changed(change.dryRun, key + " is " + state + " in " + env, updated));
  }

  @Command(
      name = "set-default",
      description = {
        "Set the variant a flag serves in one environment when no rule applies.",
        "",
        "Example: rollgate flags set-default banner b --env staging"
      })
  void setDefault(
      @Parameters(index = "0", paramLabel = "KEY", description = "The flag.") String key,
      @Parameters(index = "1", paramLabel = "VARIANT", description = "The variant.") String variant,
      @Mixin FlagChange change) {
    String env = env();
    JsonNode updated =
        write(
                "PATCH",
                flagIn(key, env),
                object().put("defaultVariant", variant),
                change,
                flagIn(key, env))
            .json();
    output.done(
        updated,
        changed(change.dryRun, key + " serves " + variant + " by default in " + env, updated));
  }

  @Command(
      name = "set-targeting",
      description = {
        "Replace a flag's targeting rules in one environment (JsonLogic with flagd's operators);"
            + " --clear removes them.",
        "",
        "Example: rollgate flags set-targeting new-checkout --env production --rules @rules.json"
      })
  void setTargeting(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Option(
              names = "--rules",
              paramLabel = "JSON",
              description =
                  "The rules, as JSON (or @file, or - for standard input) (default: unchanged).")
          String rules,
      @Option(names = "--clear", description = "Remove the rules: the default variant is served.")
          boolean clear,
      @Mixin FlagChange change) {
    require(rules != null ^ clear, "pass --rules JSON or --clear");
    String env = env();
    ObjectNode body = object();
    if (clear) {
      body.putNull("targeting");
    } else {
      body.set("targeting", JsonArgs.object(rules, "--rules", connection.environment().stdin()));
    }
    JsonNode updated = write("PATCH", flagIn(key, env), body, change, flagIn(key, env)).json();
    output.done(
        updated,
        changed(
            change.dryRun,
            (clear ? "cleared the rules of " : "set the rules of ") + key + " in " + env,
            updated));
  }

  @Command(
      name = "set-rollout",
      description = {
        "Serve a variant to a percentage of users in one environment (sticky by targetingKey),"
            + " the others the default variant. Replaces a percentage set before; rules other"
            + " than a percentage are kept unless --replace.",
        "For a rollout judged on health metrics, see rollgate rollouts start.",
        "",
        "Example: rollgate flags set-rollout new-checkout --env production --percentage 25"
      })
  void setRollout(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Option(
              names = "--percentage",
              required = true,
              paramLabel = "PERCENT",
              description = "0 to 100, up to two decimals.")
          BigDecimal percentage,
      @Option(
              names = "--variant",
              paramLabel = "VARIANT",
              description = "The variant the percentage gets (default: on, for a boolean flag).")
          String variant,
      @Option(names = "--replace", description = "Replace other targeting rules too.")
          boolean replace,
      @Mixin FlagChange change) {
    require(
        percentage.signum() >= 0
            && percentage.compareTo(BigDecimal.valueOf(100)) <= 0
            && percentage.scale() <= 2,
        "--percentage: must be from 0 to 100 with at most two decimals, not "
            + percentage.toPlainString());
    String env = env();
    Api.Reply current = api().get(flag(key));
    JsonNode flag = current.json();
    JsonNode config = flag.path("environments").path(env);
    require(!config.isMissingNode(), "flag " + key + " has no environment " + env);
    String treatment = variant != null ? variant : flag.path("variants").has("on") ? "on" : null;
    require(treatment != null, "--variant: which variant gets the percentage?");
    require(flag.path("variants").has(treatment), "flag " + key + " has no variant " + treatment);
    String rest = config.path("defaultVariant").asText(null);
    require(
        rest != null,
        "flag "
            + key
            + " has no default variant in "
            + env
            + "; set one first (flags set-default)");
    require(
        !treatment.equals(rest),
        treatment
            + " is the default variant in "
            + env
            + ": give the variant the percentage gets with --variant");
    JsonNode targeting = config.path("targeting");
    boolean plainSplit =
        targeting.isMissingNode()
            || targeting.isNull()
            || (targeting.size() == 1 && targeting.has("fractional"));
    require(
        plainSplit || replace,
        "flag "
            + key
            + " has targeting rules in "
            + env
            + "; set-rollout would replace them: pass --replace, or edit them with flags set-targeting");
    ObjectNode body = object();
    ObjectNode split = split(treatment, rest, percentage);
    // A split bucketed by something else than the targeting key keeps its bucketing input, so
    // the users it has placed stay where they are.
    JsonNode bucketBy = plainSplit ? targeting.path("fractional").path(0) : null;
    if (bucketBy != null && !bucketBy.isMissingNode() && !bucketBy.isArray()) {
      ((ArrayNode) split.get("fractional")).insert(0, bucketBy);
    }
    body.set("targeting", split);
    if (!change.force && change.ifVersion == null && current.version() != null) {
      // The version read above is the one the split was computed from.
      change.ifVersion = Long.valueOf(current.version());
    }
    JsonNode updated = write("PATCH", flagIn(key, env), body, change, flagIn(key, env)).json();
    output.done(
        updated,
        changed(
            change.dryRun,
            key
                + " serves "
                + treatment
                + " to "
                + percentage.stripTrailingZeros().toPlainString()
                + "% in "
                + env
                + ", "
                + rest
                + " to the others",
            updated));
  }

  /** flagd's fractional: whole-number weights, so 12.5% is 1250 against 8750. */
  static ObjectNode split(String treatment, String rest, BigDecimal percentage) {
    BigInteger on = percentage.movePointRight(2).toBigIntegerExact();
    BigInteger off = BigInteger.valueOf(10_000).subtract(on);
    BigInteger gcd = on.gcd(off);
    ArrayNode buckets = Api.JSON.createArrayNode();
    if (on.signum() > 0) {
      buckets.addArray().add(treatment).add(on.divide(gcd));
    }
    if (off.signum() > 0) {
      buckets.addArray().add(rest).add(off.divide(gcd));
    }
    ObjectNode fractional = object();
    fractional.set("fractional", buckets);
    return fractional;
  }

  @Command(
      name = "explain",
      description = {
        "Explain, on the server, what a flag gives a context in one environment and why: every"
            + " rule looked at, the bucket of a split.",
        "",
        "Example: rollgate flags explain new-checkout --env production --context '{\"targetingKey\": \"u1\", \"plan\": \"pro\"}'"
      })
  void explain(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Option(
              names = {"-c", "--context"},
              paramLabel = "JSON",
              defaultValue = "{}",
              description = "The evaluation context, as JSON (or @file).")
          String context) {
    String env = env();
    ObjectNode body = object();
    body.set("context", JsonArgs.object(context, "--context", connection.environment().stdin()));
    JsonNode answer = api().send("POST", flagIn(key, env) + "/explain", body, Map.of()).json();
    if (!output.isTable()) {
      output.print(answer, null);
      return;
    }
    output
        .out()
        .println(
            key
                + " in "
                + env
                + ": "
                + Table.text(answer.path("value"))
                + " (variant "
                + Table.text(answer.path("variant"))
                + ", reason "
                + Table.text(answer.path("reason"))
                + ")");
    output.print(
        answer,
        Table.rows(
            "steps", column("AT", "at"), column("RESULT", "result"), column("NOTE", "note")));
  }

  static String changed(boolean dryRun, String sentence, JsonNode updated) {
    String version = updated.path("version").asText("");
    return (dryRun ? "dry run: would have " : "")
        + sentence
        + (version.isEmpty() || dryRun ? "" : " (version " + version + ")");
  }

  /** The fields create and update share, where they were given. */
  private void describe(
      ObjectNode body, String variants, String name, String description, List<String> tags) {
    if (variants != null) {
      body.set(
          "variants", JsonArgs.object(variants, "--variants", connection.environment().stdin()));
    }
    putIfSet(body, "name", name);
    putIfSet(body, "description", description);
    if (tags != null) {
      ArrayNode array = body.putArray("tags");
      tags.forEach(array::add);
    }
  }

  private static void putIfSet(ObjectNode body, String field, String value) {
    if (value != null) {
      body.put(field, value);
    }
  }

  /** "production=ENABLED staging=DISABLED" */
  private static String states(JsonNode environments) {
    StringBuilder s = new StringBuilder();
    for (Map.Entry<String, JsonNode> e : environments.properties()) {
      s.append(s.isEmpty() ? "" : " ")
          .append(e.getKey())
          .append('=')
          .append(e.getValue().path("state").asText());
    }
    return s.toString();
  }
}

package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollgate experiments}: A/B experiments on a flag's variants, and their results. */
@Command(
    name = "experiments",
    description =
        "A/B experiments: list, create, start, stop, and results with intervals and the decision.")
final class ExperimentsCommand extends ProjectCommand {

  private String experiments() {
    return Api.path("api", "v1", "projects", project(), "environments", env(), "experiments");
  }

  private String experiment(String key) {
    return experiments() + Api.path(key);
  }

  @Command(
      name = "list",
      description = {
        "List the environment's experiments.",
        "",
        "Example: rollgate experiments list --env production"
      })
  void list() {
    output.print(
        api().get(experiments()).json(),
        Table.rows(
            "items",
            column("KEY", "key"),
            column("FLAG", "flag"),
            column("STATE", "state"),
            column("PRIMARY METRIC", "primaryMetric"),
            column("VARIANTS", "variants"),
            column("STARTED", "startedAt")));
  }

  @Command(
      name = "get",
      description = {
        "Show an experiment.",
        "",
        "Example: rollgate experiments get banner-test --env production"
      })
  void get(@Parameters(paramLabel = "KEY", description = "The experiment.") String key) {
    output.print(api().get(experiment(key)).json(), null);
  }

  @Command(
      name = "create",
      description = {
        "Create an experiment (a draft) on a flag's variants, weighted, with a primary metric.",
        "",
        "Example: rollgate experiments create banner-test --env production --flag banner --variant a=1 --variant b=1 --primary-metric purchase"
      })
  void create(
      @Parameters(paramLabel = "KEY", arity = "0..1", description = "The experiment.") String key,
      @Option(
              names = {"-f", "--file"},
              paramLabel = "FILE",
              description =
                  "The experiment as the API's JSON body (- for standard input) (default: none; the options give the fields).")
          Path file,
      @Option(
              names = "--flag",
              paramLabel = "FLAG",
              description = "The flag whose variants are compared (default: from --file).")
          String flag,
      @Option(
              names = "--variant",
              paramLabel = "VARIANT=WEIGHT",
              description = "A variant and its whole-number weight (repeatable; default: none).")
          Map<String, Integer> variants,
      @Option(
              names = "--primary-metric",
              paramLabel = "METRIC",
              description =
                  "The metric that decides, a key of rollgate metrics list (default: from --file).")
          String primaryMetric,
      @Option(
              names = "--control",
              paramLabel = "VARIANT",
              description = "Default: the flag's default variant.")
          String control,
      @Option(
              names = "--direction",
              paramLabel = "DIRECTION",
              description = "increase (default) or decrease: which way is better.")
          String direction,
      @Option(
              names = "--guardrail",
              paramLabel = "METRIC=BAD",
              description =
                  "A guardrail metric and the direction that is bad (repeatable; default: none).")
          Map<String, String> guardrails,
      @Option(
              names = "--hypothesis",
              paramLabel = "TEXT",
              description = "What the experiment tests (default: none).")
          String hypothesis,
      @Option(names = "--alpha", paramLabel = "ALPHA", description = "Default 0.05.") Double alpha,
      @Option(
              names = "--planned-sample-size",
              paramLabel = "N",
              description =
                  "Units per variant: fixed-horizon analysis (default: none: sequential analysis).")
          Integer planned,
      @Mixin Comment comment) {
    ObjectNode body =
        file != null ? JsonArgs.file(file, "--file", connection.environment().stdin()) : object();
    if (key != null) {
      body.put("key", key);
    }
    if (flag != null) {
      body.put("flag", flag);
    }
    if (variants != null) {
      ObjectNode weights = body.putObject("variants");
      variants.forEach(weights::put);
    }
    if (primaryMetric != null) {
      body.put("primaryMetric", primaryMetric);
    }
    if (control != null) {
      body.put("control", control);
    }
    if (direction != null) {
      body.put("direction", direction);
    }
    if (guardrails != null) {
      ArrayNode list = body.putArray("guardrails");
      guardrails.forEach((metric, bad) -> list.addObject().put("metric", metric).put("bad", bad));
    }
    if (hypothesis != null) {
      body.put("hypothesis", hypothesis);
    }
    if (alpha != null) {
      body.put("alpha", alpha);
    }
    if (planned != null) {
      body.put("plannedSampleSize", planned);
    }
    for (String required : List.of("key", "flag", "variants", "primaryMetric")) {
      require(
          body.has(required),
          "missing " + required + ": give KEY, --flag, --variant and --primary-metric (or --file)");
    }
    JsonNode created = send("POST", experiments(), body, comment.text).json();
    output.done(
        created,
        "created experiment "
            + created.path("key").asText()
            + " (DRAFT): start it with rollgate experiments start "
            + created.path("key").asText());
  }

  @Command(
      name = "start",
      description = {
        "Start a draft: the flag splits its traffic between the variants.",
        "",
        "Example: rollgate experiments start banner-test --env production"
      })
  void start(
      @Parameters(paramLabel = "KEY", description = "The experiment.") String key,
      @Mixin Change change) {
    JsonNode after =
        write("POST", experiment(key) + "/start", null, change, experiment(key)).json();
    output.done(after, "started experiment " + key);
  }

  @Command(
      name = "stop",
      description = {
        "Stop a running experiment: the split ends, the results stay.",
        "",
        "Example: rollgate experiments stop banner-test --env production -m 'b wins'"
      })
  void stop(
      @Parameters(paramLabel = "KEY", description = "The experiment.") String key,
      @Mixin Change change) {
    JsonNode after = write("POST", experiment(key) + "/stop", null, change, experiment(key)).json();
    output.done(after, "stopped experiment " + key);
  }

  @Command(
      name = "results",
      description = {
        "The results: per metric and variant, n, mean, the effect against the control with its"
            + " interval and p-value, the sample-ratio check, and the decision.",
        "",
        "Example: rollgate experiments results banner-test --env production"
      })
  void results(@Parameters(paramLabel = "KEY", description = "The experiment.") String key) {
    JsonNode results = api().get(experiment(key) + "/results").json();
    if (!output.isTable()) {
      output.print(results, null);
      return;
    }
    PrintWriter out = output.out();
    JsonNode decision = results.path("decision");
    out.println(
        "experiment "
            + key
            + " ("
            + results.path("state").asText()
            + ", "
            + results.path("analysis").asText()
            + ", alpha "
            + results.path("alpha").asText()
            + "): "
            + decision.path("decision").asText()
            + (decision.path("winner").isTextual() ? " " + decision.path("winner").asText() : "")
            + " - "
            + decision.path("reason").asText());
    JsonNode srm = results.path("sampleRatio");
    out.println(
        "units: "
            + results.path("units")
            + "; sample ratio "
            + (srm.path("srm").asBoolean() ? "MISMATCH" : "ok")
            + " (p "
            + number(srm.path("pValue"))
            + ")");
    out.print(
        Table.rows(
                null,
                column("METRIC", "metric"),
                column("ROLE", "role"),
                column("VARIANT", "variant"),
                column("N", "n"),
                column("MEAN", r -> number(r.path("mean"))),
                column("EFFECT", r -> number(r.path("absolute").path("effect"))),
                column("95% INTERVAL", r -> interval(r.path("absolute").path("ci"))),
                column("RELATIVE", r -> percent(r.path("relative").path("effect"))),
                column(
                    "P",
                    r ->
                        number(
                            r.path("sequentialPValue").isNumber()
                                ? r.path("sequentialPValue")
                                : r.path("absolute").path("pValue"))),
                column("STATUS", r -> r.path("absolute").path("status").asText("control")))
            .render(rows(results)));
    out.flush();
  }

  /** One row per metric and variant, the control first as the server lists it. */
  private static JsonNode rows(JsonNode results) {
    ArrayNode rows = Api.JSON.createArrayNode();
    for (JsonNode metric : results.path("metrics")) {
      for (Map.Entry<String, JsonNode> v : metric.path("variants").properties()) {
        ObjectNode row = v.getValue().deepCopy();
        row.put("metric", metric.path("metric").asText());
        row.put("role", metric.path("role").asText());
        row.put("variant", v.getKey());
        rows.add(row);
      }
    }
    return rows;
  }

  static String number(JsonNode n) {
    return n.isNumber() ? String.format(java.util.Locale.ROOT, "%.4g", n.asDouble()) : "-";
  }

  static String percent(JsonNode n) {
    return n.isNumber() ? String.format(java.util.Locale.ROOT, "%+.2f%%", 100 * n.asDouble()) : "-";
  }

  static String interval(JsonNode ci) {
    List<String> ends = new ArrayList<>();
    ci.forEach(e -> ends.add(number(e)));
    return ends.size() == 2 ? "[" + ends.get(0) + ", " + ends.get(1) + "]" : "-";
  }
}

package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.ApiFailure;
import dev.rollgate.cli.client.Table;
import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.ExitCodes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rollgate health-checks}: the health monitor's checks (HTTP probes, Prometheus queries,
 * pushed metrics, the audit chain), their results and the violations they open.
 */
@Command(
    name = "health-checks",
    description = {
      "The health monitor: checks the leading replica runs on their intervals (http, prometheus,"
          + " metric, audit), their results, running one now, and the violations they open"
          + " (with a flag switched off or rollouts paused). A check is named by its id or its"
          + " name. See docs/health.md."
    })
final class HealthChecksCommand extends InProject {
  /** The fields of each type, as the API takes them; an update that changes type drops the rest. */
  private static final List<String> TYPE_FIELDS =
      List.of(
          "url",
          "method",
          "expectedStatus",
          "bodyContains",
          "timeoutMs",
          "query",
          "comparison",
          "threshold",
          "environment",
          "metric",
          "maxAgeSeconds");

  private static final List<String> DEFINITION_FIELDS =
      List.of("name", "description", "intervalSeconds", "failuresToOpen", "action");

  private String checks() {
    return Api.path("api", "v1", "projects", project(), "health-checks");
  }

  /** The options that define a check, shared by create and update. */
  static final class Definition {
    @Option(
        names = "--description",
        paramLabel = "TEXT",
        description = "What it watches, for people (default: empty; update: unchanged).")
    String description;

    @Option(
        names = "--target-url",
        paramLabel = "URL",
        description =
            "http: the URL called, http or https (required for http, no default; --url is the"
                + " Rollgate server's).")
    String url;

    @Option(
        names = "--method",
        paramLabel = "METHOD",
        description = "http: GET, HEAD or POST (default: GET).")
    String method;

    @Option(
        names = "--expected-status",
        paramLabel = "STATUS",
        description = "http: the status the answer must have (default: 200).")
    Integer expectedStatus;

    @Option(
        names = "--body-contains",
        paramLabel = "TEXT",
        description = "http: text the answer's body must contain (default: any body).")
    String bodyContains;

    @Option(
        names = "--timeout-ms",
        paramLabel = "MS",
        description = "http and prometheus: how long a run may wait for an answer (default: 5000).")
    Long timeoutMs;

    @Option(
        names = "--query",
        paramLabel = "PROMQL",
        description =
            "prometheus: an instant PromQL query, sent to the server's ROLLGATE_PROMETHEUS_URL"
                + " (required for prometheus, no default).")
    String query;

    @Option(
        names = "--comparison",
        paramLabel = "OP",
        description =
            "prometheus and metric: how the value must stand to the threshold: <, <=, >, >=, =="
                + " or != (required for them, no default; quote it in a shell).")
    String comparison;

    @Option(
        names = "--threshold",
        paramLabel = "NUMBER",
        description =
            "prometheus and metric: the value compared with (required for them, no default).")
    Double threshold;

    @Option(
        names = "--metric",
        paramLabel = "NAME",
        description =
            "metric: the pushed metric's name (POST /api/v1/events, type metric) (required for"
                + " metric, no default).")
    String metric;

    @Option(
        names = "--environment",
        paramLabel = "ENV",
        description =
            "metric: the environment whose SDK token pushes the metric (required for metric, no"
                + " default).")
    String environment;

    @Option(
        names = "--max-age-seconds",
        paramLabel = "SECONDS",
        description = "metric: a value older than this does not count (default: 600).")
    Long maxAgeSeconds;

    @Option(
        names = "--interval-seconds",
        paramLabel = "SECONDS",
        description = "How often it runs, 10 s to 7 days (default: 300; update: unchanged).")
    Long intervalSeconds;

    @Option(
        names = "--failures-to-open",
        paramLabel = "N",
        description =
            "Consecutive failed runs that open a violation, 1 to 100 (default: 1; update:"
                + " unchanged).")
    Integer failuresToOpen;

    @Option(
        names = "--switch-off",
        paramLabel = "ENV/FLAG",
        description =
            "When a violation opens, switch FLAG off in ENV, audited as health-monitor (default:"
                + " no action; update: unchanged).")
    String switchOff;

    @Option(
        names = "--pause",
        description =
            "When a violation opens, pause the running releases and rollouts that list the check.")
    boolean pause;

    /** Puts the given type-specific options into {@code body}; whether any was given. */
    boolean putSpec(ObjectNode body) {
      Map<String, Object> given = new LinkedHashMap<>();
      given.put("url", url);
      given.put("method", method == null ? null : method.toUpperCase(Locale.ROOT));
      given.put("expectedStatus", expectedStatus);
      given.put("bodyContains", bodyContains);
      given.put("timeoutMs", timeoutMs);
      given.put("query", query);
      given.put("comparison", comparison);
      given.put("threshold", threshold);
      given.put("metric", metric);
      given.put("environment", environment);
      given.put("maxAgeSeconds", maxAgeSeconds);
      boolean any = false;
      for (var e : given.entrySet()) {
        if (e.getValue() != null) {
          body.set(e.getKey(), Api.JSON.valueToTree(e.getValue()));
          any = true;
        }
      }
      return any;
    }

    /** Puts the schedule, the description and the action given into {@code body}. */
    boolean putRest(ObjectNode body) {
      require(switchOff == null || !pause, "--switch-off and --pause: give one of them");
      boolean any = false;
      if (description != null) {
        body.put("description", description);
        any = true;
      }
      if (intervalSeconds != null) {
        body.put("intervalSeconds", intervalSeconds);
        any = true;
      }
      if (failuresToOpen != null) {
        body.put("failuresToOpen", failuresToOpen);
        any = true;
      }
      if (switchOff != null) {
        int slash = switchOff.indexOf('/');
        require(
            slash > 0 && slash < switchOff.length() - 1,
            "--switch-off: expected ENV/FLAG, for example production/new-checkout, not "
                + switchOff);
        body.putObject("action")
            .put("type", "switch_off")
            .put("environment", switchOff.substring(0, slash))
            .put("flag", switchOff.substring(slash + 1));
        any = true;
      }
      if (pause) {
        body.putObject("action").put("type", "pause");
        any = true;
      }
      return any;
    }
  }

  @Command(
      name = "create",
      description = {
        "Create a check. Its first run is due at once, then every --interval-seconds; a"
            + " violation opens after --failures-to-open failed runs in a row.",
        "",
        "Example: rollgate health-checks create checkout-api --type http"
            + " --target-url https://checkout.example.com/health --body-contains ok"
            + " --interval-seconds 60 --switch-off production/new-checkout",
        "Example: rollgate health-checks create error-rate --type prometheus"
            + " --query 'sum(rate(http_errors_total[5m]))' --comparison '<' --threshold 0.05",
        "Example: rollgate health-checks create consumer-lag --type metric --metric consumer_lag"
            + " --environment production --comparison '<=' --threshold 1000",
        "Example: rollgate health-checks create audit-chain --type audit --interval-seconds 3600"
      })
  void create(
      @Parameters(
              paramLabel = "NAME",
              description = "Its name: a key (letters, digits, - and _), unique in the project.")
          String name,
      @Option(
              names = "--type",
              required = true,
              paramLabel = "TYPE",
              description = "http, prometheus, metric or audit.")
          String type,
      @Mixin Definition definition,
      @Mixin Comment comment) {
    ObjectNode body = object().put("name", name).put("type", type.toLowerCase(Locale.ROOT));
    definition.putSpec(body);
    definition.putRest(body);
    if (comment.text != null) {
      body.put("comment", comment.text);
    }
    JsonNode created = send("POST", checks(), body, comment.text).json();
    output.done(
        created,
        "created "
            + created.path("type").asText()
            + " health check "
            + name
            + " (id "
            + created.path("id").asText()
            + "), every "
            + created.path("intervalSeconds").asText()
            + " s");
  }

  @Command(
      name = "list",
      description = {
        "List the project's checks: type, what they look at, status (passing, failing or"
            + " unknown before the first run), last run, interval and open violation.",
        "",
        "Example: rollgate health-checks list"
      })
  void list() {
    output.print(
        api().get(checks()).json(),
        Table.rows(
            "items",
            column("ID", "id"),
            column("NAME", "name"),
            column("TYPE", "type"),
            column("TARGET", r -> Table.text(Api.JSON.getNodeFactory().textNode(target(r)))),
            column("STATUS", HealthChecksCommand::status),
            column("LAST RUN", "lastRunAt"),
            column("INTERVAL", r -> r.path("intervalSeconds").asText() + "s"),
            column("VIOLATION", "openViolation")));
  }

  @Command(
      name = "get",
      description = {
        "Show one check: its definition and where it stands.",
        "",
        "Example: rollgate health-checks get checkout-api"
      })
  void get(
      @Parameters(paramLabel = "CHECK", description = "The check's id or name.") String check) {
    output.print(api().get(checkPath(check)).json(), null);
  }

  @Command(
      name = "update",
      description = {
        "Change a check: the options given replace those settings, the rest stay. With --type"
            + " another type's settings replace the old type's. The write is checked against the"
            + " version read just before (or --if-version).",
        "",
        "Example: rollgate health-checks update checkout-api --interval-seconds 30"
            + " --failures-to-open 3",
        "Example: rollgate health-checks update checkout-api --no-action"
      })
  void update(
      @Parameters(paramLabel = "CHECK", description = "The check's id or name.") String check,
      @Option(
              names = "--name",
              paramLabel = "NAME",
              description = "A new name (default: unchanged).")
          String name,
      @Option(
              names = "--type",
              paramLabel = "TYPE",
              description =
                  "Another type, with its settings given as options (default: unchanged).")
          String type,
      @Option(
              names = "--no-action",
              description = "Take no action any more when a violation opens; only report it.")
          boolean noAction,
      @Mixin Definition definition,
      @Mixin Versioned change) {
    String path = checkPath(check);
    Api.Reply read = api().get(path);
    JsonNode current = read.json();
    ObjectNode body = object();
    for (String field : DEFINITION_FIELDS) {
      JsonNode value = current.path(field);
      if (!value.isMissingNode()
          && !value.isNull()
          && !(value.isTextual() && value.asText().isEmpty())) {
        body.set(field, value);
      }
    }
    boolean changingType = type != null && !type.equalsIgnoreCase(current.path("type").asText());
    body.put("type", type == null ? current.path("type").asText() : type.toLowerCase(Locale.ROOT));
    if (!changingType) {
      for (String field : TYPE_FIELDS) {
        JsonNode value = current.path(field);
        if (!value.isMissingNode() && !value.isNull()) {
          body.set(field, value);
        }
      }
    }
    require(
        !(noAction && (definition.switchOff != null || definition.pause)),
        "--no-action and --switch-off or --pause: give one of them");
    boolean specGiven = definition.putSpec(body);
    boolean restGiven = definition.putRest(body);
    boolean changed = specGiven || restGiven || changingType;
    if (name != null) {
      body.put("name", name);
      changed = true;
    }
    if (noAction) {
      body.remove("action");
      changed = true;
    }
    require(
        changed,
        "nothing to change: pass --name, --type, a type's settings, --interval-seconds,"
            + " --failures-to-open, --switch-off, --pause, --no-action or --description");
    if (change.text != null) {
      body.put("comment", change.text);
    }
    String version = change.ifVersion != null ? String.valueOf(change.ifVersion) : read.version();
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("If-Match", "\"" + version + "\"");
    if (change.text != null) {
      headers.put("X-Rollgate-Comment", Api.commentHeader(change.text));
    }
    JsonNode updated = api().send("PUT", path, body, headers).json();
    output.done(
        updated,
        "updated health check "
            + updated.path("name").asText()
            + " (version "
            + updated.path("version").asText()
            + ")");
  }

  @Command(
      name = "delete",
      description = {
        "Delete a check, with its results and violations.",
        "",
        "Example: rollgate health-checks delete checkout-api -m 'the service is retired'"
      })
  void delete(
      @Parameters(paramLabel = "CHECK", description = "The check's id or name.") String check,
      @Mixin Versioned change) {
    String path = checkPath(check);
    write("DELETE", path, null, change, path);
    output.done(object().put("deleted", check), "deleted health check " + check);
  }

  @Command(
      name = "run",
      description = {
        "Run a check now, whatever its schedule; the result counts as a scheduled run's (it may"
            + " open or resolve a violation). Exits 0 when the check passed, 1 when it failed.",
        "",
        "Example: rollgate health-checks run checkout-api"
      })
  int run(@Parameters(paramLabel = "CHECK", description = "The check's id or name.") String check) {
    JsonNode answer = send("POST", checkPath(check) + Api.path("run"), null, null).json();
    JsonNode result = answer.path("result");
    JsonNode after = answer.path("check");
    if (output.isTable()) {
      var out = output.out();
      out.println(
          after.path("name").asText()
              + ": "
              + (result.path("ok").asBoolean() ? "passed" : "FAILED")
              + ": "
              + result.path("message").asText()
              + " ("
              + result.path("durationMs").asText()
              + " ms)");
      if (after.path("openViolation").isTextual()) {
        out.println(
            "open violation: "
                + after.path("openViolation").asText()
                + " (rollgate health-checks violations --state open)");
      }
      out.flush();
    } else {
      output.print(answer, null);
    }
    return result.path("ok").asBoolean() ? ExitCodes.OK : ExitCodes.FAILED;
  }

  @Command(
      name = "results",
      description = {
        "A check's latest results, newest first.",
        "",
        "Example: rollgate health-checks results checkout-api --limit 10"
      })
  void results(
      @Parameters(paramLabel = "CHECK", description = "The check's id or name.") String check,
      @Option(
              names = "--limit",
              paramLabel = "N",
              defaultValue = "20",
              description = "At most N results (up to 500).")
          int limit) {
    output.print(
        api().get(Api.query(checkPath(check) + Api.path("results"), Map.of("limit", limit))).json(),
        Table.rows(
            "items",
            column("AT", "at"),
            column("RESULT", r -> r.path("ok").asBoolean() ? "passed" : "FAILED"),
            column("OBSERVED", "observed"),
            column("DURATION", r -> r.path("durationMs").asText() + " ms"),
            column("MESSAGE", "message")));
  }

  @Command(
      name = "violations",
      description = {
        "The project's violations, newest first: open ones until a run passes, then resolved,"
            + " with the failed run that opened them and the action taken.",
        "",
        "Example: rollgate health-checks violations --state open",
        "Example: rollgate health-checks violations --check checkout-api --limit 5"
      })
  void violations(
      @Option(
              names = "--state",
              paramLabel = "STATE",
              description = "Only open or resolved ones (default: both).")
          String state,
      @Option(
              names = "--check",
              paramLabel = "CHECK",
              description = "Only this check's (its id or name) (default: every check's).")
          String check,
      @Option(
              names = "--limit",
              paramLabel = "N",
              defaultValue = "100",
              description = "At most N violations (up to 1000).")
          int limit) {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("state", state == null ? null : state.toLowerCase(Locale.ROOT));
    query.put("check", check == null ? null : id(check));
    query.put("limit", limit);
    output.print(
        api()
            .get(
                Api.query(
                    Api.path("api", "v1", "projects", project(), "health", "violations"), query))
            .json(),
        Table.rows(
            "items",
            column("ID", "id"),
            column("CHECK", "checkName"),
            column("STATE", "state"),
            column("OPENED", "openedAt"),
            column("LAST FAILURE", "lastFailureAt"),
            column("FAILURES", "failures"),
            column("RESOLVED", "resolvedAt"),
            column("EVIDENCE", "evidence.message"),
            column("ACTION TAKEN", "actionTaken")));
  }

  private String checkPath(String check) {
    return checks() + Api.path(id(check));
  }

  /**
   * The id of the check {@code check} names: an id as it is, else the check of that name. The API
   * knows checks by id; people know them by name.
   */
  private String id(String check) {
    try {
      return api().get(checks() + Api.path(check)).json().path("id").asText();
    } catch (ApiFailure e) {
      if (e.status() != 404) {
        throw e;
      }
    }
    for (JsonNode c : api().get(checks()).json().path("items")) {
      if (c.path("name").asText().equals(check)) {
        return c.path("id").asText();
      }
    }
    throw new CliFailure(
        ExitCodes.NOT_FOUND, "no health check " + check + " in project " + project());
  }

  /** What a check looks at, in a few words. */
  static String target(JsonNode c) {
    return switch (c.path("type").asText()) {
      case "http" -> c.path("method").asText("GET") + " " + c.path("url").asText();
      case "prometheus" ->
          c.path("query").asText()
              + " "
              + c.path("comparison").asText()
              + " "
              + c.path("threshold").asText();
      case "metric" ->
          c.path("metric").asText()
              + " "
              + c.path("comparison").asText()
              + " "
              + c.path("threshold").asText()
              + " in "
              + c.path("environment").asText();
      case "audit" -> "the audit chain";
      default -> "-";
    };
  }

  /** The status, with the consecutive failures when it fails. */
  static String status(JsonNode c) {
    String status = c.path("status").asText("-");
    int failures = c.path("consecutiveFailures").asInt();
    return status.equals("failing") && failures > 0
        ? "failing (" + failures + " in a row)"
        : status;
  }
}

package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollgate rollouts}: progressive rollouts judged on the health SDKs report. */
@Command(
    name = "rollouts",
    description =
        "Progressive rollouts of a flag's variant: start, watch, pause, advance, promote, roll back.")
final class RolloutsCommand extends ProjectCommand {
  private static final Set<String> ENDED = Set.of("COMPLETED", "ROLLED_BACK", "ABORTED");

  private String rollout(String flag) {
    return Api.path(
        "api", "v1", "projects", project(), "environments", env(), "flags", flag, "rollout");
  }

  @Command(
      name = "start",
      description = {
        "Start a rollout of a variant (the treatment) against the flag's default (the control),"
            + " in stages (default 1, 10, 25, 50, 100%) judged every window.",
        "",
        "Example: rollgate rollouts start new-checkout --env production --treatment on --stages 5,25,100"
      })
  void start(
      @Parameters(paramLabel = "FLAG", description = "The flag rolled out.") String flag,
      @Option(
              names = "--treatment",
              required = true,
              paramLabel = "VARIANT",
              description = "The variant rolled out.")
          String treatment,
      @Option(
              names = "--stages",
              split = ",",
              paramLabel = "PERCENT",
              description =
                  "The stages' percentages, for example 5,25,100 (default: 1, 10, 25, 50, 100).")
          List<BigDecimal> stages,
      @Option(
              names = "--plan",
              paramLabel = "JSON",
              description =
                  "The whole plan (stages, checks, windowSeconds) as JSON (or @file) (default: the default plan).")
          String plan,
      @Mixin Comment comment) {
    require(stages == null || plan == null, "--stages and --plan: give one of them");
    ObjectNode body = object().put("treatment", treatment);
    if (plan != null) {
      body.set("plan", JsonArgs.object(plan, "--plan", connection.environment().stdin()));
    } else if (stages != null) {
      ArrayNode list = body.putObject("plan").putArray("stages");
      stages.forEach(p -> list.addObject().put("percent", p));
    }
    if (comment.text != null) {
      body.put("comment", comment.text);
    }
    JsonNode started = send("POST", rollout(flag), body, comment.text).json();
    output.done(
        started,
        "started rollout of " + flag + "=" + treatment + " in " + env() + ": " + summary(started));
  }

  @Command(
      name = "status",
      description = {
        "Show the flag's latest rollout: state, stage, percentage and the latest evidence."
            + " --watch redraws it until the rollout ends.",
        "",
        "Example: rollgate rollouts status new-checkout --env production --watch"
      })
  int status(
      @Parameters(paramLabel = "FLAG", description = "The flag rolled out.") String flag,
      @Option(
              names = {"-w", "--watch"},
              description = "Redraw until the rollout ends (Ctrl-C stops watching).")
          boolean watch,
      @Option(
              names = "--interval",
              paramLabel = "SECONDS",
              defaultValue = "2",
              description = "How often --watch reads it (default 2).")
          int interval)
      throws InterruptedException {
    String path = rollout(flag);
    JsonNode last = null;
    while (true) {
      JsonNode current = api().get(path).json();
      if (!watch) {
        print(current);
        return 0;
      }
      boolean redraw = last == null || !current.equals(last);
      if (redraw) {
        if (output.isTable()) {
          if (output.terminal()) {
            output.out().print("\033[H\033[2J"); // clear the screen, cursor home
          }
          print(current);
        } else {
          // One JSON document per line, so a program can follow it.
          output.out().println(current.toString());
          output.out().flush();
        }
      }
      last = current;
      if (ENDED.contains(current.path("state").asText())) {
        return 0;
      }
      Thread.sleep(Math.max(1, interval) * 1000L);
    }
  }

  private void print(JsonNode rollout) {
    if (!output.isTable()) {
      output.print(rollout, null);
      return;
    }
    var out = output.out();
    out.println(
        rollout.path("flag").asText()
            + " in "
            + rollout.path("environment").asText()
            + ": "
            + summary(rollout));
    out.println("reason: " + rollout.path("reason").asText("-"));
    JsonNode evidence = rollout.path("evidence");
    if (evidence.isObject()) {
      out.print(Table.fields(evidence));
    } else {
      out.println("evidence: none yet");
    }
    out.flush();
  }

  /** "RUNNING, stage 2 of 5 at 10% (for 45 s)" */
  static String summary(JsonNode r) {
    return r.path("state").asText()
        + ", stage "
        + (r.path("stage").asInt() + 1)
        + " of "
        + r.path("stages").asInt()
        + " at "
        + new BigDecimal(r.path("percent").asText("0")).stripTrailingZeros().toPlainString()
        + "% (for "
        + r.path("timeInStageSeconds").asLong()
        + " s), "
        + r.path("treatment").asText()
        + " against "
        + r.path("control").asText();
  }

  @Command(
      name = "history",
      description = {
        "Every transition of the latest rollout, with actor, reason and evidence.",
        "",
        "Example: rollgate rollouts history new-checkout --env production"
      })
  void history(@Parameters(paramLabel = "FLAG", description = "The flag rolled out.") String flag) {
    output.print(
        api().get(rollout(flag) + "/history").json(),
        Table.rows(
            "items",
            column("TIME", "time"),
            column("ACTION", "action"),
            column("FROM", "from"),
            column("TO", "to"),
            column("STAGE", r -> String.valueOf(r.path("stage").asInt() + 1)),
            column("PERCENT", "percent"),
            column("ACTOR", "actor"),
            column("REASON", "reason")));
  }

  @Command(
      name = "pause",
      description = {
        "Hold the rollout at its stage; judging goes on.",
        "",
        "Example: rollgate rollouts pause new-checkout --env production -m 'waiting for the release'"
      })
  void pause(
      @Parameters(paramLabel = "FLAG", description = "The flag rolled out.") String flag,
      @Mixin Versioned change) {
    act(flag, "pause", change);
  }

  @Command(
      name = "resume",
      description = {
        "Resume a paused rollout.",
        "",
        "Example: rollgate rollouts resume new-checkout --env production"
      })
  void resume(
      @Parameters(paramLabel = "FLAG", description = "The flag rolled out.") String flag,
      @Mixin Versioned change) {
    act(flag, "resume", change);
  }

  @Command(
      name = "advance",
      description = {
        "Go to the next stage now (also past an approval gate).",
        "",
        "Example: rollgate rollouts advance new-checkout --env production -m 'looks good'"
      })
  void advance(
      @Parameters(paramLabel = "FLAG", description = "The flag rolled out.") String flag,
      @Mixin Versioned change) {
    act(flag, "advance", change);
  }

  @Command(
      name = "promote",
      description = {
        "Serve the treatment to everyone now and complete the rollout.",
        "",
        "Example: rollgate rollouts promote new-checkout --env production"
      })
  void promote(
      @Parameters(paramLabel = "FLAG", description = "The flag rolled out.") String flag,
      @Mixin Versioned change) {
    act(flag, "promote", change);
  }

  @Command(
      name = "rollback",
      description = {
        "Serve the control to everyone again and end the rollout.",
        "",
        "Example: rollgate rollouts rollback new-checkout --env production -m 'INC-7'"
      })
  void rollback(
      @Parameters(paramLabel = "FLAG", description = "The flag rolled out.") String flag,
      @Mixin Versioned change) {
    act(flag, "rollback", change);
  }

  @Command(
      name = "abort",
      description = {
        "End the rollout where it is, without promoting or rolling back.",
        "",
        "Example: rollgate rollouts abort new-checkout --env production"
      })
  void abort(
      @Parameters(paramLabel = "FLAG", description = "The flag rolled out.") String flag,
      @Mixin Versioned change) {
    act(flag, "abort", change);
  }

  private void act(String flag, String action, Versioned change) {
    ObjectNode body = object();
    if (change.text != null) {
      body.put("comment", change.text);
    }
    String path = rollout(flag);
    JsonNode after = write("POST", path + "/" + action, body, change, path).json();
    output.done(after, action + ": " + flag + " in " + env() + " is " + summary(after));
  }
}

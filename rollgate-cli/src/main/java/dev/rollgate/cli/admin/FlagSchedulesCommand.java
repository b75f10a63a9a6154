package dev.rollgate.cli.admin;

import static dev.rollgate.cli.admin.AdminCommand.object;
import static dev.rollgate.cli.admin.AdminCommand.require;
import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import dev.rollgate.cli.common.UserInputException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code rollgate flags schedules}: changes of a flag that the server applies at a given time. */
@Command(
    name = "schedules",
    description = {
      "Scheduled changes of a flag in one environment: the leading replica applies each once at"
          + " its time, as the scheduler on behalf of whoever made it."
    })
final class FlagSchedulesCommand {
  private static final Pattern RELATIVE = Pattern.compile("\\+(\\d{1,6})([smhd])");

  @ParentCommand FlagsCommand flags;

  private String schedules(String key) {
    return flags.flagIn(key, flags.env()) + Api.path("schedules");
  }

  @Command(
      name = "list",
      description = {
        "List a flag's scheduled changes in one environment, by time.",
        "",
        "Example: rollgate flags schedules list search-v2 --env production --state PENDING"
      })
  void list(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Option(
              names = "--state",
              paramLabel = "STATE",
              description = "Only PENDING, APPLIED, FAILED or CANCELLED ones (default: all).")
          String state) {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("state", state);
    JsonNode answer = flags.api().get(Api.query(schedules(key), query)).json();
    flags.output.print(
        answer,
        Table.rows(
            "items",
            column("ID", "id"),
            column("AT", "at"),
            column("STATE", "state"),
            column("CHANGE", "change"),
            column("COMMENT", "comment"),
            column("REASON", "reason")));
  }

  @Command(
      name = "get",
      description = {
        "Show one scheduled change.",
        "",
        "Example: rollgate flags schedules get search-v2 3f2a... --env production"
      })
  void get(
      @Parameters(index = "0", paramLabel = "KEY", description = "The flag.") String key,
      @Parameters(index = "1", paramLabel = "ID", description = "The schedule.") String id) {
    flags.output.print(flags.api().get(schedules(key) + Api.path(id)).json(), null);
  }

  @Command(
      name = "create",
      description = {
        "Schedule a change: a state, a default variant and/or targeting (--state,"
            + " --default-variant, --targeting), new split weights (--weights) or a percentage"
            + " step (--percentage, --variant); or the API's change object (--change).",
        "",
        "Example: rollgate flags schedules create search-v2 --env production --at +2h"
            + " --percentage 50 -m 'CHG-88: after the morning peak'",
        "Example: rollgate flags schedules create search-v2 --env production"
            + " --at 2026-12-24T18:00:00Z --state DISABLED -m 'campaign ends'"
      })
  void create(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Option(
              names = "--at",
              required = true,
              paramLabel = "TIME",
              description =
                  "When: an ISO-8601 instant (2026-12-24T18:00:00Z) or from now (+45s, +30m, +2h,"
                      + " +1d).")
          String at,
      @Option(
              names = "--state",
              paramLabel = "STATE",
              description = "ENABLED or DISABLED (default: unchanged).")
          String state,
      @Option(
              names = "--default-variant",
              paramLabel = "VARIANT",
              description = "The new default variant (default: unchanged).")
          String defaultVariant,
      @Option(
              names = "--targeting",
              paramLabel = "JSON",
              description = "The new targeting, as JSON (or @file) (default: unchanged).")
          String targeting,
      @Option(
              names = "--weights",
              paramLabel = "JSON",
              description =
                  "New weights for the flag's split, as JSON ({\"on\": 25, \"off\": 75}) (default:"
                      + " unchanged).")
          String weights,
      @Option(
              names = "--percentage",
              paramLabel = "PERCENT",
              description =
                  "A percentage step: the variant gets this share, the default variant the rest"
                      + " (default: none).")
          BigDecimal percentage,
      @Option(
              names = "--variant",
              paramLabel = "VARIANT",
              description = "The variant the percentage gets (default: on).")
          String variant,
      @Option(
              names = "--change",
              paramLabel = "JSON",
              description =
                  "The change as the API takes it, as JSON (or @file) (default: from the options).")
          String change,
      @Mixin Comment comment) {
    ObjectNode what = object();
    var stdin = flags.connection.environment().stdin();
    if (state != null) {
      what.put("state", state.toUpperCase(Locale.ROOT));
    }
    if (defaultVariant != null) {
      what.put("defaultVariant", defaultVariant);
    }
    if (targeting != null) {
      what.set("targeting", JsonArgs.object(targeting, "--targeting", stdin));
    }
    if (weights != null) {
      what.set("weights", JsonArgs.object(weights, "--weights", stdin));
    }
    if (percentage != null) {
      what.put("percentage", percentage);
    }
    if (variant != null) {
      what.put("variant", variant);
    }
    require(
        change == null || what.isEmpty(),
        "--change and the change options: give the change one way");
    ObjectNode body = object().put("at", at(at, Instant.now()).toString());
    body.set("change", change != null ? JsonArgs.object(change, "--change", stdin) : what);
    require(
        !body.path("change").isEmpty(),
        "what should change? pass --state, --default-variant, --targeting, --weights,"
            + " --percentage or --change");
    if (comment.text != null) {
      body.put("comment", comment.text);
    }
    JsonNode created = flags.send("POST", schedules(key), body, comment.text).json();
    flags.output.done(
        created,
        "scheduled "
            + created.path("change")
            + " for "
            + key
            + " in "
            + flags.env()
            + " at "
            + created.path("at").asText()
            + " (id "
            + created.path("id").asText()
            + ")");
  }

  @Command(
      name = "cancel",
      description = {
        "Cancel a pending scheduled change.",
        "",
        "Example: rollgate flags schedules cancel search-v2 3f2a... --env production -m 'the"
            + " campaign runs on'"
      })
  void cancel(
      @Parameters(index = "0", paramLabel = "KEY", description = "The flag.") String key,
      @Parameters(index = "1", paramLabel = "ID", description = "The schedule.") String id,
      @Mixin Versioned change) {
    String path = schedules(key) + Api.path(id);
    JsonNode cancelled = flags.write("DELETE", path, null, change, path).json();
    flags.output.done(cancelled, "cancelled schedule " + id + " of " + key);
  }

  /** An ISO-8601 instant, or {@code +N} seconds, minutes, hours or days from {@code now}. */
  static Instant at(String text, Instant now) {
    Matcher relative = RELATIVE.matcher(text.trim());
    if (relative.matches()) {
      long n = Long.parseLong(relative.group(1));
      Duration step =
          switch (relative.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      return now.plus(step).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    }
    try {
      return Instant.parse(text.trim());
    } catch (DateTimeParseException e) {
      throw new UserInputException(
          "--at: expected an ISO-8601 instant such as 2026-12-24T18:00:00Z or +30m, +2h, +1d,"
              + " not "
              + text);
    }
  }
}

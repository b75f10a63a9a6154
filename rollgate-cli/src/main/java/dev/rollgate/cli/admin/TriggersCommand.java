package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rollgate triggers}: secret URLs that an alerting system calls to switch a flag off (or on)
 * in one environment.
 */
@Command(
    name = "triggers",
    description = {
      "Flag triggers: secret URLs that an alerting system (Prometheus Alertmanager, or anything"
          + " that can POST) calls to switch a flag off or on in one environment. Create (the URL"
          + " is shown once), list, revoke (editor)."
    })
final class TriggersCommand extends ProjectCommand {

  private String triggers(String flag) {
    return Api.path("api", "v1", "projects", project(), "environments", env(), "flags", flag)
        + Api.path("triggers");
  }

  @Command(
      name = "create",
      description = {
        "Create a trigger on a flag in one environment. Its URL, which holds its secret, is shown"
            + " once, here: POST to it (no token) to perform the action.",
        "",
        "Example: rollgate triggers create new-checkout --env production --name high-error-rate"
            + " --action switch_off -m 'INC-88: kill switch for Alertmanager'"
      })
  void create(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Option(
              names = "--name",
              required = true,
              paramLabel = "NAME",
              description =
                  "Its name, unique among the flag's triggers in the environment; its calls are"
                      + " audited as trigger:NAME.")
          String name,
      @Option(
              names = "--action",
              paramLabel = "ACTION",
              defaultValue = "switch_off",
              description = "switch_off or switch_on.")
          String action,
      @Option(
              names = "--on-resolved",
              paramLabel = "WHAT",
              description =
                  "What an Alertmanager 'resolved' notification does: ignore, or the opposite"
                      + " action (default: ignore).")
          String onResolved,
      @Option(
              names = "--description",
              paramLabel = "TEXT",
              description = "What it is for (default: none).")
          String description,
      @Mixin Comment comment) {
    ObjectNode body =
        object().put("name", name).put("action", action.toLowerCase(Locale.ROOT).replace('-', '_'));
    if (onResolved != null) {
      body.put("onResolved", onResolved.toLowerCase(Locale.ROOT).replace('-', '_'));
    }
    if (description != null) {
      body.put("description", description);
    }
    ObjectNode created = (ObjectNode) send("POST", triggers(key), body, comment.text).json();
    String base = api().base().toString();
    created.put(
        "url",
        (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
            + created.path("url").asText());
    output.secretOnce(
        created,
        "created trigger "
            + created.path("id").asText()
            + " ("
            + name
            + "): "
            + created.path("action").asText()
            + " "
            + key
            + " in "
            + env()
            + " when its URL is called",
        "url");
  }

  @Command(
      name = "list",
      description = {
        "List a flag's triggers in one environment, without their secrets.",
        "",
        "Example: rollgate triggers list new-checkout --env production"
      })
  void list(
      @Parameters(paramLabel = "KEY", description = "The flag.") String key,
      @Option(names = "--revoked", description = "Revoked ones too (default: active only).")
          boolean revoked) {
    JsonNode answer =
        api().get(Api.query(triggers(key), Map.of("revoked", revoked ? "true" : "false"))).json();
    output.print(
        answer,
        Table.rows(
            "items",
            column("ID", "id"),
            column("NAME", "name"),
            column("ACTION", "action"),
            column("ON RESOLVED", "onResolved"),
            column("CALLS", "calls"),
            column("LAST RESULT", "lastResult"),
            column("LAST CALLED", "lastCalledAt"),
            column("REVOKED", "revoked")));
  }

  @Command(
      name = "revoke",
      description = {
        "Revoke a trigger: its URL answers 404 from now on.",
        "",
        "Example: rollgate triggers revoke new-checkout 3f2a... --env production -m 'alert retired'"
      })
  void revoke(
      @Parameters(index = "0", paramLabel = "KEY", description = "The flag.") String key,
      @Parameters(index = "1", paramLabel = "ID", description = "The trigger's id.") String id,
      @Mixin Comment comment) {
    JsonNode revoked = send("DELETE", triggers(key) + Api.path(id), null, comment.text).json();
    output.done(revoked, "revoked trigger " + id + " of " + key + " in " + env());
  }
}

package dev.rollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Connection;
import dev.rollgate.cli.client.Output;
import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Mixin;

/**
 * A noun of the admin client ({@code flags}, {@code tokens}, ...): its verbs are methods, and the
 * connection and output options are inherited by every one of them.
 */
abstract class AdminCommand {
  @Mixin Connection connection;
  @Mixin Output output;

  private Api api;

  Api api() {
    if (api == null) {
      api = connection.api();
    }
    return api;
  }

  static ObjectNode object() {
    return Api.JSON.createObjectNode();
  }

  /**
   * A conditional write: reads the resource's version first and sends it as If-Match, so a change
   * made by someone else in between is a conflict (exit 3) rather than silently overwritten; {@code
   * --force} (where the server allows it) writes without the check, and a {@link FlagChange} may
   * ask for a dry run.
   */
  Api.Reply write(String method, String path, JsonNode body, Versioned change, String readPath) {
    boolean force = change instanceof Change c && c.force;
    require(!(force && change.ifVersion != null), "--force and --if-version: give one of them");
    Map<String, String> headers = new LinkedHashMap<>();
    if (change.text != null) {
      headers.put("X-Rollgate-Comment", Api.commentHeader(change.text));
    }
    if (!force) {
      String version = change.ifVersion != null ? String.valueOf(change.ifVersion) : null;
      if (version == null) {
        version = api().get(readPath).version();
      }
      if (version == null) {
        throw new CliFailure(
            ExitCodes.UNREACHABLE,
            "the server gave no version (ETag) for "
                + readPath
                + ", so the change cannot be checked; pass --force to write without the check");
      }
      headers.put("If-Match", "\"" + version + "\"");
    }
    boolean dryRun = change instanceof FlagChange flag && flag.dryRun;
    String target = dryRun ? Api.query(path, Map.of("dryRun", "true")) : path;
    return api().send(method, target, body, headers);
  }

  /** A write that has no version to check (starting a rollout, creating): only the comment. */
  Api.Reply send(String method, String path, JsonNode body, String comment) {
    Map<String, String> headers =
        comment == null ? Map.of() : Map.of("X-Rollgate-Comment", Api.commentHeader(comment));
    return api().send(method, path, body, headers);
  }

  static void require(boolean condition, String message) {
    if (!condition) {
      throw new UserInputException(message);
    }
  }
}

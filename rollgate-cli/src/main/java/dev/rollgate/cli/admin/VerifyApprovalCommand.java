package dev.rollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import dev.rollgate.server.releases.ApprovalKey;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rollgate verify-approval}: checks release approvals offline, with the server's public key
 * and nothing else: no server, no token.
 */
@Command(
    name = "verify-approval",
    description = {
      "Check release approvals' Ed25519 signatures offline: the approvals as the API answers them"
          + " (one approval, a release with its approvals, or approvals/verify's answer) against the"
          + " public key (GET /api/v1/keys/approvals). Exits 0 when every one verifies, 1 when"
          + " one does not.",
      "",
      "Example: rollgate verify-approval --public-key @approvals-key.json --approvals @release.json"
    })
final class VerifyApprovalCommand extends AdminCommand
    implements java.util.concurrent.Callable<Integer> {
  @Option(
      names = "--public-key",
      required = true,
      paramLabel = "KEY",
      description =
          "The public key: base64 X.509, or GET /api/v1/keys/approvals's JSON (inline, @file or -).")
  String publicKey;

  @Option(
      names = "--approvals",
      required = true,
      paramLabel = "JSON",
      description = "The approvals (inline, @file or - for standard input).")
  String approvals;

  @Override
  public Integer call() {
    var stdin = connection.environment().stdin();
    String key = publicKey.strip();
    if (key.startsWith("{") || key.startsWith("@") || key.equals("-")) {
      JsonNode json = JsonArgs.value(key, "--public-key", stdin);
      key = json.isTextual() ? json.asText() : json.path("publicKey").asText("");
    }
    if (key.isEmpty()) {
      throw new UserInputException("--public-key: no publicKey in it");
    }
    if (!ApprovalKey.readable(key)) {
      throw new UserInputException(
          "--public-key: not an Ed25519 public key (X.509, base64) such as GET /api/v1/keys/approvals serves");
    }
    List<JsonNode> items = approvalsOf(JsonArgs.value(approvals, "--approvals", stdin));
    if (items.isEmpty()) {
      throw new UserInputException("--approvals: holds no approval");
    }
    ArrayNode results = Api.JSON.createArrayNode();
    boolean valid = true;
    for (JsonNode a : items) {
      String signed =
          ApprovalKey.signedText(
              a.path("releaseId").asText(),
              a.path("version").asText(),
              a.path("phase").asText(),
              a.path("approver").asText(),
              a.path("at").asText());
      boolean ok = ApprovalKey.verify(key, signed, a.path("signature").asText());
      valid &= ok;
      ObjectNode r = results.addObject();
      r.put("approver", a.path("approver").asText());
      r.put("at", a.path("at").asText());
      r.put("releaseId", a.path("releaseId").asText());
      r.put("valid", ok);
    }
    ObjectNode answer = Api.JSON.createObjectNode();
    answer.put("valid", valid);
    answer.set("approvals", results);
    output.print(
        answer,
        dev.rollgate.cli.client.Table.rows(
            "approvals",
            dev.rollgate.cli.client.Table.column("RELEASE", "releaseId"),
            dev.rollgate.cli.client.Table.column("APPROVER", "approver"),
            dev.rollgate.cli.client.Table.column("AT", "at"),
            dev.rollgate.cli.client.Table.column("VALID", "valid")));
    return valid ? ExitCodes.OK : ExitCodes.FAILED;
  }

  /** The approvals in what the API answers: one, a release's, or a list of them. */
  private static List<JsonNode> approvalsOf(JsonNode json) {
    List<JsonNode> out = new ArrayList<>();
    if (json.isArray()) {
      json.forEach(out::add);
    } else if (json.path("approvals").isArray()) {
      json.path("approvals").forEach(out::add);
    } else if (json.has("signature")) {
      out.add(json);
    }
    return out;
  }
}

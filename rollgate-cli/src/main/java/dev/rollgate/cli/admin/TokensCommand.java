package dev.rollgate.cli.admin;

import static dev.rollgate.cli.client.Table.column;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rollgate tokens}: API tokens with roles (admin). */
@Command(name = "tokens", description = "API tokens: create, list and revoke (admin).")
final class TokensCommand extends AdminCommand {
  private static final String TOKENS = Api.path("api", "v1", "tokens");

  @Command(
      name = "create",
      description = {
        "Create a token. Its secret is shown once, here: store it now.",
        "Roles: admin, editor, viewer, or sdk (bound to one --project and --env, for services).",
        "",
        "Example: rollgate tokens create checkout-service --role sdk --project default --env production"
      })
  void create(
      @Parameters(paramLabel = "NAME", description = "A unique name, for the audit trail.")
          String name,
      @Option(
              names = "--role",
              required = true,
              paramLabel = "ROLE",
              description = "admin, editor, viewer or sdk.")
          String role,
      @Option(
              names = {"-p", "--project"},
              paramLabel = "PROJECT",
              description =
                  "The project an sdk token reads (default: ROLLGATE_PROJECT, the profile's, or default).")
          String project,
      @Option(
              names = {"-e", "--env"},
              paramLabel = "ENV",
              description = "The environment an sdk token reads (required for sdk; default: none).")
          String env) {
    ObjectNode body = object().put("name", name).put("role", role);
    if (project != null || "sdk".equals(role)) {
      body.put("project", connection.project(project));
    }
    if (env != null) {
      body.put("environment", env);
    }
    JsonNode created = api().send("POST", TOKENS, body, java.util.Map.of()).json();
    output.secretOnce(
        created,
        "created token "
            + created.path("name").asText()
            + " ("
            + created.path("id").asText()
            + "), role "
            + role,
        "secret");
  }

  @Command(
      name = "list",
      description = {
        "List the tokens, without their secrets.",
        "",
        "Example: rollgate tokens list"
      })
  void list(@Option(names = "--revoked", description = "Include revoked tokens.") boolean revoked) {
    JsonNode answer = api().get(TOKENS).json();
    if (!revoked && answer.path("items").isArray()) {
      ObjectNode kept = object();
      kept.putArray("items").addAll(filter(answer.path("items")));
      answer = kept;
    }
    output.print(
        answer,
        Table.rows(
            "items",
            column("ID", "id"),
            column("NAME", "name"),
            column("ROLE", "role"),
            column(
                "SCOPE",
                r ->
                    r.has("project")
                        ? r.path("project").asText() + "/" + r.path("environment").asText("*")
                        : "-"),
            column("CREATED", "createdAt"),
            column("EXPIRES", "expiresAt"),
            column("REVOKED", "revoked")));
  }

  private static java.util.List<JsonNode> filter(JsonNode items) {
    java.util.List<JsonNode> active = new java.util.ArrayList<>();
    items.forEach(t -> {
      if (!t.path("revoked").asBoolean()) {
        active.add(t);
      }
    });
    return active;
  }

  @Command(
      name = "revoke",
      description = {
        "Revoke a token: it stops working at once, its open streams end.",
        "",
        "Example: rollgate tokens revoke 5f0c...e1"
      })
  void revoke(
      @Parameters(paramLabel = "ID", description = "The token's id (rollgate tokens list).")
          String id) {
    api().send("DELETE", TOKENS + Api.path(id), null, java.util.Map.of());
    output.done(object().put("revoked", id), "revoked token " + id);
  }
}

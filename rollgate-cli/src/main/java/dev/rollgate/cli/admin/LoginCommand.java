package dev.rollgate.cli.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollgate.cli.client.Api;
import dev.rollgate.cli.client.Connection;
import dev.rollgate.cli.client.Output;
import dev.rollgate.cli.client.Profiles;
import dev.rollgate.cli.common.CliEnvironment;
import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.UserInputException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rollgate login}: checks a token against a server and saves both as a profile, or first
 * exchanges an OpenID Connect identity token (a CI job's) for a short-lived Rollgate token.
 */
@Command(
    name = "login",
    description = {
      "Save a server and a token as a profile in config.toml (written 0600), after checking them"
          + " against the server. The token is never printed.",
      "With --oidc-token, --oidc-token-file or --github-actions, an identity token is exchanged"
          + " for a short-lived Rollgate token (POST /api/v1/auth/oidc) that is saved instead.",
      "",
      "Example: rollgate login --url https://flags.example.com --token \"$ROLLGATE_TOKEN\"",
      "Example: rollgate login --url https://flags.example.com --github-actions --profile ci"
    })
final class LoginCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Output output;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "The server (default: ROLLGATE_URL, else " + Connection.DEFAULT_URL + ").")
  String url;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      defaultValue = "default",
      description = "The profile to write (default: default).")
  String profile;

  @Option(
      names = {"-p", "--project"},
      paramLabel = "PROJECT",
      description = "A project to save as the profile's default.")
  String project;

  @Option(
      names = {"-e", "--env"},
      paramLabel = "ENV",
      description = "An environment to save as the profile's default.")
  String env;

  @Option(
      names = "--audience",
      paramLabel = "AUDIENCE",
      defaultValue = "rollgate",
      description = "The audience to ask GitHub's OIDC provider for (default: rollgate).")
  String audience;

  @ArgGroup(exclusive = true)
  Credential credential = new Credential();

  static final class Credential {
    @Option(
        names = "--token",
        paramLabel = "TOKEN",
        description = "The token (default: ROLLGATE_TOKEN).")
    String token;

    @Option(names = "--token-stdin", description = "Read the token from standard input.")
    boolean tokenStdin;

    @Option(
        names = "--oidc-token",
        paramLabel = "JWT",
        description = "An OpenID Connect identity token to exchange (default: none).")
    String oidcToken;

    @Option(
        names = "--oidc-token-file",
        paramLabel = "FILE",
        description = "A file holding the identity token (default: none).")
    Path oidcTokenFile;

    @Option(
        names = "--github-actions",
        description =
            "Ask the GitHub Actions job's OIDC provider for an identity token (needs permissions: id-token: write).")
    boolean githubActions;
  }

  @Override
  public Integer call() {
    CliEnvironment environment = CliEnvironment.of(spec);
    Profiles.checkName(profile);
    String server = url != null ? url : environment.variable("ROLLGATE_URL");
    URI base = Connection.baseUri(server == null ? Connection.DEFAULT_URL : server);
    Api anonymous = new Api(base, null, Duration.ofSeconds(30));
    String identity = identityToken(environment);
    String token;
    JsonNode exchanged = null;
    if (identity != null) {
      exchanged =
          anonymous
              .sendAnonymous(
                  "POST",
                  Api.path("api", "v1", "auth", "oidc"),
                  Api.JSON.createObjectNode().put("token", identity))
              .json();
      token = exchanged.path("token").asText(null);
      if (token == null) {
        throw new CliFailure(
            ExitCodes.UNAUTHORISED, "the server answered the exchange without a token");
      }
    } else {
      token =
          credential.token != null
              ? credential.token
              : credential.tokenStdin
                  ? JsonArgs.read(null, "--token-stdin", environment.stdin()).strip()
                  : environment.variable("ROLLGATE_TOKEN");
      if (token == null || token.isBlank()) {
        throw new UserInputException(
            "which token? pass --token, --token-stdin, ROLLGATE_TOKEN, or an OIDC option");
      }
    }
    // A request every admin, editor and viewer token may make: a wrong or sdk token fails here.
    new Api(base, token, Duration.ofSeconds(30)).get(Api.path("api", "v1", "projects"));
    Profiles profiles = Profiles.read(environment.configFile());
    profiles.put(
        profile,
        new Profiles.Profile(base.toString().replaceFirst("/$", ""), token, project, env),
        false);
    profiles.save();
    ObjectNode answer =
        Api.JSON
            .createObjectNode()
            .put("profile", profile)
            .put("url", base.toString().replaceFirst("/$", ""))
            .put("config", profiles.file().toString());
    answer.put("default", profile.equals(profiles.defaultName()));
    if (exchanged != null) {
      for (String field :
          new String[] {"id", "role", "project", "environment", "expiresAt", "rule"}) {
        if (exchanged.hasNonNull(field)) {
          answer.set(field, exchanged.get(field));
        }
      }
    }
    output.done(
        answer,
        "logged in to "
            + answer.path("url").asText()
            + " as profile "
            + profile
            + (exchanged == null
                ? ""
                : " ("
                    + exchanged.path("role").asText()
                    + scope(exchanged)
                    + ", until "
                    + exchanged.path("expiresAt").asText()
                    + ")")
            + "; saved in "
            + profiles.file());
    return ExitCodes.OK;
  }

  private static String scope(JsonNode exchanged) {
    String project = exchanged.path("project").asText(null);
    String environment = exchanged.path("environment").asText(null);
    return project == null ? "" : " on " + project + (environment == null ? "" : "/" + environment);
  }

  /** The identity token to exchange, or null for a plain token login. */
  private String identityToken(CliEnvironment environment) {
    if (credential.oidcToken != null) {
      return credential.oidcToken.strip();
    }
    if (credential.oidcTokenFile != null) {
      return JsonArgs.read(credential.oidcTokenFile, "--oidc-token-file", environment.stdin())
          .strip();
    }
    if (!credential.githubActions) {
      return null;
    }
    // GitHub's documented way for a job to get its identity token: a GET of the request URL
    // with the request token, asking for our audience; the answer is {"value": "<JWT>"}.
    String requestUrl = environment.variable("ACTIONS_ID_TOKEN_REQUEST_URL");
    String requestToken = environment.variable("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    if (requestUrl == null || requestToken == null) {
      throw new UserInputException(
          "--github-actions: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set; give the job 'permissions: id-token: write'");
    }
    URI uri;
    try {
      uri =
          URI.create(
              requestUrl
                  + (requestUrl.contains("?") ? "&" : "?")
                  + "audience="
                  + java.net.URLEncoder.encode(audience, java.nio.charset.StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new UserInputException("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL");
    }
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw new UserInputException("ACTIONS_ID_TOKEN_REQUEST_URL is not an http(s) URL");
    }
    JsonNode answer =
        new Api(uri, null, Duration.ofSeconds(30))
            .getAbsolute(uri, Map.of("Authorization", "Bearer " + requestToken));
    String value = answer.path("value").asText(null);
    if (value == null) {
      throw new CliFailure(
          ExitCodes.UNAUTHORISED, "GitHub's OIDC provider answered without a token");
    }
    return value;
  }
}

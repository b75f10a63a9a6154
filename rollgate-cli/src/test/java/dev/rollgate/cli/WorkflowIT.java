package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The example GitHub workflows (examples/github), read as GitHub reads them and their run steps
 * executed as a runner would (bash -eo pipefail, GITHUB_PATH, GITHUB_STEP_SUMMARY), with the
 * packaged CLI in place of the install step and an identity provider of this test's standing in for
 * GitHub's: its tokens are signed by a key the server is told to trust.
 */
class WorkflowIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path JAR = ROOT.resolve("rollgate-cli/target/rollgate.jar");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ISSUER = "https://token.actions.githubusercontent.com";
  private static final String REQUEST_TOKEN = "runner-request-token";
  private static final Pattern EXPRESSION = Pattern.compile("\\$\\{\\{\\s*(.*?)\\s*}}");

  @TempDir Path dir;
  private TestServer server;
  private HttpServer provider;
  private RSAKey key;
  private final Map<String, String> claims = new LinkedHashMap<>();

  record Step(String name, int code, String output) {}

  static JsonNode workflow(String name) throws IOException {
    return YAML.readTree(ROOT.resolve("examples/github").resolve(name).toFile());
  }

  @Test
  void theWorkflowsAreWhatDocsCiMdSays() throws IOException {
    JsonNode manage = workflow("manage-feature-flags.yml");
    JsonNode inputs = manage.path("on").path("workflow_dispatch").path("inputs");
    assertThat(names(inputs))
        .containsExactly("action", "environment", "flag", "percentage", "comment");
    List<String> actions = new ArrayList<>();
    inputs.path("action").path("options").forEach(o -> actions.add(o.asText()));
    assertThat(actions)
        .containsExactly(
            "list",
            "enable",
            "disable",
            "set-rollout",
            "advance",
            "rollback",
            "health",
            "metrics",
            "experiment-results");
    assertThat(manage.path("permissions").path("id-token").asText()).isEqualTo("write");
    JsonNode steps = manage.path("jobs").path("manage").path("steps");
    assertThat(steps.toString())
        .contains("actions/upload-artifact")
        .contains("GITHUB_STEP_SUMMARY")
        .contains("rollgate login --github-actions");

    JsonNode golden = workflow("flag-golden-tests.yml");
    assertThat(golden.path("on").path("pull_request").path("paths").get(0).asText())
        .isEqualTo("flags/**");
    assertThat(golden.path("jobs").path("golden-tests").path("steps").toString())
        .contains("rollgate test-flags");

    // No script pastes an expression into itself: inputs arrive as variables (no injection).
    for (JsonNode workflow : List.of(manage, golden)) {
      workflow
          .path("jobs")
          .forEach(job ->
              job.path("steps")
                  .forEach(step ->
                      assertThat(step.path("run").asText())
                          .as(step.path("name").asText())
                          .doesNotContain("${{")));
    }
  }

  @ParameterizedTest
  @EnumSource(StoreKind.class)
  void everyActionOfTheManageWorkflowRunsWithTheJobsIdentity(StoreKind store) throws Exception {
    start(store);
    ApiClient admin = server.admin();
    String p = "/api/v1/projects/default";
    created(
        admin.post(
            p + "/flags",
            Map.of(
                "key",
                "new-checkout",
                "variants",
                Map.of("on", true, "off", false),
                "defaultVariant",
                "off",
                "environments",
                Map.of("production", Map.of("state", "ENABLED")))));
    created(
        admin.post(
            p + "/flags",
            Map.of(
                "key",
                "banner",
                "variants",
                Map.of("a", "Hello", "b", "Hi"),
                "defaultVariant",
                "a",
                "environments",
                Map.of("production", Map.of("state", "ENABLED")))));
    created(
        admin.post(
            p + "/metrics", Map.of("key", "purchase", "kind", "conversion", "event", "purchase")));
    created(
        admin.post(
            p + "/environments/production/experiments",
            Map.of(
                "key",
                "banner-test",
                "flag",
                "banner",
                "variants",
                Map.of("a", 1, "b", 1),
                "primaryMetric",
                "purchase")));
    assertThat(
            admin
                .post(p + "/environments/production/experiments/banner-test/start", Map.of())
                .status())
        .isEqualTo(200);

    Run list = manage("list", "production", "", "", "");
    assertThat(list.result().path("items").toString()).contains("new-checkout");
    assertThat(list.summary())
        .contains("### Rollgate: list in default/production")
        .contains("| new-checkout | ENABLED |");

    Run off = manage("disable", "production", "new-checkout", "", "INC-1234 checkout errors");
    assertThat(off.result().path("state").asText()).isEqualTo("DISABLED");
    assertThat(off.summary()).contains("| state | DISABLED |");
    assertThat(admin.get("/api/v1/audit?resource=projects/default/flags/new-checkout").text())
        .contains("INC-1234 checkout errors")
        .contains("oidc:ci"); // the actor is the exchanged token
    assertThat(
            manage("enable", "production", "new-checkout", "", "").result().path("state").asText())
        .isEqualTo("ENABLED");

    Run rollout = manage("set-rollout", "production", "new-checkout", "25", "ramp");
    assertThat(rollout.result().path("targeting").toString())
        .isEqualTo("{\"fractional\":[[\"on\",1],[\"off\",3]]}");

    created(
        admin.post(
            p + "/environments/production/flags/new-checkout/rollout", Map.of("treatment", "on")));
    assertThat(
            manage("advance", "production", "new-checkout", "", "")
                .result()
                .path("percent")
                .asDouble())
        .isEqualTo(10.0);
    assertThat(
            manage("rollback", "production", "new-checkout", "", "INC-7")
                .result()
                .path("state")
                .asText())
        .isEqualTo("ROLLED_BACK");

    assertThat(manage("health", "production", "", "", "").result().path("ready").asBoolean())
        .isTrue();
    assertThat(manage("metrics", "production", "", "", "").result().path("requests").asLong())
        .isPositive();
    Run results = manage("experiment-results", "production", "banner-test", "", "");
    assertThat(results.result().path("decision").path("decision").asText())
        .isEqualTo("keep_running");

    // The trust rule gives this repository production only: staging is refused (exit 5), and
    // the summary says there is no result.
    Run refused = manage("disable", "staging", "new-checkout", "", "");
    assertThat(refused.action().code()).isEqualTo(5);
    assertThat(refused.action().output()).contains("403");
    assertThat(refused.summary()).contains("No result");
    assertThat(manage("enable", "production", "", "", "").action().code())
        .as("no flag")
        .isEqualTo(2);

    // Another repository matches no rule: the login step fails and nothing runs after it.
    claims.put("repository", "evil/fork");
    Run stranger = manage("list", "production", "", "", "");
    assertThat(stranger.steps().get(0).code()).isEqualTo(5);
    assertThat(stranger.steps().get(0).output()).contains("401").doesNotContain("eyJ");
  }

  @Test
  void theGoldenTestWorkflowPassesAndFails() throws Exception {
    JsonNode job = workflow("flag-golden-tests.yml").path("jobs").path("golden-tests");
    Path workspace = Files.createDirectories(dir.resolve("golden"));
    Files.createDirectories(workspace.resolve("flags"));
    Files.copy(ROOT.resolve("examples/flags.json"), workspace.resolve("flags/production.json"));
    Files.copy(ROOT.resolve("examples/cases.jsonl"), workspace.resolve("flags/cases.jsonl"));
    Map<String, String> inputs = Map.of();
    List<Step> passing = runJob(job, workspace, inputs, Map.of());
    assertThat(passing).extracting(Step::code).containsOnly(0);
    assertThat(passing.get(passing.size() - 1).output()).contains("6 passed, 0 failed");

    // A change that breaks a case (new-checkout switched off) fails the check with exit 1.
    String flags = Files.readString(workspace.resolve("flags/production.json"));
    Files.writeString(
        workspace.resolve("flags/production.json"),
        flags.replaceFirst("\"state\": \"ENABLED\"", "\"state\": \"DISABLED\""));
    List<Step> failing = runJob(job, workspace, inputs, Map.of());
    assertThat(failing.get(failing.size() - 1).code()).isEqualTo(1);
    assertThat(failing.get(failing.size() - 1).output()).contains("FAIL");
  }

  // ---- a runner, as far as these workflows need one

  record Run(List<Step> steps, JsonNode result, String summary) {
    Step action() {
      return steps.stream()
          .filter(s -> s.name().equals("Run the action"))
          .findFirst()
          .orElseThrow();
    }
  }

  private Run manage(
      String action, String environment, String flag, String percentage, String comment)
      throws Exception {
    JsonNode job = workflow("manage-feature-flags.yml").path("jobs").path("manage");
    Path workspace = Files.createTempDirectory(dir, action);
    Map<String, String> inputs =
        Map.of(
            "action",
            action,
            "environment",
            environment,
            "flag",
            flag,
            "percentage",
            percentage,
            "comment",
            comment);
    Map<String, String> vars = Map.of("ROLLGATE_URL", server.admin().base());
    List<Step> steps = runJob(job, workspace, inputs, vars);
    Path result = workspace.resolve("result.json");
    JsonNode json =
        Files.exists(result) && Files.size(result) > 0
            ? JSON.readTree(result.toFile())
            : JSON.missingNode();
    return new Run(steps, json, Files.readString(workspace.resolve("summary.md")));
  }

  /** Runs the job's run steps in order; after a failure only those marked if: always(). */
  private List<Step> runJob(
      JsonNode job, Path workspace, Map<String, String> inputs, Map<String, String> vars)
      throws Exception {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path shim = bin.resolve("rollgate");
    if (!Files.exists(shim)) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Files.writeString(shim, "#!/bin/sh\nexec '" + java + "' -jar '" + JAR + "' \"$@\"\n");
      Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Files.writeString(workspace.resolve("summary.md"), "");
    Map<String, String> env = new HashMap<>();
    job.path("env")
        .properties()
        .forEach(e -> env.put(e.getKey(), resolve(e.getValue().asText(), inputs, vars)));
    List<Step> ran = new ArrayList<>();
    boolean failed = false;
    for (JsonNode step : job.path("steps")) {
      if (!step.has("run") || step.path("id").asText().equals("install")) {
        continue; // actions (checkout, setup-java, upload) and the install: the shim stands in
      }
      if (failed && !step.path("if").asText().contains("always()")) {
        continue;
      }
      Map<String, String> stepEnv = new HashMap<>(env);
      step.path("env")
          .properties()
          .forEach(e -> stepEnv.put(e.getKey(), resolve(e.getValue().asText(), inputs, vars)));
      Step done =
          runStep(step.path("name").asText(), step.path("run").asText(), workspace, stepEnv);
      ran.add(done);
      failed |= done.code() != 0;
    }
    return ran;
  }

  private Step runStep(String name, String script, Path workspace, Map<String, String> stepEnv)
      throws Exception {
    Path file = Files.writeString(Files.createTempFile(dir, "step", ".sh"), script);
    ProcessBuilder builder =
        new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", file.toString())
            .directory(workspace.toFile())
            .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(k -> k.startsWith("ROLLGATE_") || k.startsWith("ACTIONS_"));
    env.putAll(stepEnv);
    env.put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
    env.put("RUNNER_TEMP", dir.toString());
    env.put("GITHUB_PATH", dir.resolve("github_path").toString());
    env.put("GITHUB_STEP_SUMMARY", workspace.resolve("summary.md").toString());
    env.put("XDG_CONFIG_HOME", workspace.resolve("config").toString());
    if (provider != null) {
      env.put(
          "ACTIONS_ID_TOKEN_REQUEST_URL",
          "http://127.0.0.1:" + provider.getAddress().getPort() + "/token?api-version=2.0");
      env.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN);
    }
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).as(name).isTrue();
    return new Step(name, process.exitValue(), output);
  }

  /** GitHub's expressions as these workflows use them: inputs.x, vars.X, 'literal', and ||. */
  static String resolve(String value, Map<String, String> inputs, Map<String, String> vars) {
    Matcher m = EXPRESSION.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String result = "";
      for (String term : m.group(1).split("\\|\\|", -1)) {
        String t = term.strip();
        String v =
            t.startsWith("inputs.")
                ? inputs.getOrDefault(t.substring(7), "")
                : t.startsWith("vars.")
                    ? vars.getOrDefault(t.substring(5), "")
                    : t.startsWith("'") && t.endsWith("'") ? t.substring(1, t.length() - 1) : "";
        if (!v.isEmpty()) {
          result = v;
          break;
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(result));
    }
    m.appendTail(out);
    return out.toString();
  }

  // ---- the server, told to trust this test's identity provider

  private void start(StoreKind store) throws Exception {
    key = new RSAKeyGenerator(2048).keyID("test-key").generate();
    Path jwks =
        Files.writeString(dir.resolve("jwks.json"), new JWKSet(key.toPublicJWK()).toString());
    Map<String, Object> trust =
        Map.of(
            "issuers",
            List.of(
                Map.of(
                    "issuer",
                    ISSUER,
                    "jwksFile",
                    jwks.toString(),
                    "audience",
                    "rollgate",
                    "rules",
                    List.of(
                        Map.of(
                            "name", "ci",
                            "claims", Map.of("repository", "acme/shop", "ref", "refs/heads/main"),
                            "role", "editor",
                            "project", "default",
                            "environment", "production")))));
    Path config = dir.resolve("oidc.json");
    JSON.writeValue(config.toFile(), trust);
    server = TestServer.start(store, Map.of("ROLLGATE_OIDC_CONFIG", config.toString()));
    claims.put("repository", "acme/shop");
    claims.put("ref", "refs/heads/main");
    provider =
        HttpServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    provider.createContext(
        "/token",
        exchange -> {
          String query = exchange.getRequestURI().getQuery();
          boolean authorised =
              ("Bearer " + REQUEST_TOKEN)
                  .equals(exchange.getRequestHeaders().getFirst("Authorization"));
          String audience =
              query == null
                  ? null
                  : Pattern.compile("(?:^|&)audience=([^&]*)")
                      .matcher(query)
                      .results()
                      .map(r -> r.group(1))
                      .findFirst()
                      .orElse(null);
          byte[] body;
          int status;
          if (!authorised || audience == null || !query.contains("api-version=2.0")) {
            status = 401;
            body = "{}".getBytes(StandardCharsets.UTF_8);
          } else {
            status = 200;
            body = ("{\"value\": \"" + sign(audience) + "\"}").getBytes(StandardCharsets.UTF_8);
          }
          exchange.sendResponseHeaders(status, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    provider.start();
  }

  private String sign(String audience) {
    try {
      Instant now = Instant.now();
      JWTClaimsSet.Builder set =
          new JWTClaimsSet.Builder()
              .issuer(ISSUER)
              .audience(audience)
              .subject("repo:" + claims.get("repository") + ":ref:" + claims.get("ref"))
              .issueTime(Date.from(now))
              .notBeforeTime(Date.from(now.minusSeconds(5)))
              .expirationTime(Date.from(now.plusSeconds(300)));
      claims.forEach(set::claim);
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(JWSAlgorithm.RS256)
                  .keyID(key.getKeyID())
                  .type(JOSEObjectType.JWT)
                  .build(),
              set.build());
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (com.nimbusds.jose.JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void created(ApiClient.Response r) {
    assertThat(r.status()).as(r.text()).isEqualTo(201);
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.properties().forEach(e -> names.add(e.getKey()));
    return names;
  }

  @AfterEach
  void stop() {
    if (provider != null) {
      provider.stop(0);
    }
    if (server != null) {
      server.close();
    }
  }
}

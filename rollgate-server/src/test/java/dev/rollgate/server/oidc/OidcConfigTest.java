package dev.rollgate.server.oidc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import dev.rollgate.server.ServerConfig;
import dev.rollgate.server.domain.Role;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trust file {@code ROLLGATE_OIDC_CONFIG} names: read when the configuration is (so a bad one
 * stops the start before anything opens), each problem one line that names the file, the place in
 * it and what is wrong; and how rules match claims.
 */
class OidcConfigTest {
  @TempDir Path dir;

  private static final String GOOD_ISSUER =
      """
      {"issuer": "https://token.actions.githubusercontent.com",
       "jwksUrl": "https://token.actions.githubusercontent.com/.well-known/jwks",
       "audience": "rollgate",
       "rules": [%s]}\
      """;

  private static final String GOOD_RULE =
      """
      {"name": "shop-main", "claims": {"repository": "acme/shop", "ref": "refs/heads/main"},
       "role": "editor", "project": "default", "environment": "production"}\
      """;

  private Path write(String name, String text) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, text);
    return file;
  }

  private ServerConfig start(Path file) {
    return ServerConfig.fromEnvironment(Map.of("ROLLGATE_OIDC_CONFIG", file.toString()));
  }

  /** The one line a start with this file stops with. */
  private String problem(String text) throws Exception {
    Path file = write("oidc.json", text);
    try {
      start(file);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("ROLLGATE_OIDC_CONFIG (" + file + "): ");
      assertThat(e.getMessage()).doesNotContain("\n");
      return e.getMessage().substring(("ROLLGATE_OIDC_CONFIG (" + file + "): ").length());
    }
    throw new AssertionError("the file was accepted: " + text);
  }

  private static String withRule(String rule) {
    return "{\"issuers\": [" + GOOD_ISSUER.formatted(rule) + "]}";
  }

  @Test
  void aGoodFileIsReadWithItsDefaults() throws Exception {
    assertThat(ServerConfig.fromEnvironment(Map.of()).oidc()).isNull();
    OidcTrust trust = start(write("oidc.json", withRule(GOOD_RULE))).oidc();
    assertThat(trust.issuers()).hasSize(1);
    OidcTrust.Issuer issuer = trust.issuer("https://token.actions.githubusercontent.com");
    assertThat(issuer.audience()).isEqualTo("rollgate");
    assertThat(issuer.jwksUrl()).hasHost("token.actions.githubusercontent.com");
    OidcTrust.Rule rule = issuer.rules().getFirst();
    assertThat(rule.role()).isEqualTo(Role.EDITOR);
    assertThat(rule.ttlMinutes()).isEqualTo(15);
    assertThat(rule.claims())
        .containsEntry("repository", List.of("acme/shop"))
        .containsEntry("ref", List.of("refs/heads/main"));
    assertThat(trust.issuer("https://token.actions.githubusercontent.com/")).isNull();
  }

  @Test
  void aStaticKeyFileIsReadBesideTheTrustFile() throws Exception {
    var key = new ECKeyGenerator(Curve.P_256).keyID("k").generate();
    write("keys.json", new JWKSet(key).toString(false)); // private half too: only the public kept
    String issuer =
        """
        {"issuers": [{"issuer": "https://ci.example", "jwksFile": "keys.json", "audience": "a",
          "rules": [{"name": "r", "claims": {"sub": "x"}, "role": "viewer"}]}]}\
        """;
    OidcTrust trust = start(write("oidc.json", issuer)).oidc();
    JWKSet keys = trust.issuers().getFirst().staticKeys();
    assertThat(keys.getKeys()).hasSize(1);
    assertThat(keys.getKeys().getFirst().isPrivate()).isFalse();

    write("keys.json", "{\"keys\": 3}");
    assertThat(problem(issuer)).startsWith("issuers[0].jwksFile: ").contains("is not a JWK set");
    Files.delete(dir.resolve("keys.json"));
    assertThat(problem(issuer)).startsWith("issuers[0].jwksFile: cannot read ");
  }

  @Test
  void aBadFileStopsTheStartWithOneLineNamingTheProblem() throws Exception {
    assertThatThrownBy(() -> start(dir.resolve("missing.json")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ROLLGATE_OIDC_CONFIG (" + dir.resolve("missing.json") + "): no such file");
    assertThat(problem("{\"issuers\": [")).startsWith("invalid JSON at line 1");
    assertThat(problem("[]")).isEqualTo("the file: must be a JSON object, not an array");
    assertThat(problem("{\"issuers\": []}")).isEqualTo("issuers: must list at least one");
    assertThat(problem("{\"issuer\": []}")).startsWith("issuer: unknown field");
    assertThat(
            problem(
                "{\"issuers\": [{\"issuer\": \"https://i\", \"audience\": \"a\", \"rules\": ["
                    + GOOD_RULE
                    + "]}]}"))
        .isEqualTo("issuers[0]: give exactly one of jwksUrl and jwksFile");
    assertThat(
            problem(
                "{\"issuers\": [{\"issuer\": \"https://i\", \"jwksUrl\": \"https://i/k\","
                    + " \"jwksFile\": \"k.json\", \"audience\": \"a\", \"rules\": ["
                    + GOOD_RULE
                    + "]}]}"))
        .isEqualTo("issuers[0]: give exactly one of jwksUrl and jwksFile");
    assertThat(
            problem(
                "{\"issuers\": [{\"issuer\": \"https://i\", \"jwksUrl\": \"http://i.example/k\","
                    + " \"audience\": \"a\", \"rules\": ["
                    + GOOD_RULE
                    + "]}]}"))
        .isEqualTo(
            "issuers[0].jwksUrl: must be https (plain http is accepted only to this machine)");
    assertThat(
            problem(
                "{\"issuers\": [{\"issuer\": \"https://i\", \"jwksUrl\": \"https://i/k\","
                    + " \"rules\": ["
                    + GOOD_RULE
                    + "]}]}"))
        .isEqualTo("issuers[0].audience: is required");
    assertThat(
            problem(
                "{\"issuers\": ["
                    + GOOD_ISSUER.formatted(GOOD_RULE)
                    + ", "
                    + GOOD_ISSUER.formatted(GOOD_RULE.replace("shop-main", "other"))
                    + "]}"))
        .isEqualTo(
            "issuers[1].issuer: 'https://token.actions.githubusercontent.com' is listed twice");
  }

  @Test
  void rulesAreChecked() throws Exception {
    assertThat(problem(withRule(GOOD_RULE + ", " + GOOD_RULE)))
        .isEqualTo("issuers[0].rules[1].name: 'shop-main' is used twice (rule names are unique)");
    assertThat(problem(withRule(GOOD_RULE.replace("\"shop-main\"", "\"shop main\""))))
        .startsWith("issuers[0].rules[0].name: must be 1-64 letters");
    assertThat(problem(withRule(GOOD_RULE.replace("\"editor\"", "\"sdk\""))))
        .isEqualTo(
            "issuers[0].rules[0].role: must be admin, editor, viewer or approver, not 'sdk'");
    assertThat(problem(withRule(GOOD_RULE.replace("\"editor\"", "\"admin\""))))
        .isEqualTo(
            "issuers[0].rules[0].project: an admin token cannot be scoped; leave project and"
                + " environment out");
    assertThat(problem(withRule(GOOD_RULE.replace("\"project\": \"default\", ", ""))))
        .isEqualTo("issuers[0].rules[0].environment: needs a project");
    assertThat(
            problem(
                withRule(GOOD_RULE.replace("production\"}", "production\", \"ttlMinutes\": 0}"))))
        .isEqualTo("issuers[0].rules[0].ttlMinutes: must be a whole number from 1 to 1440");
    assertThat(
            problem(
                withRule(
                    GOOD_RULE.replace("production\"}", "production\", \"ttlMinutes\": 1441}"))))
        .isEqualTo("issuers[0].rules[0].ttlMinutes: must be a whole number from 1 to 1440");
    assertThat(problem(withRule(GOOD_RULE.replace("production\"}", "production\", \"ttl\": 5}"))))
        .startsWith("issuers[0].rules[0].ttl: unknown field");
    String claims = "{\"repository\": \"acme/shop\", \"ref\": \"refs/heads/main\"}";
    assertThat(problem(withRule(GOOD_RULE.replace(claims, "{}"))))
        .isEqualTo("issuers[0].rules[0].claims: must be an object naming at least one claim");
    assertThat(problem(withRule(GOOD_RULE.replace(claims, "{\"repository\": \"*\"}"))))
        .isEqualTo(
            "issuers[0].rules[0].claims: pin at least one claim to something narrower than '*'"
                + " (such as repository)");
    assertThat(problem(withRule(GOOD_RULE.replace(claims, "{\"repository\": 3}"))))
        .isEqualTo(
            "issuers[0].rules[0].claims.repository: must be a string or a non-empty list of"
                + " strings");
    assertThat(problem(withRule(GOOD_RULE.replace(claims, "{\"repository\": [\"a\", 3]}"))))
        .isEqualTo("issuers[0].rules[0].claims.repository[1]: must be a string");
  }

  @Test
  void claimPatternsAreExactOrGlobs() {
    assertThat(Glob.matches("acme/shop", "acme/shop")).isTrue();
    assertThat(Glob.matches("acme/shop", "acme/shop2")).isFalse();
    assertThat(Glob.matches("acme/shop", "ACME/shop")).isFalse();
    assertThat(Glob.matches("refs/heads/release/*", "refs/heads/release/1.2")).isTrue();
    assertThat(Glob.matches("refs/heads/release/*", "refs/heads/release/1/hotfix")).isTrue();
    assertThat(Glob.matches("refs/heads/release/*", "refs/heads/release/")).isTrue();
    assertThat(Glob.matches("refs/heads/release/*", "refs/heads/releases")).isFalse();
    assertThat(Glob.matches("refs/heads/release/*", "x/refs/heads/release/1")).isFalse();
    assertThat(Glob.matches("acme/*-web", "acme/shop-web")).isTrue();
    assertThat(Glob.matches("acme/*-web", "acme/shop-web-old")).isFalse();
    assertThat(Glob.matches("*a*a*a*a*b", "a".repeat(5_000))).isFalse(); // and quickly
    assertThat(Glob.matches("a.c", "abc")).isFalse(); // no other character is special

    OidcTrust.Rule rule =
        new OidcTrust.Rule(
            "r",
            Map.of("repository", List.of("acme/a", "acme/b-*"), "ref", List.of("refs/heads/main")),
            Role.VIEWER,
            null,
            null,
            15);
    assertThat(rule.match(Map.of("repository", "acme/b-1", "ref", "refs/heads/main", "x", 1)))
        .isEqualTo(Map.of("repository", "acme/b-1", "ref", "refs/heads/main"));
    assertThat(rule.match(Map.of("repository", "acme/c", "ref", "refs/heads/main"))).isNull();
    assertThat(rule.match(Map.of("repository", "acme/a"))).isNull(); // a missing claim
    assertThat(rule.match(Map.of("repository", List.of("acme/a"), "ref", "refs/heads/main")))
        .isNull(); // not a string
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.JwksServer;
import dev.rollgate.server.testing.MutableClock;
import dev.rollgate.server.testing.TestFlags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The OIDC token exchange over a real socket, on both stores: an issuer's JWKS endpoint served by
 * the test (and a second issuer with a static key file), RS256 and ES256 identity tokens signed by
 * the test, and the server on a clock the test moves.
 */
class OidcExchangeTest extends ServerTestBase {
  static final String GITHUB = "https://token.actions.githubusercontent.com";
  static final String LOCAL = "https://issuer.example/local";
  static final long T0 = 1_800_000_000_000L;
  static final String PRODUCTION = P + "/flags/new-checkout/environments/production";
  static final String STAGING = P + "/flags/new-checkout/environments/staging";

  private static RSAKey rsa;
  private static ECKey ec;
  private static RSAKey rotated; // published by the issuer only later
  private static RSAKey impostor; // claims rsa's key id, but is not rsa
  private static ECKey fileKey; // the static issuer's

  private final MutableClock clock = new MutableClock(T0);
  private JwksServer jwks;
  private Path configDir;

  @BeforeAll
  static void keys() throws JOSEException {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    rotated = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    impostor = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    fileKey = new ECKeyGenerator(Curve.P_256).keyID("file-1").generate();
  }

  @Override
  Clock clock() {
    return clock;
  }

  /** Starts the issuer's JWKS endpoint and writes the trust file the server starts with. */
  @Override
  Map<String, String> environment() {
    jwks = JwksServer.start(rsa, ec);
    try {
      configDir = Files.createTempDirectory("rollgate-oidc");
      Files.writeString(configDir.resolve("local-keys.json"), new JWKSet(fileKey).toString(true));
      Map<String, Object> config =
          Map.of(
              "issuers",
              List.of(
                  Map.of(
                      "issuer",
                      GITHUB,
                      "jwksUrl",
                      jwks.url(),
                      "audience",
                      "rollgate",
                      "rules",
                      List.of(
                          Map.of(
                              "name", "shop-main",
                              "claims", Map.of("repository", "acme/shop", "ref", "refs/heads/main"),
                              "role", "editor",
                              "project", "default",
                              "environment", "production"),
                          Map.of(
                              "name", "shop-release",
                              "claims",
                                  Map.of(
                                      "repository",
                                      List.of("acme/shop", "acme/shop-*"),
                                      "ref",
                                      "refs/heads/release/*"),
                              "role", "viewer",
                              "project", "default",
                              "ttlMinutes", 5),
                          Map.of(
                              "name",
                              "ops",
                              "claims",
                              Map.of("repository_owner", "acme", "workflow", "ops"),
                              "role",
                              "admin",
                              "ttlMinutes",
                              10),
                          Map.of(
                              "name", "ghost",
                              "claims", Map.of("repository", "acme/ghost"),
                              "role", "editor",
                              "project", "nowhere"))),
                  Map.of(
                      "issuer",
                      LOCAL,
                      "jwksFile",
                      "local-keys.json",
                      "audience",
                      "rollgate-local",
                      "rules",
                      List.of(
                          Map.of(
                              "name", "local",
                              "claims", Map.of("sub", "deployer"),
                              "role", "viewer")))));
      Path file = configDir.resolve("oidc.json");
      Files.writeString(file, Json.write(config));
      return Map.of("ROLLGATE_OIDC_CONFIG", file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterEach
  void stopIssuer() throws IOException {
    if (jwks != null) {
      jwks.close();
    }
    if (configDir != null) {
      try (var files = Files.walk(configDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // --- tokens as GitHub Actions would make them ---

  /** A job's identity token: acme/shop on main, valid from 10 s before T0 for 5 minutes. */
  private static JWTClaimsSet.Builder claims() {
    return claims(Instant.ofEpochMilli(T0));
  }

  /** The same, issued at {@code now}. */
  private static JWTClaimsSet.Builder claims(Instant now) {
    return new JWTClaimsSet.Builder()
        .issuer(GITHUB)
        .audience("rollgate")
        .subject("repo:acme/shop:ref:refs/heads/main")
        .jwtID(UUID.randomUUID().toString())
        .issueTime(Date.from(now.minusSeconds(10)))
        .notBeforeTime(Date.from(now.minusSeconds(10)))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))))
        .claim("repository", "acme/shop")
        .claim("repository_owner", "acme")
        .claim("ref", "refs/heads/main")
        .claim("workflow", "deploy")
        .claim("environment", "production");
  }

  private static String sign(JWK key, JWTClaimsSet claims) {
    try {
      JWSAlgorithm algorithm = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
      JWSSigner signer =
          key instanceof ECKey e ? new ECDSASigner(e) : new RSASSASigner((RSAKey) key);
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(algorithm)
                  .keyID(key.getKeyID())
                  .type(JOSEObjectType.JWT)
                  .build(),
              claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String token(JWK key, Consumer<JWTClaimsSet.Builder> change) {
    JWTClaimsSet.Builder b = claims();
    change.accept(b);
    return sign(key, b.build());
  }

  private static String token() {
    return token(rsa, b -> {});
  }

  private ApiClient.Response exchange(String jwt) {
    return admin.withToken(null).post("/api/v1/auth/oidc", Map.of("token", jwt));
  }

  /** Exchanges a token that must be accepted; the answer. */
  private Map<String, Object> exchanged(String jwt) {
    ApiClient.Response r = exchange(jwt);
    assertThat(r.status()).as(r.toString()).isEqualTo(201);
    return r.object();
  }

  /** Exchanges a token that must be refused for {@code reason}; the answer's message. */
  private String refused(String jwt, String reason) {
    ApiClient.Response r = exchange(jwt);
    assertThat(r.status()).as(r.toString()).isEqualTo(401);
    assertThat(r.object()).containsEntry("code", "oidc_refused");
    assertThat(r.object().get("details")).isEqualTo(List.of(Map.of("reason", reason)));
    assertThat(r.text()).doesNotContain(jwt);
    return (String) r.object().get("message");
  }

  private static Map<String, Object> off() {
    return Map.of("state", "DISABLED");
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> items(ApiClient.Response r) {
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return (List<Map<String, Object>>) r.object().get("items");
  }

  // --- the tests ---

  @Test
  void aValidTokenBecomesAShortLivedTokenConfinedToItsScope() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    String jwt = token();
    Map<String, Object> answer = exchanged(jwt);
    assertThat(answer)
        .containsEntry("role", "editor")
        .containsEntry("project", "default")
        .containsEntry("environment", "production")
        .containsEntry("issuer", GITHUB)
        .containsEntry("subject", "repo:acme/shop:ref:refs/heads/main")
        .containsEntry("rule", "shop-main")
        .containsEntry(
            "expiresAt", Instant.ofEpochMilli(T0).plus(Duration.ofMinutes(15)).toString());
    assertThat((String) answer.get("name")).matches("oidc:shop-main:[0-9a-f]{8}");
    String secret = (String) answer.get("token");
    assertThat(secret).startsWith("rgt_");
    ApiClient ci = admin.withToken(secret);

    // Its project and environment: read anywhere there, change only production.
    assertThat(ci.get(TestFlags.FLAGS).status()).isEqualTo(200);
    assertThat(ci.get(STAGING).status()).isEqualTo(200);
    assertThat(ci.get("/api/v1/projects").status()).isEqualTo(200);
    assertThat(ci.get("/api/v1/status").status()).isEqualTo(200);
    ApiClient.Response kill =
        ci.send("PATCH", PRODUCTION, off(), "X-Rollgate-Comment", "INC-1 from CI");
    assertThat(kill.status()).as(kill.toString()).isEqualTo(200);
    assertThat(kill.object()).containsEntry("state", "DISABLED");
    // However the path is spelled.
    assertThat(ci.patch(P + "/flags/new-checkout/environments/st%61ging", off()).status())
        .isEqualTo(403);
    assertThat(ci.get("/api/v1/projects/%64efault/flags").status()).isEqualTo(200);
    ApiClient.Response staging = ci.patch(STAGING, off());
    assertThat(staging.status()).as(staging.toString()).isEqualTo(403);
    assertThat(staging.object()).containsEntry("code", "forbidden");
    assertThat((String) staging.object().get("message"))
        .contains("scoped to project default, environment production");
    // Nothing outside: tokens, audit, webhooks, another project, the whole flag, the web UI.
    for (String path : List.of("/api/v1/tokens", "/api/v1/audit", "/api/v1/webhooks")) {
      ApiClient.Response r = ci.get(path);
      assertThat(r.status()).as(path + " " + r).isEqualTo(403);
      assertThat((String) r.object().get("message")).contains("scoped to project default");
    }
    assertThat(admin.post("/api/v1/projects", Map.of("key", "other")).status()).isEqualTo(201);
    assertThat(ci.get("/api/v1/projects/other/flags").status()).isEqualTo(403);
    assertThat(ci.patch(P + "/flags/new-checkout", Map.of("name", "x")).status()).isEqualTo(403);
    ApiClient.Response signIn =
        admin.withToken(null).post("/api/v1/session", Map.of("token", secret));
    assertThat(signIn.status()).as(signIn.toString()).isEqualTo(403);

    // Admins see it in the list, with its scope and expiry.
    assertThat(items(admin.get("/api/v1/tokens")))
        .anySatisfy(t ->
            assertThat(t)
                .containsEntry("id", answer.get("id"))
                .containsEntry("name", answer.get("name"))
                .containsEntry("project", "default")
                .containsEntry("environment", "production")
                .containsEntry("expiresAt", answer.get("expiresAt"))
                .containsEntry("revoked", false));

    // The trail: the exchange, with the claims that matched, and the change made with the token.
    ApiClient.Response trail = admin.get("/api/v1/audit");
    assertThat(trail.text()).doesNotContain(jwt).doesNotContain(secret);
    List<Map<String, Object>> events = items(trail);
    Map<String, Object> exchange =
        events.stream()
            .filter(e -> "token.exchange".equals(e.get("action")))
            .findFirst()
            .orElseThrow();
    assertThat(exchange)
        .containsEntry("actorId", answer.get("id"))
        .containsEntry("actor", answer.get("name"))
        .containsEntry("resource", "tokens/" + answer.get("id"));
    @SuppressWarnings("unchecked")
    Map<String, Object> after = (Map<String, Object>) exchange.get("after");
    assertThat(after.get("origin"))
        .isEqualTo(
            Map.of(
                "kind", "oidc",
                "issuer", GITHUB,
                "subject", "repo:acme/shop:ref:refs/heads/main",
                "rule", "shop-main",
                "claims", Map.of("repository", "acme/shop", "ref", "refs/heads/main")));
    @SuppressWarnings("unchecked")
    Map<String, Object> recorded = (Map<String, Object>) after.get("token");
    assertThat(recorded)
        .containsEntry("role", "editor")
        .containsEntry("project", "default")
        .containsEntry("environment", "production")
        .containsEntry("expiresAt", answer.get("expiresAt"));
    assertThat(events)
        .anySatisfy(e ->
            assertThat(e)
                .containsEntry("action", "flag.disable")
                .containsEntry("actorId", answer.get("id"))
                .containsEntry("comment", "INC-1 from CI"));
    assertThat(admin.get("/api/v1/audit/verify").object()).containsEntry("valid", true);
  }

  @Test
  void es256TokensGlobsAndListsOfPatternsAndUnscopedRules() {
    assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
    Map<String, Object> release =
        exchanged(
            token(
                ec,
                b ->
                    b.claim("repository", "acme/shop-web")
                        .claim("ref", "refs/heads/release/2.1/hotfix")));
    assertThat(release)
        .containsEntry("rule", "shop-release")
        .containsEntry("role", "viewer")
        .containsEntry("project", "default")
        .containsEntry("environment", null)
        .containsEntry(
            "expiresAt", Instant.ofEpochMilli(T0).plus(Duration.ofMinutes(5)).toString());
    ApiClient viewer = admin.withToken((String) release.get("token"));
    assertThat(viewer.get(PRODUCTION).status()).isEqualTo(200);
    ApiClient.Response write = viewer.patch(PRODUCTION, off());
    assertThat(write.status()).isEqualTo(403); // its role, within its scope
    assertThat((String) write.object().get("message")).contains("cannot change anything");

    // The first matching rule wins; an admin rule gives an unscoped admin token.
    Map<String, Object> ops = exchanged(token(ec, b -> b.claim("workflow", "ops")));
    assertThat(ops.get("rule")).isEqualTo("shop-main"); // acme/shop on main comes first
    Map<String, Object> opsOnly =
        exchanged(token(ec, b -> b.claim("workflow", "ops").claim("repository", "acme/tools")));
    assertThat(opsOnly)
        .containsEntry("rule", "ops")
        .containsEntry("role", "admin")
        .containsEntry("project", null);
    assertThat(admin.withToken((String) opsOnly.get("token")).get("/api/v1/tokens").status())
        .isEqualTo(200);
  }

  @Test
  void aStaticKeyFileServesItsIssuer() {
    String jwt =
        token(fileKey, b -> b.issuer(LOCAL).audience("rollgate-local").subject("deployer"));
    Map<String, Object> answer = exchanged(jwt);
    assertThat(answer).containsEntry("rule", "local").containsEntry("issuer", LOCAL);
    // Keys are the issuer's own: GitHub's keys do not sign for it, nor its for GitHub.
    refused(
        token(rsa, b -> b.issuer(LOCAL).audience("rollgate-local").subject("deployer")),
        "unknown_key");
    refused(token(fileKey, b -> {}), "unknown_key");
  }

  @Test
  void tokensOutsideTheirTimeForAnotherAudienceOrFromAnotherIssuerAreRefused() {
    Instant now = Instant.ofEpochMilli(T0);
    assertThat(
            refused(token(rsa, b -> b.expirationTime(Date.from(now.minusSeconds(61)))), "expired"))
        .contains("expired at " + now.minusSeconds(61));
    // Within the clock skew an expired token still passes.
    exchanged(token(rsa, b -> b.expirationTime(Date.from(now.minusSeconds(30)))));
    assertThat(
            refused(
                token(rsa, b -> b.notBeforeTime(Date.from(now.plusSeconds(120)))), "not_yet_valid"))
        .contains("not valid before " + now.plusSeconds(120));
    assertThat(refused(token(rsa, b -> b.audience("someone-else")), "wrong_audience"))
        .contains("'someone-else'", "'rollgate'");
    assertThat(refused(token(rsa, b -> b.issuer("https://evil.example")), "unknown_issuer"))
        .contains("'https://evil.example' is not trusted");
    refused(token(rsa, b -> b.subject(null)), "missing_claim");
    refused(token(rsa, b -> b.expirationTime(null)), "missing_claim");
  }

  @Test
  void claimsThatMatchNoRuleAreRefused() {
    assertThat(
            refused(
                token(
                    rsa,
                    b ->
                        b.claim("ref", "refs/heads/feature")
                            .subject("repo:acme/shop:ref:refs/heads/feature")),
                "no_rule"))
        .contains("no rule of issuer '" + GITHUB + "'", "repo:acme/shop:ref:refs/heads/feature");
    refused(token(rsa, b -> b.claim("repository", null)), "no_rule"); // missing claim
    refused(
        token(rsa, b -> b.claim("repository", List.of("acme/shop"))), "no_rule"); // not a string
    refused(token(rsa, b -> b.claim("repository", "acme/shopping")), "no_rule"); // exact
    refused(
        token(
            rsa,
            b -> b.claim("repository", "evil/acme/shop-x").claim("ref", "refs/heads/release/1")),
        "no_rule");
  }

  @Test
  void badSignaturesAndMalformedTokensAreRefused() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
    try {
      String forged = sign(impostor, claims().build());
      assertThat(refused(forged, "bad_signature")).contains("does not verify");
      // A good token whose claims were changed after signing.
      String good = token();
      String header = good.substring(0, good.indexOf('.'));
      String signature = good.substring(good.lastIndexOf('.') + 1);
      String changed =
          header
              + "."
              + Base64URL.encode(
                  claims().claim("repository", "acme/shop").subject("repo:evil").build().toString())
              + "."
              + signature;
      refused(changed, "bad_signature");
      refused("not-a-jwt", "malformed");
      refused(new PlainJWT(claims().build()).serialize(), "malformed");
      SignedJWT hmac = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
      hmac.sign(new MACSigner("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
      assertThat(refused(hmac.serialize(), "unsupported_algorithm")).contains("HS256");
      refused("x".repeat(9_000), "malformed");
      assertThat(exchange("x".repeat(20_000)).status()).isEqualTo(400); // over any body string
      ApiClient.Response noToken = admin.withToken(null).post("/api/v1/auth/oidc", Map.of());
      assertThat(noToken.status()).isEqualTo(400);
      assertThat(noToken.object()).containsEntry("code", "invalid_field");

      // Each refusal is one line that says why, and no line holds a token.
      List<String> lines = logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      assertThat(lines)
          .filteredOn(l -> l.startsWith("oidc: refused"))
          .hasSizeGreaterThanOrEqualTo(6)
          .allSatisfy(l -> assertThat(l).doesNotContain("\n"))
          .anySatisfy(l -> assertThat(l).contains("signature does not verify", "(bad_signature)"));
      for (String jwt : List.of(forged, changed, hmac.serialize())) {
        String tail = jwt.substring(jwt.lastIndexOf('.') + 1);
        assertThat(lines).noneSatisfy(l -> assertThat(l).contains(tail));
      }
    } finally {
      root.detachAppender(logs);
    }
  }

  @Test
  void anUnknownKeyIsFetchedAgainOnceTheIssuerPublishesIt() {
    exchanged(token()); // the keys are fetched once
    assertThat(jwks.fetches()).isEqualTo(1);
    String jwt = token(rotated, b -> {});
    assertThat(refused(jwt, "unknown_key")).contains("no key 'rsa-2'");
    jwks.publish(rsa, ec, rotated);
    assertThat(jwks.fetches()).isEqualTo(1); // fetched at T0: not again within 30 s
    refused(jwt, "unknown_key");
    clock.advance(Duration.ofSeconds(31).toMillis());
    assertThat(exchanged(jwt)).containsEntry("rule", "shop-main");
    assertThat(jwks.fetches()).isEqualTo(2);
    // Known keys are served from the cache.
    exchanged(token(ec, b -> {}));
    assertThat(jwks.fetches()).isEqualTo(2);
  }

  @Test
  void anUnreachableIssuerIsUnavailableUntilItsKeysWereFetchedOnce() {
    jwks.close();
    ApiClient.Response r = exchange(token());
    assertThat(r.status()).as(r.toString()).isEqualTo(503);
    assertThat(r.object()).containsEntry("code", "oidc_keys_unavailable");
  }

  @Test
  void keysFetchedBeforeAreKeptWhileTheIssuerIsDown() {
    exchanged(token());
    jwks.close();
    clock.advance(Duration.ofMinutes(11).toMillis()); // the keys are due to be fetched again
    Instant later = clock.instant();
    exchanged(sign(ec, claims(later).build()));
    exchanged(sign(rsa, claims(later).build()));
  }

  @Test
  void aTokenReplayedAfterItsExpiryIsRefused() {
    String jwt = token(); // valid until T0 + 5 min
    Map<String, Object> first = exchanged(jwt);
    clock.advance(Duration.ofMinutes(5).plusSeconds(61).toMillis());
    refused(jwt, "expired");
    // The Rollgate token it was exchanged for lasts its own 15 minutes.
    assertThat(admin.withToken((String) first.get("token")).get(TestFlags.FLAGS).status())
        .isEqualTo(200);
  }

  @Test
  void theIssuedTokenStopsWorkingAtItsExpiryAndStaysListed() {
    Map<String, Object> answer = exchanged(token());
    ApiClient ci = admin.withToken((String) answer.get("token"));
    assertThat(ci.get(TestFlags.FLAGS).status()).isEqualTo(200);
    clock.advance(Duration.ofMinutes(15).toMillis() - 1);
    assertThat(ci.get(TestFlags.FLAGS).status()).isEqualTo(200);
    clock.advance(1);
    ApiClient.Response expired = ci.get(TestFlags.FLAGS);
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.object()).containsEntry("code", "unauthorized");
    assertThat(items(admin.get("/api/v1/tokens")))
        .anySatisfy(t ->
            assertThat(t)
                .containsEntry("id", answer.get("id"))
                .containsEntry("expiresAt", answer.get("expiresAt"))
                .containsEntry("revoked", false));
    // Still expired once the server reloaded its tokens (its background job, or a restart).
    server.stop();
    server.start();
    assertThat(ci.withBase(server.admin().base()).get(TestFlags.FLAGS).status()).isEqualTo(401);
  }

  @Test
  void aRuleWhoseScopeDoesNotExistIssuesNothing() {
    ApiClient.Response r = exchange(token(rsa, b -> b.claim("repository", "acme/ghost")));
    assertThat(r.status()).as(r.toString()).isEqualTo(409);
    assertThat((String) r.object().get("message")).contains("nowhere does not exist");
    assertThat(items(admin.get("/api/v1/tokens")))
        .noneSatisfy(t -> assertThat((String) t.get("name")).startsWith("oidc:"));
  }

  @Test
  void apiTokensCannotTakeTheNamesOfIssuedOnes() {
    ApiClient.Response r =
        admin.post("/api/v1/tokens", Map.of("name", "OIDC:shop-main:1234", "role", "viewer"));
    assertThat(r.status()).isEqualTo(400);
    assertThat((String) r.object().get("message")).contains("kept for OIDC-issued tokens");
  }
}

package dev.rollgate.server.oidc;

import dev.rollgate.server.auth.Token;
import dev.rollgate.server.auth.TokenService;
import dev.rollgate.server.domain.Failure;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OIDC token exchange: an identity token (a JWT from a trusted issuer, such as a GitHub Actions
 * job's) is verified ({@link OidcVerifier}), its claims are matched against the issuer's rules in
 * order, and the first rule that matches decides the role, the scope and the lifetime of the
 * short-lived Rollgate token issued for it. Every exchange is audited, with the claims that
 * matched; every refusal is logged in one line that says why. Neither the log nor the trail ever
 * holds the identity token.
 */
public final class OidcService {
  private static final Logger log = LoggerFactory.getLogger(OidcService.class);

  private final OidcVerifier verifier; // null when no issuer is trusted
  private final TokenService tokens;

  /**
   * @param trust the trusted issuers ({@code ROLLGATE_OIDC_CONFIG}), or null when none is: then
   *     every exchange is refused
   */
  public OidcService(OidcTrust trust, TokenService tokens, Clock clock) {
    this.verifier = trust == null ? null : new OidcVerifier(trust, clock);
    this.tokens = tokens;
  }

  /**
   * An exchange as the caller asked it.
   *
   * @param identityToken the JWT
   * @param client the caller's address, for the log
   */
  public record Exchange(String identityToken, String client) {}

  /**
   * A token issued for a verified identity, with its secret (shown once) and where it came from.
   */
  public record Exchanged(Token token, String secret, String issuer, String subject, String rule) {}

  public Exchanged exchange(Exchange command) {
    if (verifier == null) {
      throw refused(
          command,
          OidcVerifier.Reason.UNKNOWN_ISSUER,
          "this server trusts no OIDC issuer (" + OidcTrust.VARIABLE + " is not set)");
    }
    OidcVerifier.Verified verified;
    try {
      verified = verifier.verify(command.identityToken());
    } catch (OidcVerifier.Refused e) {
      throw refused(command, e.reason(), e.getMessage());
    } catch (OidcVerifier.KeysUnavailable e) {
      log.warn("oidc: could not verify an exchange from {}: {}", command.client(), e.getMessage());
      throw new Failure(Failure.Kind.UNAVAILABLE, "oidc_keys_unavailable", e.getMessage());
    }
    OidcTrust.Issuer issuer = verified.issuer();
    String subject = verified.claims().getSubject();
    Map<String, Object> claims = verified.claims().getClaims();
    for (OidcTrust.Rule rule : issuer.rules()) {
      Map<String, String> matched = rule.match(claims);
      if (matched != null) {
        return issue(issuer, subject, rule, matched);
      }
    }
    throw refused(
        command,
        OidcVerifier.Reason.NO_RULE,
        "no rule of issuer "
            + Text.quote(issuer.issuer())
            + " matches the identity token's claims (sub "
            + Text.quote(subject)
            + ")");
  }

  private Exchanged issue(
      OidcTrust.Issuer issuer, String subject, OidcTrust.Rule rule, Map<String, String> matched) {
    Map<String, Object> origin = new LinkedHashMap<>();
    origin.put("kind", "oidc");
    origin.put("issuer", issuer.issuer());
    origin.put("subject", subject);
    origin.put("rule", rule.name());
    origin.put("claims", matched);
    TokenService.Created created =
        tokens.issue(
            new TokenService.Issue(
                TokenService.ISSUED_PREFIX + rule.name(),
                rule.role(),
                rule.project(),
                rule.environment(),
                Duration.ofMinutes(rule.ttlMinutes()),
                origin));
    Token token = created.token();
    log.info(
        "oidc: issued {} token {} ({}) to {} of issuer {} by rule {}, until {}",
        token.role().label(),
        token.name(),
        token.id(),
        Text.quote(subject),
        Text.quote(issuer.issuer()),
        rule.name(),
        token.expiresAt());
    return new Exchanged(token, created.secret(), issuer.issuer(), subject, rule.name());
  }

  /** Logs a refusal in one line (never with the token) and makes the 401 that says it. */
  private static Failure refused(Exchange command, OidcVerifier.Reason reason, String message) {
    log.warn(
        "oidc: refused an exchange from {}: {} ({})", command.client(), message, reason.code());
    return new Failure(
        Failure.Kind.UNAUTHENTICATED,
        "oidc_refused",
        message,
        List.of(Map.of("reason", reason.code())));
  }
}

package dev.rollgate.server.oidc;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks identity tokens with nimbus-jose-jwt: the issuer is picked by the token's (unverified)
 * {@code iss}; then its signature (RS256, ES256, PS256 or ES384, with the issuer's keys), and
 * {@code iss} (exact), {@code aud} (the issuer's audience), {@code exp}, {@code nbf} (with {@link
 * #CLOCK_SKEW} either way) and {@code sub} are checked against the server's clock. A refusal says
 * why ({@link Refused}), in words fit for the caller and the log: it never holds the token.
 */
final class OidcVerifier {
  /** How far the issuer's clock and ours may disagree. */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(60);

  /** Identity tokens are a kilobyte or two; anything much longer is not one. */
  static final int MAX_LENGTH = 8 * 1024;

  static final Set<JWSAlgorithm> ALGORITHMS =
      Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.PS256, JWSAlgorithm.ES384);

  /** Why a token was refused, as the answer's {@code details[].reason} says it. */
  enum Reason {
    MALFORMED,
    UNKNOWN_ISSUER,
    UNSUPPORTED_ALGORITHM,
    UNKNOWN_KEY,
    BAD_SIGNATURE,
    EXPIRED,
    NOT_YET_VALID,
    WRONG_AUDIENCE,
    MISSING_CLAIM,
    NO_RULE;

    String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** A refused token: the reason and a message that says it without quoting the token. */
  static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    Refused(Reason reason, String message) {
      super(message);
      this.reason = reason;
    }

    Reason reason() {
      return reason;
    }
  }

  /** The issuer's keys could not be had (its JWKS URL did not answer): not the token's fault. */
  static final class KeysUnavailable extends Exception {
    private static final long serialVersionUID = 1L;

    KeysUnavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A token whose signature and claims were verified. */
  record Verified(OidcTrust.Issuer issuer, JWTClaimsSet claims) {}

  /** What one verification found on its way, read back when nimbus refuses. */
  private static final class Attempt implements SecurityContext {
    boolean keysSelected;
    int keys;
  }

  private final OidcTrust trust;
  private final Clock clock;
  private final Map<String, DefaultJWTProcessor<Attempt>> processors = new HashMap<>();

  OidcVerifier(OidcTrust trust, Clock clock) {
    this.trust = trust;
    this.clock = clock;
    for (OidcTrust.Issuer issuer : trust.issuers()) {
      processors.put(issuer.issuer(), processor(issuer));
    }
  }

  private DefaultJWTProcessor<Attempt> processor(OidcTrust.Issuer issuer) {
    JWKSource<Attempt> keys = keySource(issuer);
    JWSVerificationKeySelector<Attempt> selector =
        new JWSVerificationKeySelector<>(ALGORITHMS, keys);
    JWSKeySelector<Attempt> recording =
        (JWSHeader header, Attempt attempt) -> {
          List<Key> found = selector.selectJWSKeys(header, attempt);
          attempt.keysSelected = true;
          attempt.keys = found.size();
          return found;
        };
    DefaultJWTClaimsVerifier<Attempt> claims =
        new DefaultJWTClaimsVerifier<>(
            Set.of(issuer.audience()),
            new JWTClaimsSet.Builder().issuer(issuer.issuer()).build(),
            Set.of("iss", "aud", "exp", "sub"),
            null) {
          @Override
          protected Date currentTime() {
            return Date.from(clock.instant());
          }
        };
    claims.setMaxClockSkew((int) CLOCK_SKEW.toSeconds());
    DefaultJWTProcessor<Attempt> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(recording);
    processor.setJWTClaimsSetVerifier(claims);
    return processor;
  }

  @SuppressWarnings("unchecked")
  private JWKSource<Attempt> keySource(OidcTrust.Issuer issuer) {
    JWKSource<? extends SecurityContext> source =
        issuer.staticKeys() != null
            ? new ImmutableJWKSet<>(issuer.staticKeys())
            : new RemoteKeys(issuer.issuer(), issuer.jwksUrl(), clock);
    // Both sources ignore the context: any context type will do.
    return (JWKSource<Attempt>) source;
  }

  /** Verifies {@code token}, or says why not. */
  Verified verify(String token) throws Refused, KeysUnavailable {
    if (token == null || token.isBlank()) {
      throw new Refused(Reason.MALFORMED, "no identity token was given");
    }
    if (token.length() > MAX_LENGTH) {
      throw new Refused(
          Reason.MALFORMED, "the identity token is longer than " + MAX_LENGTH + " characters");
    }
    SignedJWT jwt;
    JWTClaimsSet unverified;
    try {
      jwt = SignedJWT.parse(token.strip());
      unverified = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      throw new Refused(
          Reason.MALFORMED,
          "the identity token is not a signed JWT (" + Text.safe(e.getMessage()) + ")");
    }
    String iss = unverified.getIssuer();
    if (iss == null) {
      throw new Refused(Reason.MISSING_CLAIM, "the identity token has no iss claim");
    }
    OidcTrust.Issuer issuer = trust.issuer(iss);
    if (issuer == null) {
      throw new Refused(Reason.UNKNOWN_ISSUER, "issuer " + Text.quote(iss) + " is not trusted");
    }
    JWSAlgorithm algorithm = jwt.getHeader().getAlgorithm();
    if (!ALGORITHMS.contains(algorithm)) {
      throw new Refused(
          Reason.UNSUPPORTED_ALGORITHM,
          "the identity token is signed with "
              + Text.safe(algorithm.getName())
              + "; accepted are RS256, ES256, PS256 and ES384");
    }
    Attempt attempt = new Attempt();
    try {
      JWTClaimsSet claims = processors.get(issuer.issuer()).process(jwt, attempt);
      return new Verified(issuer, claims);
    } catch (BadJWSException e) {
      throw new Refused(
          Reason.BAD_SIGNATURE,
          "the identity token's signature does not verify with the key of issuer "
              + Text.quote(iss));
    } catch (BadJWTException e) {
      throw claimsRefusal(issuer, unverified);
    } catch (BadJOSEException e) {
      if (attempt.keysSelected && attempt.keys == 0) {
        String kid = jwt.getHeader().getKeyID();
        throw new Refused(
            Reason.UNKNOWN_KEY,
            "issuer "
                + Text.quote(iss)
                + " has no key "
                + (kid == null ? "for the token (it names no kid)" : Text.quote(kid))
                + (issuer.jwksUrl() == null
                    ? ""
                    : " (its keys are fetched again at most every "
                        + RemoteKeys.MIN_REFETCH.toSeconds()
                        + " s)"));
      }
      throw new Refused(
          Reason.MALFORMED, "the identity token was refused: " + Text.safe(e.getMessage()));
    } catch (KeySourceException e) {
      throw new KeysUnavailable(
          "the keys of issuer " + Text.quote(iss) + " cannot be fetched now; retry later", e);
    } catch (JOSEException e) {
      throw new Refused(
          Reason.MALFORMED, "the identity token was refused: " + Text.safe(e.getMessage()));
    }
  }

  /**
   * Why claims that nimbus refused (the signature was good) fail: worked out from the claims
   * themselves, as nimbus judged them, so the answer names the claim.
   */
  private Refused claimsRefusal(OidcTrust.Issuer issuer, JWTClaimsSet claims) {
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    Date nbf = claims.getNotBeforeTime();
    List<String> aud = claims.getAudience();
    if (exp == null) {
      return new Refused(Reason.MISSING_CLAIM, "the identity token has no exp claim");
    }
    if (!exp.toInstant().plus(CLOCK_SKEW).isAfter(now)) {
      return new Refused(Reason.EXPIRED, "the identity token expired at " + exp.toInstant());
    }
    if (nbf != null && !nbf.toInstant().minus(CLOCK_SKEW).isBefore(now)) {
      return new Refused(
          Reason.NOT_YET_VALID, "the identity token is not valid before " + nbf.toInstant());
    }
    if (aud == null || aud.isEmpty()) {
      return new Refused(Reason.MISSING_CLAIM, "the identity token has no aud claim");
    }
    if (!aud.contains(issuer.audience())) {
      return new Refused(
          Reason.WRONG_AUDIENCE,
          "the identity token's audience "
              + Text.quote(String.join(", ", aud))
              + " is not "
              + Text.quote(issuer.audience())
              + ", which this server's tokens from the issuer must name");
    }
    if (claims.getSubject() == null) {
      return new Refused(Reason.MISSING_CLAIM, "the identity token has no sub claim");
    }
    return new Refused(Reason.MALFORMED, "the identity token's claims were refused");
  }
}

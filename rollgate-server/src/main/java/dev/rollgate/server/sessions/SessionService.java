package dev.rollgate.server.sessions;

import dev.rollgate.server.audit.AuditLog;
import dev.rollgate.server.auth.TokenService;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.domain.Role;
import dev.rollgate.server.store.Database;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Web UI sessions: a token is exchanged once for a session secret that the browser keeps in an
 * HttpOnly cookie, so no token sits in the page's storage. A session acts as its token (same role,
 * same audit identity) and ends when it expires, when it is signed out, or when its token is
 * revoked.
 *
 * <p>The CSRF token is derived from the session secret ({@link #csrfToken}), so it needs no storage
 * and cannot be had without the secret; the page reads it from the sign-in answer and sends it with
 * every change.
 */
public final class SessionService {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Database db;
  private final AuditLog audit;
  private final Clock clock;
  private final TokenService tokens;
  private final Duration lifetime;

  public SessionService(
      Database db, AuditLog audit, Clock clock, TokenService tokens, Duration lifetime) {
    this.db = db;
    this.audit = audit;
    this.clock = clock;
    this.tokens = tokens;
    this.lifetime = lifetime;
  }

  /** How long a session lasts from its sign-in. */
  public Duration lifetime() {
    return lifetime;
  }

  /** A live session and who it stands for. */
  public record Session(String id, Principal principal, Instant expiresAt, String csrfToken) {}

  /** A session just opened, with the secret for the cookie (shown once, never stored). */
  public record Opened(Session session, String secret) {}

  /**
   * Opens a session for a token; sdk tokens and scoped tokens (an OIDC exchange's) cannot sign in,
   * unknown ones are refused.
   */
  public Opened signIn(String tokenSecret) {
    Principal principal = tokens.authenticate(tokenSecret);
    if (principal == null) {
      throw new Failure(
          Failure.Kind.UNAUTHENTICATED, "unauthorized", "the token is unknown or revoked");
    }
    if (principal.role() == Role.SDK) {
      throw Failure.forbidden("an sdk token cannot sign in; use an admin, editor or viewer token");
    }
    if (principal.scoped()) {
      throw Failure.forbidden(
          "a token scoped to "
              + principal.project()
              + (principal.environment() == null ? "" : "/" + principal.environment())
              + " cannot sign in to the web UI; use a token without a scope");
    }
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    String secret = "rgs_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Instant now = Instant.ofEpochMilli(clock.millis());
    SessionStore.Row row =
        new SessionStore.Row(
            UUID.randomUUID().toString(), principal.tokenId(), now, now.plus(lifetime));
    db.inTransaction(tx -> {
      SessionStore.deleteExpired(tx, now.toEpochMilli());
      SessionStore.insert(tx, row, Sha256.hex(secret));
      audit.append(tx, principal.actor(null), "session.create", resource(row), null, shown(row));
      return null;
    });
    return new Opened(new Session(row.id(), principal, row.expiresAt(), csrfToken(secret)), secret);
  }

  /**
   * The session a cookie's secret stands for, or null when it is unknown, expired, signed out or
   * its token no longer works.
   */
  public Session resolve(String secret) {
    if (secret == null || secret.isEmpty() || secret.length() > 100) {
      return null;
    }
    SessionStore.Row row =
        db.inTransaction(tx -> SessionStore.bySecretHash(tx, Sha256.hex(secret))).orElse(null);
    if (row == null || !row.expiresAt().isAfter(Instant.ofEpochMilli(clock.millis()))) {
      return null;
    }
    Principal principal = tokens.principalOf(row.tokenId());
    if (principal == null) {
      return null;
    }
    return new Session(row.id(), principal, row.expiresAt(), csrfToken(secret));
  }

  /** Ends a session at once (on every replica: they all read the store). */
  public void signOut(Session session) {
    db.inTransaction(tx -> {
      SessionStore.Row row =
          new SessionStore.Row(
              session.id(), session.principal().tokenId(), null, session.expiresAt());
      if (SessionStore.delete(tx, session.id()) > 0) {
        audit.append(
            tx, session.principal().actor(null), "session.delete", resource(row), shown(row), null);
      }
      return null;
    });
  }

  /** Whether {@code given} is the CSRF token of the session whose secret is {@code secret}. */
  public static boolean csrfMatches(String secret, String given) {
    return given != null
        && MessageDigest.isEqual(
            csrfToken(secret).getBytes(StandardCharsets.US_ASCII),
            given.getBytes(StandardCharsets.US_ASCII));
  }

  private static String csrfToken(String secret) {
    return Sha256.hex("rollgate-csrf:" + secret);
  }

  /** Under the token, so that only admins read sign-ins in the audit trail. */
  private static String resource(SessionStore.Row row) {
    return "tokens/" + row.tokenId() + "/sessions/" + row.id();
  }

  private static Map<String, Object> shown(SessionStore.Row row) {
    Map<String, Object> shown = new LinkedHashMap<>();
    shown.put("id", row.id());
    shown.put("tokenId", row.tokenId());
    shown.put("expiresAt", row.expiresAt().toString());
    return shown;
  }
}

package dev.rollgate.server.auth;

import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.domain.Role;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stored token, without its secret. Sdk tokens name the project and environment they read; an
 * editor or viewer token issued by an OIDC exchange may name a project (and an environment) as its
 * scope. A revoked token says when it was revoked, a short-lived one when it expires.
 */
public record Token(
    String id,
    String name,
    Role role,
    String project,
    String environment,
    Instant createdAt,
    Instant revokedAt,
    Instant expiresAt)
    implements Plain.Shown {

  public boolean revoked() {
    return revokedAt != null;
  }

  /** Whether the token no longer authenticates at {@code now} because its lifetime is over. */
  public boolean expiredAt(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }

  /**
   * Leaves out what does not apply (the binding or scope of a token that has none, the time of no
   * revocation, the expiry of a token that lasts until revoked).
   */
  @Override
  public Object plain() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("id", id);
    json.put("name", name);
    json.put("role", role.label());
    if (project != null) {
      json.put("project", project);
      json.put("environment", environment);
    }
    if (expiresAt != null) {
      json.put("expiresAt", expiresAt.toString());
    }
    json.put("createdAt", createdAt.toString());
    json.put("revoked", revoked());
    if (revokedAt != null) {
      json.put("revokedAt", revokedAt.toString());
    }
    return json;
  }
}

package dev.rollgate.server.auth;

import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.domain.Role;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A stored token, without its secret. Only sdk tokens name a project and environment; a revoked
 * token says when it was revoked.
 */
public record Token(
    String id,
    String name,
    Role role,
    String project,
    String environment,
    Instant createdAt,
    Instant revokedAt)
    implements Plain.Shown {

  public boolean revoked() {
    return revokedAt != null;
  }

  /** Leaves out what does not apply (the binding of a non-sdk token, the time of no revocation). */
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
    json.put("createdAt", createdAt.toString());
    json.put("revoked", revoked());
    if (revokedAt != null) {
      json.put("revokedAt", revokedAt.toString());
    }
    return json;
  }
}

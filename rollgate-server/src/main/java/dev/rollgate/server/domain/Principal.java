package dev.rollgate.server.domain;

/**
 * The authenticated caller.
 *
 * @param tokenId the token's id ({@link Actor#ENVIRONMENT_ADMIN_ID} for the environment's admin
 *     token), recorded as the actor's id in the audit trail
 * @param name the token's name, recorded beside the id
 * @param project for sdk tokens, the one project they may read; for a scoped editor or viewer (an
 *     OIDC exchange's token), the one project it may use; otherwise null
 * @param environment for sdk tokens, the one environment they may read; for a scoped editor or
 *     viewer, the one environment it may change (null: any of its project's)
 */
public record Principal(
    String tokenId, String name, Role role, String project, String environment) {
  /**
   * Whether this is an admin-API caller confined to one project (and maybe one environment): what
   * the edge checks every path against. Sdk tokens are bound, not scoped: their rules key on the
   * role.
   */
  public boolean scoped() {
    return role != Role.SDK && project != null;
  }

  /** This caller as the audit trail records it, with the comment given (may be null). */
  public Actor actor(String comment) {
    return new Actor(tokenId, name, comment);
  }
}

package dev.rollgate.server.domain;

/**
 * The authenticated caller.
 *
 * @param tokenId the token's id ({@link Actor#ENVIRONMENT_ADMIN_ID} for the environment's admin
 *     token), recorded as the actor's id in the audit trail
 * @param name the token's name, recorded beside the id
 * @param project for SDK tokens, the one project they may read; otherwise null
 * @param environment for SDK tokens, the one environment they may read; otherwise null
 */
public record Principal(
    String tokenId, String name, Role role, String project, String environment) {
  /** This caller as the audit trail records it, with the comment given (may be null). */
  public Actor actor(String comment) {
    return new Actor(tokenId, name, comment);
  }
}

package dev.rollgate.server.domain;

/**
 * The authenticated caller.
 *
 * @param tokenId the token's id ({@code bootstrap} for the environment's admin token)
 * @param name the token's name, recorded as the actor in the audit trail
 * @param project for SDK tokens, the one project they may read; otherwise null
 * @param environment for SDK tokens, the one environment they may read; otherwise null
 */
public record Principal(
    String tokenId, String name, Role role, String project, String environment) {}

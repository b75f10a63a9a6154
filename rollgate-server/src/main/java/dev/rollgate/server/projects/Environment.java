package dev.rollgate.server.projects;

import java.time.Instant;

/** An environment of a project (development, staging, production): where flags are configured. */
public record Environment(
    String key,
    String name,
    String description,
    long version,
    Instant createdAt,
    Instant updatedAt) {}

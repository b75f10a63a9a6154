package dev.rollgate.server.segments;

import java.time.Instant;

/**
 * A named, reusable piece of targeting ("pilot tenants", "internal staff"): a JsonLogic expression
 * that flags refer to with {@code {"$ref": key}}.
 */
public record Segment(
    String key,
    String name,
    String description,
    Object rules,
    long version,
    Instant createdAt,
    Instant updatedAt) {}

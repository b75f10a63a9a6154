package dev.rollgate.server.catalog;

import dev.rollgate.core.FlagSnapshot;

/**
 * One environment as the server serves it: compiled for evaluation, and serialized once for SDKs
 * that fetch or stream the configuration.
 *
 * @param generation the audit chain position of the change that produced it; event ids on the
 *     stream, increasing on every replica alike
 * @param document the environment's flagd document, as JSON
 * @param etag a content hash of {@code document}: equal on every replica for equal content
 */
public record ServedEnvironment(
    String project,
    String environment,
    long generation,
    FlagSnapshot snapshot,
    String document,
    String etag) {}

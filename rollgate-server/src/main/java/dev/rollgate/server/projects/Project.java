package dev.rollgate.server.projects;

import java.time.Instant;
import java.util.List;

/** A project: flags, segments and their environments belong to one. */
public record Project(
    String key,
    String name,
    String description,
    long version,
    Instant createdAt,
    Instant updatedAt,
    List<String> environments) {

  Project withEnvironments(List<String> keys) {
    return new Project(key, name, description, version, createdAt, updatedAt, keys);
  }
}

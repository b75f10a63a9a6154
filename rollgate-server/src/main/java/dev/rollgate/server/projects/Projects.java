package dev.rollgate.server.projects;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;

/** Checks other features make before they touch a project's resources. */
public final class Projects {
  private Projects() {}

  /** Not found unless {@code project} exists. */
  public static void require(Tx tx, String project) throws SQLException {
    if (!ProjectStore.exists(tx, project)) {
      throw projectNotFound(project);
    }
  }

  /** Not found unless {@code project} and its {@code environment} exist. */
  public static void requireEnvironment(Tx tx, String project, String environment)
      throws SQLException {
    require(tx, project);
    if (ProjectStore.environment(tx, project, environment).isEmpty()) {
      throw environmentNotFound(project, environment);
    }
  }

  static Failure projectNotFound(String project) {
    return Failure.notFound("project " + project);
  }

  static Failure environmentNotFound(String project, String environment) {
    return Failure.notFound("environment " + project + "/" + environment);
  }
}

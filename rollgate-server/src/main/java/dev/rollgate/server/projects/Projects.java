package dev.rollgate.server.projects;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.store.Tx;
import java.sql.SQLException;

/** Checks other features make before they touch a project's resources. */
public final class Projects {
  private Projects() {}

  /** 404 unless {@code project} exists. */
  public static void require(Tx tx, String project) throws SQLException {
    if (tx.count("SELECT COUNT(*) FROM projects WHERE project_key = ?", project) == 0) {
      throw projectNotFound(project);
    }
  }

  /** 404 unless {@code project} and its {@code environment} exist. */
  public static void requireEnvironment(Tx tx, String project, String environment)
      throws SQLException {
    require(tx, project);
    if (tx.count(
            "SELECT COUNT(*) FROM environments WHERE project_key = ? AND environment_key = ?",
            project,
            environment)
        == 0) {
      throw Failure.notFound("environment " + project + "/" + environment);
    }
  }

  static Failure projectNotFound(String project) {
    return Failure.notFound("project " + project);
  }
}

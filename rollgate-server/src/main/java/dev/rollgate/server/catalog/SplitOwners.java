package dev.rollgate.server.catalog;

import dev.rollgate.server.store.Tx;
import java.sql.SQLException;

/**
 * What splits a flag's traffic in an environment: a rollout that has not ended or a running
 * experiment. At most one may, since both drive the same split ({@link RolloutSplit}).
 */
public final class SplitOwners {
  private SplitOwners() {}

  /** "a rollout" or "an experiment" when one splits the flag, else null. */
  public static String of(Tx tx, String project, String environment, String flag)
      throws SQLException {
    if (tx.count(
            "SELECT COUNT(*) FROM rollouts WHERE project_key = ? AND environment_key = ?"
                + " AND flag_key = ? AND state IN ('RUNNING', 'PAUSED', 'AWAITING_APPROVAL')",
            project,
            environment,
            flag)
        > 0) {
      return "a rollout";
    }
    if (tx.count(
            "SELECT COUNT(*) FROM experiments WHERE project_key = ? AND environment_key = ?"
                + " AND flag_key = ? AND state = 'RUNNING'",
            project,
            environment,
            flag)
        > 0) {
      return "an experiment";
    }
    return null;
  }
}

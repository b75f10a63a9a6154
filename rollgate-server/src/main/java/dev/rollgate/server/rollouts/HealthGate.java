package dev.rollgate.server.rollouts;

import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.List;

/**
 * What rollouts ask of the health monitor about the checks their plans list: whether they exist,
 * and which are failing (an open violation) now. The monitor implements it; rollouts do not depend
 * on the monitor.
 */
public interface HealthGate {
  /** Refuses ({@code path}: the field) a check id that is not one of {@code project}'s. */
  void requireChecks(Tx tx, String project, List<String> checkIds, String path) throws SQLException;

  /** The names of those of {@code checkIds} that have an open violation, in their order. */
  List<String> failing(Tx tx, List<String> checkIds) throws SQLException;

  /** No health checks: every list must be empty. */
  HealthGate NONE =
      new HealthGate() {
        @Override
        public void requireChecks(Tx tx, String project, List<String> checkIds, String path) {
          if (!checkIds.isEmpty()) {
            throw dev.rollgate.server.domain.Failure.invalidField(path, "no health monitor here");
          }
        }

        @Override
        public List<String> failing(Tx tx, List<String> checkIds) {
          return List.of();
        }
      };
}

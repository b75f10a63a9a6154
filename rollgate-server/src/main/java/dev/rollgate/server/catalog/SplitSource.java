package dev.rollgate.server.catalog;

import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * A feature that splits flags' traffic (rollouts, experiments) and tells the catalog how, so that
 * the catalog builds flag documents without knowing those features' tables. At most one source may
 * split a flag in an environment at a time; the features check that through {@link
 * Catalog#splitOwner}.
 */
@FunctionalInterface
public interface SplitSource {
  /** The splits this source drives in one environment, by flag key. */
  Map<String, Split> splits(Tx tx, String project, String environment) throws SQLException;

  /**
   * One flag's split ({@link RolloutSplit}): the traffic the flag's own targeting leaves to its
   * default goes to {@code entries}, flagd fractional entries [variant, whole-number weight],
   * bucketed by {@code seed}.
   *
   * @param owner what drives it, in words ("a rollout")
   */
  record Split(String owner, String seed, List<List<Object>> entries) {}
}

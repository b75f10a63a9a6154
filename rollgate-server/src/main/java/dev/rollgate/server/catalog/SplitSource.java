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
  /**
   * The splits this source drives in a project, by environment and flag key (one read for all the
   * environments: a write reads them all).
   */
  Map<String, Map<String, Split>> splits(Tx tx, String project) throws SQLException;

  /**
   * One flag's split: the traffic the flag's own targeting leaves to its default goes to {@code
   * rule}, JSON Logic that names a variant for a user with a targeting key.
   *
   * @param owner what drives it, in words ("a rollout")
   */
  record Split(String owner, Object rule) {
    /**
     * A split into flagd fractional entries [variant, whole-number weight], bucketed by {@code
     * seed}: {@code {"fractional": [{"cat": [seed + ":", {"var": "targetingKey"}]}, ...entries]}}.
     */
    public static Split fractional(String owner, String seed, List<List<Object>> entries) {
      List<Object> arguments = new java.util.ArrayList<>();
      arguments.add(Map.of("cat", List.of(seed + ":", Map.of("var", "targetingKey"))));
      arguments.addAll(entries);
      return new Split(owner, Map.of("fractional", arguments));
    }
  }
}

package dev.rollgate.server.catalog;

import dev.rollgate.server.store.Tx;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The flags a transaction wrote, by project: the stores that write flags say so here, so that the
 * catalog reads and compiles those flags again, not the whole project. Shared evaluators, splits
 * and environments the catalog reads every time (they are few), so their writers need not.
 */
public final class Changes {
  private final Map<String, Set<String>> flags = new HashMap<>();

  private Changes() {}

  /** Flag {@code key} of {@code project} was inserted, updated or deleted in {@code tx}. */
  public static void flag(Tx tx, String project, String key) {
    tx.attachment(Changes.class, Changes::new)
        .flags
        .computeIfAbsent(project, k -> new LinkedHashSet<>())
        .add(key);
  }

  /** The flags of {@code project} written in {@code tx} so far. */
  static Set<String> flags(Tx tx, String project) {
    return tx.attachment(Changes.class, Changes::new).flags.getOrDefault(project, Set.of());
  }
}

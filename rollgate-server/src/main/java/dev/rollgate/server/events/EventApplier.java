package dev.rollgate.server.events;

import dev.rollgate.server.store.Tx;
import java.sql.SQLException;
import java.util.List;

/**
 * What accepted events feed (experiments, rollout health), applying them in the caller's
 * transaction: the inbox's flush and the Kafka consumer call the same code, each in the transaction
 * that also records what was consumed (the inbox rows removed, the Kafka offsets). Each applier
 * takes the kinds of {@link Inbound} it knows and ignores the others.
 */
public interface EventApplier {
  /** Applies {@code batches} in {@code tx}; nothing of them counts unless it commits. */
  void apply(Tx tx, List<EventBatch> batches) throws SQLException;

  /** The transaction that applied {@code batches} committed (for what is exported on commit). */
  default void committed(List<EventBatch> batches) {}
}

package dev.rollgate.server.rollouts;

import dev.rollgate.server.replicas.Leadership;
import java.util.List;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every running rollout: each tick, on the leading replica only, it judges every window that
 * is due, oldest first. A restart resumes from the store, where each rollout records the end of the
 * last window it judged.
 */
public final class RolloutController {
  private static final Logger log = LoggerFactory.getLogger(RolloutController.class);

  /** Windows judged per rollout per tick, so that catching up after downtime stays bounded. */
  static final int MAX_WINDOWS_PER_TICK = 100;

  private final RolloutService rollouts;
  private final Leadership leadership;
  private final List<IntSupplier> others;

  /**
   * @param others what else the controller drives on the leading replica each tick (releases), each
   *     answering how many steps it took
   */
  public RolloutController(
      RolloutService rollouts, Leadership leadership, List<IntSupplier> others) {
    this.rollouts = rollouts;
    this.leadership = leadership;
    this.others = List.copyOf(others);
  }

  /** One pass over the running rollouts; returns the number of windows judged. */
  public int tick() {
    if (!leadership.isLeader()) {
      return 0;
    }
    int judged = 0;
    for (String id : rollouts.running()) {
      try {
        for (int i = 0; i < MAX_WINDOWS_PER_TICK && rollouts.judgeNextWindow(id); i++) {
          judged++;
        }
      } catch (RuntimeException e) {
        log.warn("rollout {}: cannot judge its window: {}", id, e.getMessage());
      }
    }
    for (IntSupplier other : others) {
      try {
        judged += other.getAsInt();
      } catch (RuntimeException e) {
        log.warn("controller: {}", e.getMessage());
      }
    }
    return judged;
  }
}

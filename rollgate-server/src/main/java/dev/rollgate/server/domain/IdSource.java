package dev.rollgate.server.domain;

import java.util.SplittableRandom;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Where new rollout and experiment ids come from. Those ids also seed the traffic split (a user's
 * bucket), so tests that judge a split's outcome inject a seeded source to be deterministic.
 */
@FunctionalInterface
public interface IdSource {
  String next();

  /**
   * One id, drawn when first asked for and the same every time after: for a write that may run more
   * than once (the catalog rehearses each change), and that draws nothing when it fails first.
   */
  default Supplier<String> once() {
    String[] drawn = new String[1];
    return () -> {
      synchronized (drawn) {
        if (drawn[0] == null) {
          drawn[0] = next();
        }
        return drawn[0];
      }
    };
  }

  /** Random UUIDs: what a server uses. */
  IdSource RANDOM = () -> UUID.randomUUID().toString();

  /** The same sequence of version-4-shaped UUIDs for the same seed. */
  static IdSource seeded(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    return () -> {
      synchronized (random) {
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
      }
    };
  }
}

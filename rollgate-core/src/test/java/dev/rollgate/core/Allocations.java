package dev.rollgate.core;

import java.lang.management.ManagementFactory;

/**
 * What a piece of work allocates on this thread once it runs compiled: the fewest bytes of a few
 * runs after a warm-up. Allocation-free code allocates nothing in every round once the JIT has
 * compiled it; on a loaded machine the compiler may only get there after a round or two, and a
 * round still interpreted would count what escape analysis later removes. Code that allocates does
 * so in every round, so the fewest still shows it. Public for the SDK's and the provider's tests.
 */
public final class Allocations {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static final int ROUNDS = 5;

  private Allocations() {}

  public static long steadyState(Runnable work) {
    work.run(); // warm up: class loading and linkage allocate once
    long fewest = Long.MAX_VALUE;
    for (int round = 0; round < ROUNDS && fewest > 0; round++) {
      long before = THREADS.getCurrentThreadAllocatedBytes();
      work.run();
      fewest = Math.min(fewest, THREADS.getCurrentThreadAllocatedBytes() - before);
    }
    return fewest;
  }
}

package dev.rollgate.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.function.IntSupplier;

/**
 * {@link ClientBenchmark}'s methods timed by the thread's CPU time instead of the wall clock: on a
 * machine shared with other work, time the thread spends descheduled does not count, so the figures
 * move far less than JMH's. One benchmark per JVM (so the loop's call stays monomorphic): {@code
 * java -cp rollgate-bench/target/benchmarks.jar dev.rollgate.bench.ClientBenchmarkCpuTime
 * clientFractional}. Prints the fewest CPU nanoseconds per call over 8 rounds of 2,000,000 calls
 * after 4 rounds of warm-up, and the bytes the thread allocated per call in the last round.
 */
public final class ClientBenchmarkCpuTime {
  private static final int CALLS = 2_000_000;

  private ClientBenchmarkCpuTime() {}

  public static void main(String[] args) throws Exception {
    ClientBenchmark b = new ClientBenchmark();
    b.setUp();
    IntSupplier call =
        switch (args[0]) {
          case "coreStaticFlag" -> () -> b.coreStaticFlag().hashCode();
          case "coreSemVerRule" -> () -> b.coreSemVerRule().hashCode();
          case "coreFractional" -> () -> b.coreFractional().hashCode();
          case "clientStaticFlag" -> () -> b.clientStaticFlag() ? 1 : 0;
          case "clientSemVerRule" -> () -> b.clientSemVerRule() ? 1 : 0;
          case "clientFractional" -> () -> b.clientFractional() ? 1 : 0;
          case "openFeatureStaticFlag" -> () -> b.openFeatureStaticFlag() ? 1 : 0;
          case "openFeatureSemVerRule" -> () -> b.openFeatureSemVerRule() ? 1 : 0;
          case "openFeatureFractional" -> () -> b.openFeatureFractional() ? 1 : 0;
          case "openFeatureNoOp" -> () -> b.openFeatureNoOp() ? 1 : 0;
          default -> throw new IllegalArgumentException("no benchmark " + args[0]);
        };
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    double fewest = Double.MAX_VALUE;
    long bytes = 0;
    int checksum = 0; // of the results, printed so that the calls cannot be optimised away
    for (int round = 0; round < 12; round++) {
      long cpu = threads.getCurrentThreadCpuTime();
      long allocated = threads.getCurrentThreadAllocatedBytes();
      for (int i = 0; i < CALLS; i++) {
        checksum += call.getAsInt();
      }
      double perCall = (threads.getCurrentThreadCpuTime() - cpu) / (double) CALLS;
      bytes = threads.getCurrentThreadAllocatedBytes() - allocated;
      if (round >= 4) {
        fewest = Math.min(fewest, perCall);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "%-24s %7.1f ns CPU/call %8.1f B/call (checksum %d)%n",
        args[0],
        fewest,
        bytes / (double) CALLS,
        checksum);
    b.tearDown();
    System.exit(0); // the client's threads
  }
}

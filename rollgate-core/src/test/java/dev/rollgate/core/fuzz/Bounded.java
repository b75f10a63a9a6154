package dev.rollgate.core.fuzz;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one fuzz input with a deadline: an input that takes longer than {@link #LIMIT} is a finding
 * (a hang), whether it would end later or never. libFuzzer's own {@code -timeout} covers the
 * fuzzing runs too; this also holds when the corpus is replayed as a plain test. The limit is far
 * above any real input's time (microseconds) so that a loaded machine, class loading and the JIT
 * warming up on the first inputs are not taken for a hang.
 */
public final class Bounded {
  public static final Duration LIMIT = Duration.ofSeconds(10);

  private static final ExecutorService WORKER =
      Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("fuzz-input").factory());

  private Bounded() {}

  /** A piece of work that may throw. */
  @FunctionalInterface
  public interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work}; its exceptions and errors are rethrown, a hang is an AssertionError. */
  public static void run(Work work) throws Exception {
    Future<?> result =
        WORKER.submit(() -> {
          work.run();
          return null;
        });
    try {
      result.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      result.cancel(true);
      throw new AssertionError("one input took over " + LIMIT.toMillis() + " ms");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception ex) {
        throw ex;
      }
      throw (Error) e.getCause();
    }
  }
}

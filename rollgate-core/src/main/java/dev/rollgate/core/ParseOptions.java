package dev.rollgate.core;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How a flag document is read.
 *
 * @param strictness what happens to targeting that cannot work as written
 * @param environment reads environment variables; the kill switch {@code ROLLGATE_FLAG_<KEY>} is
 *     looked up through it when the snapshot is built
 * @param clock the time {@code $flagd.timestamp} reports to targeting
 * @param limits how large targeting may grow once its {@code $ref}s are followed
 */
public record ParseOptions(
    Strictness strictness, UnaryOperator<String> environment, Clock clock, Limits limits) {

  /** What to do with targeting that cannot work as written. */
  public enum Strictness {
    /**
     * Reject the whole document: an unknown operator or {@code $ref}, an operator given the wrong
     * number of arguments, an invalid {@code sem_ver} operator or version, a malformed fractional
     * bucket. The default, for files people edit.
     */
    STRICT,
    /**
     * Load the document as flagd does: a flag whose targeting does not compile resolves with {@code
     * PARSE_ERROR}, and an operator used wrongly yields null at evaluation time.
     */
    FLAGD
  }

  /**
   * Bounds on compiled targeting, so that no document, however small its text, costs unbounded
   * memory, compile time or evaluation time. A shared evaluator is compiled once and shared by
   * every {@code $ref} to it, but each use still counts in depth and evaluation cost. Going past a
   * limit is a problem at the path where it happens (in {@link Strictness#FLAGD} mode, the flag
   * resolves with {@code PARSE_ERROR}).
   *
   * @param maxDepth how deeply expressions may nest, counting through {@code $ref}s (a {@code $ref}
   *     itself adds no level); default 32
   * @param maxEvaluationCost how many expressions one evaluation of a flag's targeting (or of one
   *     shared evaluator) may visit at worst, every branch taken and every {@code $ref} counted
   *     each time it is used; a literal such as a list of user ids counts as one; default 100,000
   * @param maxCompiledNodes how many expressions a whole document may compile into, after sharing;
   *     default 1,000,000
   */
  public record Limits(int maxDepth, long maxEvaluationCost, long maxCompiledNodes) {
    /** The limits {@link ParseOptions#defaults()} uses. */
    public static final Limits DEFAULTS = new Limits(32, 100_000, 1_000_000);

    public Limits {
      if (maxDepth < 1 || maxEvaluationCost < 1 || maxCompiledNodes < 1) {
        throw new IllegalArgumentException(
            "limits are positive: "
                + maxDepth
                + ", "
                + maxEvaluationCost
                + ", "
                + maxCompiledNodes);
      }
    }
  }

  public ParseOptions {
    Objects.requireNonNull(strictness, "strictness");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(limits, "limits");
  }

  /** Options with the default {@link Limits}. */
  public ParseOptions(Strictness strictness, UnaryOperator<String> environment, Clock clock) {
    this(strictness, environment, clock, Limits.DEFAULTS);
  }

  /** Strict, the process environment, the system clock, the default limits. */
  public static ParseOptions defaults() {
    return new ParseOptions(Strictness.STRICT, System::getenv, Clock.systemUTC());
  }

  public ParseOptions withStrictness(Strictness value) {
    return new ParseOptions(value, environment, clock, limits);
  }

  public ParseOptions withEnvironment(Map<String, String> variables) {
    Map<String, String> copy = Map.copyOf(variables);
    return new ParseOptions(strictness, copy::get, clock, limits);
  }

  public ParseOptions withClock(Clock value) {
    return new ParseOptions(strictness, environment, value, limits);
  }

  public ParseOptions withLimits(Limits value) {
    return new ParseOptions(strictness, environment, clock, value);
  }
}

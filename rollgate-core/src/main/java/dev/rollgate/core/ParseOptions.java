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
 */
public record ParseOptions(Strictness strictness, UnaryOperator<String> environment, Clock clock) {

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

  public ParseOptions {
    Objects.requireNonNull(strictness, "strictness");
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(clock, "clock");
  }

  /** Strict, the process environment, the system clock. */
  public static ParseOptions defaults() {
    return new ParseOptions(Strictness.STRICT, System::getenv, Clock.systemUTC());
  }

  public ParseOptions withStrictness(Strictness value) {
    return new ParseOptions(value, environment, clock);
  }

  public ParseOptions withEnvironment(Map<String, String> variables) {
    Map<String, String> copy = Map.copyOf(variables);
    return new ParseOptions(strictness, copy::get, clock);
  }

  public ParseOptions withClock(Clock value) {
    return new ParseOptions(strictness, environment, value);
  }
}

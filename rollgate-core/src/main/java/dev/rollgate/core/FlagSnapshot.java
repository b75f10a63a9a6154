package dev.rollgate.core;

import dev.rollgate.core.internal.logic.Trace;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An immutable, compiled set of flags: what the server serves and the SDK evaluates locally.
 *
 * <p>Built once per change from a flag document (flagd's JSON flag format); evaluation reads it
 * without locks and, for static flags and fractional splits, without allocating. Evaluation never
 * throws: every failure is a {@link Resolution} with reason {@link Reason#ERROR}, an {@link
 * ErrorCode} and the caller's default value.
 *
 * <pre>{@code
 * FlagSnapshot flags = FlagSnapshot.parse(Files.readString(path));
 * Resolution r = flags.evaluate("new-checkout", ValueType.BOOLEAN, false, EvaluationContext.of("user-42"));
 * }</pre>
 */
public final class FlagSnapshot {
  private static final FlagSnapshot EMPTY = new FlagSnapshot(Map.of(), Map.of());

  private final Map<String, CompiledFlag> flags;
  private final Map<String, Object> metadata;

  FlagSnapshot(Map<String, CompiledFlag> flags, Map<String, Object> metadata) {
    this.flags = Collections.unmodifiableMap(new LinkedHashMap<>(flags));
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
  }

  /** A snapshot with no flags. */
  public static FlagSnapshot empty() {
    return EMPTY;
  }

  /**
   * Parses and compiles a flag document with {@link ParseOptions#defaults()}.
   *
   * @throws InvalidFlagDocumentException listing every problem, when the document is invalid
   */
  public static FlagSnapshot parse(String json) {
    return parse(json, ParseOptions.defaults());
  }

  /**
   * Parses and compiles a flag document.
   *
   * @throws InvalidFlagDocumentException listing every problem, when the document is invalid
   */
  public static FlagSnapshot parse(String json, ParseOptions options) {
    return FlagDocumentParser.parse(json, options);
  }

  /**
   * Evaluates a flag.
   *
   * @param key the flag key
   * @param type the type the caller wants; {@link ValueType#ANY} takes the value as it is
   * @param defaultValue what to return when no variant can be served
   * @param context who the flag is evaluated for; null counts as empty
   */
  public Resolution evaluate(
      String key, ValueType type, Object defaultValue, EvaluationContext context) {
    CompiledFlag flag = key == null ? null : flags.get(key);
    if (flag == null) {
      return notFound(key, defaultValue);
    }
    return flag.evaluate(
        type, defaultValue, context == null ? EvaluationContext.empty() : context, null);
  }

  /**
   * Like {@link #evaluate}, with the steps that led to the result in {@link
   * Resolution#explanation()}.
   */
  public Resolution explain(
      String key, ValueType type, Object defaultValue, EvaluationContext context) {
    Trace trace = new Trace();
    CompiledFlag flag = key == null ? null : flags.get(key);
    Resolution resolution;
    if (flag == null) {
      trace.step("flags", null, null, "there is no flag \"" + key + "\"");
      resolution = notFound(key, defaultValue);
    } else {
      resolution =
          flag.evaluate(
              type, defaultValue, context == null ? EvaluationContext.empty() : context, trace);
    }
    return resolution.withExplanation(trace.steps());
  }

  private static Resolution notFound(String key, Object defaultValue) {
    return Resolution.error(
        key, defaultValue, ErrorCode.FLAG_NOT_FOUND, "flag \"" + key + "\" not found", Map.of());
  }

  /** The flag keys, in document order. */
  public Set<String> flagKeys() {
    return flags.keySet();
  }

  /** Whether {@code flag} is a flag of this snapshot with a variant named {@code variant}. */
  public boolean hasVariant(String flag, String variant) {
    CompiledFlag f = flags.get(flag);
    return f != null && f.hasVariant(variant);
  }

  /** The flag set's metadata (top-level {@code metadata} of the document). */
  public Map<String, Object> metadata() {
    return metadata;
  }
}

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
  private static final FlagSnapshot EMPTY = new FlagSnapshot(Map.of(), Map.of(), null);

  private final Map<String, CompiledFlag> flags;
  private final Map<String, Object> metadata;
  private final Sources sources; // null: not compiled from a document

  FlagSnapshot(Map<String, CompiledFlag> flags, Map<String, Object> metadata, Sources sources) {
    this(flags, metadata, sources, false);
  }

  /** {@code owned}: the caller hands {@code flags} over (an insertion-ordered map) and drops it. */
  private FlagSnapshot(
      Map<String, CompiledFlag> flags,
      Map<String, Object> metadata,
      Sources sources,
      boolean owned) {
    this.flags = Collections.unmodifiableMap(owned ? flags : new LinkedHashMap<>(flags));
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.sources = sources;
  }

  /** A snapshot of {@code flags}, a map in key order that the caller hands over and drops. */
  static FlagSnapshot owning(
      Map<String, CompiledFlag> flags, Map<String, Object> metadata, Sources sources) {
    return new FlagSnapshot(flags, metadata, sources, true);
  }

  /** A mutable copy of the compiled flags, in their order, for a compile that changes a few. */
  Map<String, CompiledFlag> flagsCopy() {
    return new LinkedHashMap<>(flags);
  }

  /**
   * What a snapshot was compiled from, so that the next one can take over the flags that did not
   * change instead of compiling them again.
   *
   * @param flags each flag's source, by key
   * @param totalNodes how many expressions the document compiled into (its limit counts them)
   * @param linked whether a flag has prerequisites, linking it to the flags it requires
   */
  record Sources(
      ParseOptions options,
      Map<String, Object> evaluators,
      Map<String, Source> flags,
      long totalNodes,
      boolean linked) {

    /**
     * {@code previous}'s compiled flag {@code key} when {@code json} is the very object it was
     * compiled from and nothing else it depends on changed; null otherwise. Flags with
     * prerequisites are always compiled again, since they link to the flags they require.
     */
    @SuppressWarnings("ReferenceEquality") // the very object compiled, not an equal one
    CompiledFlag reuse(String key, Object json, FlagSnapshot previous) {
      Source source = flags.get(key);
      if (json == null
          || source == null
          || source.json() != json
          || !(json instanceof Map<?, ?> flag)) {
        return null;
      }
      if (flag.containsKey("prerequisites") || (source.refers() && evaluators == null)) {
        return null;
      }
      return previous.flags.get(key);
    }
  }

  /**
   * One flag as compiled.
   *
   * @param json the flag's JSON, the very object compiled
   * @param nodes how many expressions it compiled into
   * @param refers whether its JSON refers to a shared evaluator
   */
  record Source(Object json, long nodes, boolean refers) {}

  /**
   * The sources of this snapshot usable by a compile with these options, document metadata and
   * shared evaluators, or null when none is: flags that refer to shared evaluators are usable only
   * when every evaluator is the very object it was (then {@link Sources#evaluators} is non-null).
   */
  @SuppressWarnings("ReferenceEquality") // the very objects compiled, not equal ones
  Sources reusableFor(
      ParseOptions options, Map<String, Object> setMetadata, Map<String, Object> evaluators) {
    if (sources == null || !sources.options().equals(options) || !metadata.equals(setMetadata)) {
      return null;
    }
    boolean same = sources.evaluators().keySet().equals(evaluators.keySet());
    for (Map.Entry<String, Object> e : evaluators.entrySet()) {
      same = same && sources.evaluators().get(e.getKey()) == e.getValue();
    }
    return same
        ? sources
        : new Sources(
            sources.options(), null, sources.flags(), sources.totalNodes(), sources.linked());
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
   * Compiles a flag document already read into maps and lists (as {@link
   * dev.rollgate.core.json.Json#parse} reads them), taking over from {@code previous} every flag
   * whose JSON is the very object {@code previous} compiled, unless it has prerequisites or refers
   * to a shared evaluator that is not the very same object either. A writer that keeps the objects
   * of the flags it did not change so pays for the flags it changed, not for the document; the
   * result is the snapshot {@link #parse(String, ParseOptions)} would build from the same document.
   *
   * @param previous the snapshot compiled before, or null to compile everything
   * @throws InvalidFlagDocumentException listing every problem, when the document is invalid
   */
  public static FlagSnapshot compile(
      Map<String, ?> document, ParseOptions options, FlagSnapshot previous) {
    return FlagDocumentParser.compile(document, options, previous, null);
  }

  /**
   * {@link #compile(Map, ParseOptions, FlagSnapshot)} for a writer that knows which flags it
   * changed: every flag of {@code document} not in {@code changed} must be the very object {@code
   * previous} compiled. When {@code changed} only changes or removes flags that neither link to
   * others nor refer to shared evaluators (the common write), the result is {@code previous} with
   * those flags compiled again, at the cost of those flags and a copy of the flag map; otherwise it
   * is the whole compile.
   *
   * @param changed the keys of the flags that may differ from {@code previous}, removed ones too
   */
  public static FlagSnapshot compile(
      Map<String, ?> document, ParseOptions options, FlagSnapshot previous, Set<String> changed) {
    return FlagDocumentParser.compile(document, options, previous, changed);
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

  /** The compiled flag {@code key}, or null (for tests of what a compile takes over). */
  CompiledFlag compiled(String key) {
    return flags.get(key);
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

package dev.rollgate.openfeature;

import dev.openfeature.sdk.ProviderEvaluation;
import dev.rollgate.core.Resolution;
import java.util.function.Function;

/**
 * OpenFeature answers for the core's prepared resolutions, built once and shared the way the core
 * shares its {@link Resolution}s, so that serving a variant allocates no {@link
 * ProviderEvaluation}.
 *
 * <p>Sharing is safe because nothing changes a {@code ProviderEvaluation} once the provider
 * returned it: the OpenFeature SDK (1.22, checked in its bytecode: no setter call nor field write
 * on it outside its own class) copies it into a new {@code FlagEvaluationDetails} for every
 * evaluation, and that copy is what hooks and callers see. Values are immutable too (see {@link
 * RollgateProvider}).
 *
 * <p>The table is direct-mapped by the resolution's identity and bounded: a collision or a new
 * snapshot only means building one answer again. Entries are immutable, so reading and writing
 * slots from many threads without locks is safe.
 */
final class PreparedEvaluations {
  private static final int SLOTS = 1 << 10;

  /** The OpenFeature methods: two of them read the same resolution (integer and long). */
  enum Kind {
    BOOLEAN,
    STRING,
    INTEGER,
    LONG,
    DOUBLE,
    OBJECT
  }

  private record Entry(Resolution resolution, Kind kind, ProviderEvaluation<?> evaluation) {}

  private final Entry[] slots = new Entry[SLOTS];

  /**
   * The answer for {@code resolution}, which must be a prepared one (a variant was served): from
   * the table, or made by {@code build} and kept.
   */
  @SuppressWarnings({"unchecked", "ReferenceEquality"}) // identity is the key
  <T> ProviderEvaluation<T> get(
      Resolution resolution, Kind kind, Function<Resolution, ProviderEvaluation<T>> build) {
    int slot = (System.identityHashCode(resolution) * 31 + kind.hashCode()) & (SLOTS - 1);
    Entry entry = slots[slot];
    if (entry != null && entry.resolution == resolution && entry.kind == kind) {
      return (ProviderEvaluation<T>) entry.evaluation;
    }
    ProviderEvaluation<T> evaluation = build.apply(resolution);
    slots[slot] = new Entry(resolution, kind, evaluation);
    return evaluation;
  }
}

package dev.rollgate.server.catalog;

import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.Problem;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One environment as the server serves it: compiled for evaluation, and serialized once for SDKs
 * that fetch or stream the configuration.
 *
 * @param generation the audit chain position of the change that produced it; event ids on the
 *     stream, increasing on every replica alike
 * @param served the environment's flagd document, as JSON: serialized when first asked for
 * @param etag a content hash of {@code document}: equal on every replica for equal content
 * @param flagVersions the version of each of the project's flags when it was compiled, read in the
 *     same transaction as {@code document}
 * @param problems why flags stored as flagd loads them do not compile strictly, by flag (each
 *     served as flagd would: {@code PARSE_ERROR} where targeting cannot compile); empty when all do
 */
public record ServedEnvironment(
    String project,
    String environment,
    long generation,
    FlagSnapshot snapshot,
    Supplier<String> served,
    String etag,
    Map<String, Long> flagVersions,
    Map<String, List<Problem>> problems) {

  /** The environment's flagd document, as JSON. */
  public String document() {
    return served.get();
  }

  /** The version of {@code flag} this snapshot compiled, or null when it has no such flag. */
  public Long flagVersion(String flag) {
    return snapshot.flagKeys().contains(flag) ? flagVersions.get(flag) : null;
  }
}

package dev.rollgate.server.evaluation;

import dev.rollgate.core.ErrorCode;
import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.ExplanationStep;
import dev.rollgate.core.Reason;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.ServedEnvironment;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Why a flag answers what it does for a context: one evaluation of the environment's served
 * snapshot, as OFREP evaluates it (the same snapshot, so kill switches and the splits of running
 * rollouts and experiments included), with the engine's trace. It only reads: it counts in no
 * {@link Usage} and reports no exposure, so asking why never skews what it explains.
 */
public final class ExplainService {
  private final Catalog catalog;

  public ExplainService(Catalog catalog) {
    this.catalog = catalog;
  }

  /** Explain {@code flag} in {@code environment} of {@code project} for {@code context}. */
  public record Explain(
      String project, String environment, String flag, EvaluationContext context) {}

  /**
   * The evaluation and its steps.
   *
   * @param value the variant's value, or null when the caller's default would be served
   * @param variant null when no variant was served
   * @param errorCode null unless {@code reason} is ERROR; FLAG_NOT_FOUND for a flag the environment
   *     does not serve
   * @param flagVersion the version of the flag the snapshot compiled; null when it serves none
   */
  public record Explanation(
      String flag,
      Object value,
      String variant,
      Reason reason,
      ErrorCode errorCode,
      String errorMessage,
      Long flagVersion,
      List<ExplanationStep> steps)
      implements Plain.Shown {

    /** Absent fields are left out, but value and variant are always there (null: none). */
    @Override
    public Object plain() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("flag", flag);
      json.put("value", value);
      json.put("variant", variant);
      json.put("reason", reason.name());
      if (errorCode != null) {
        json.put("errorCode", errorCode.name());
        json.put("errorMessage", errorMessage);
      }
      if (flagVersion != null) {
        json.put("flagVersion", flagVersion);
      }
      json.put("steps", steps.stream().map(ExplanationStep::toJson).toList());
      return json;
    }
  }

  public Explanation explain(Explain command) {
    ServedEnvironment served = catalog.served(command.project(), command.environment());
    if (served == null) {
      throw Failure.notFound("environment " + command.project() + "/" + command.environment());
    }
    // OFREP's call exactly: no type asked, and no caller's default (null).
    Resolution r =
        served.snapshot().explain(command.flag(), ValueType.ANY, null, command.context());
    return new Explanation(
        command.flag(),
        r.value(),
        r.variant(),
        r.reason(),
        r.errorCode(),
        r.errorMessage(),
        served.flagVersion(command.flag()),
        r.explanation());
  }
}

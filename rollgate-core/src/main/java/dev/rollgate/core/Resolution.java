package dev.rollgate.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of evaluating one flag: the value, the variant that supplied it, the reason, an error
 * code and message when it failed, the flag's metadata, and the explanation when one was asked for.
 *
 * <p>Resolutions of successful evaluations are built once per snapshot and shared, so evaluating
 * allocates nothing; they are immutable.
 */
public final class Resolution {
  private final String key;
  private final Object value;
  private final String variant;
  private final Reason reason;
  private final ErrorCode errorCode;
  private final String errorMessage;
  private final Map<String, Object> metadata;
  private final List<ExplanationStep> explanation;

  Resolution(
      String key,
      Object value,
      String variant,
      Reason reason,
      ErrorCode errorCode,
      String errorMessage,
      Map<String, Object> metadata,
      List<ExplanationStep> explanation) {
    this.key = key;
    this.value = value;
    this.variant = variant;
    this.reason = reason;
    this.errorCode = errorCode;
    this.errorMessage = errorMessage;
    this.metadata = metadata;
    this.explanation = explanation;
  }

  static Resolution error(
      String key, Object defaultValue, ErrorCode code, String message, Map<String, Object> meta) {
    return new Resolution(key, defaultValue, null, Reason.ERROR, code, message, meta, null);
  }

  Resolution withExplanation(List<ExplanationStep> steps) {
    return new Resolution(
        key, value, variant, reason, errorCode, errorMessage, metadata, List.copyOf(steps));
  }

  public String key() {
    return key;
  }

  /** The value: the variant's, or the caller's default when no variant was served. */
  public Object value() {
    return value;
  }

  /** The variant served, or null when the caller's default was returned. */
  public String variant() {
    return variant;
  }

  public Reason reason() {
    return reason;
  }

  /** Null unless {@link #reason()} is {@link Reason#ERROR}. */
  public ErrorCode errorCode() {
    return errorCode;
  }

  public String errorMessage() {
    return errorMessage;
  }

  /** The flag's metadata (merged over the flag set's), empty when it has none. */
  public Map<String, Object> metadata() {
    return metadata;
  }

  /** The explanation, or null when none was asked for. */
  public List<ExplanationStep> explanation() {
    return explanation;
  }

  public boolean isError() {
    return reason == Reason.ERROR;
  }

  /**
   * The resolution in Rollgate's JSON shape: {@code key, value, variant, reason, errorCode,
   * errorMessage, metadata, explanation}, leaving out absent fields.
   */
  public Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("key", key);
    json.put("value", value);
    if (variant != null) {
      json.put("variant", variant);
    }
    json.put("reason", reason.name());
    if (errorCode != null) {
      json.put("errorCode", errorCode.name());
    }
    if (errorMessage != null) {
      json.put("errorMessage", errorMessage);
    }
    if (!metadata.isEmpty()) {
      json.put("metadata", metadata);
    }
    if (explanation != null) {
      json.put("explanation", explanation.stream().map(ExplanationStep::toJson).toList());
    }
    return json;
  }

  @Override
  public String toString() {
    return "Resolution" + toJson();
  }
}

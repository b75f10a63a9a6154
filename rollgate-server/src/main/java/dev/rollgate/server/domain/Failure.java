package dev.rollgate.server.domain;

import java.util.List;
import java.util.Map;

/**
 * Why a command was refused, in the domain's words: a {@link Kind} that the HTTP edge maps to a
 * status in one place, a stable machine-readable code, a message for people and optional details
 * (each a small map, such as the field or JSON path at fault).
 *
 * <p>Services, stores and domain records throw only this; none of them knows about HTTP.
 */
public final class Failure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of refusal this is; the edge answers each with one status. */
  public enum Kind {
    /** The input is wrong: a field, a JSON path, a combination of values. */
    INVALID_INPUT,
    /** The resource named does not exist. */
    NOT_FOUND,
    /** The change contradicts the current state (already exists, still in use, wrong state). */
    CONFLICT,
    /** The caller named a version other than the stored one. */
    VERSION_MISMATCH,
    /** The change is only accepted with the version the caller last read. */
    VERSION_REQUIRED,
    /** The caller's credentials are unknown, revoked or expired. */
    UNAUTHENTICATED,
    /** The caller may not do this. */
    FORBIDDEN,
    /** A part the command needs is not available now; retrying later may work. */
    UNAVAILABLE
  }

  private final Kind kind;
  private final String code;
  private final transient List<Map<String, Object>> details;

  public Failure(Kind kind, String code, String message, List<Map<String, Object>> details) {
    super(message);
    this.kind = kind;
    this.code = code;
    this.details = List.copyOf(details);
  }

  public Failure(Kind kind, String code, String message) {
    this(kind, code, message, List.of());
  }

  public Kind kind() {
    return kind;
  }

  public String code() {
    return code;
  }

  public List<Map<String, Object>> details() {
    return details;
  }

  /** The request as a whole is wrong. */
  public static Failure invalid(String message) {
    return new Failure(Kind.INVALID_INPUT, "invalid_request", message);
  }

  /** A field of the input is wrong; {@code field} is its path, such as {@code variants.on}. */
  public static Failure invalidField(String field, String message) {
    return new Failure(
        Kind.INVALID_INPUT,
        "invalid_field",
        field + ": " + message,
        List.of(Map.of("field", field, "message", message)));
  }

  public static Failure notFound(String what) {
    return new Failure(Kind.NOT_FOUND, "not_found", what + " not found");
  }

  public static Failure conflict(String message) {
    return new Failure(Kind.CONFLICT, "conflict", message);
  }

  public static Failure forbidden(String message) {
    return new Failure(Kind.FORBIDDEN, "forbidden", message);
  }

  public static Failure versionMismatch(String message) {
    return new Failure(Kind.VERSION_MISMATCH, "version_mismatch", message);
  }
}

package dev.rollgate.server.http;

import java.util.List;
import java.util.Map;

/**
 * An error answered to the client as {@code {"status","code","message","requestId","details"?}}.
 * Everything a client can get wrong ends here, never in a 500.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final transient List<Map<String, Object>> details;

  public ApiException(int status, String code, String message) {
    this(status, code, message, List.of());
  }

  public ApiException(int status, String code, String message, List<Map<String, Object>> details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = List.copyOf(details);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public List<Map<String, Object>> details() {
    return details;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, "invalid_request", message);
  }

  /**
   * A field of the request body is wrong; {@code field} is its path, such as {@code variants.on}.
   */
  public static ApiException invalidField(String field, String message) {
    return new ApiException(
        400,
        "invalid_field",
        field + ": " + message,
        List.of(Map.of("field", field, "message", message)));
  }

  public static ApiException notFound(String what) {
    return new ApiException(404, "not_found", what + " not found");
  }

  public static ApiException conflict(String message) {
    return new ApiException(409, "conflict", message);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, "forbidden", message);
  }
}

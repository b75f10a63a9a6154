package dev.rollgate.server.http;

import dev.rollgate.core.json.Json;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors that Jetty answers before Rollgate sees the request (a request line it cannot parse, a URI
 * or headers over its limits, an unknown HTTP version): the same JSON error, with the same security
 * headers, as every other answer, instead of Jetty's HTML page. Jetty closes the connection after
 * such an error, so the answer says {@code Connection: close}: a client that reused the connection
 * would otherwise find it dead on its next request.
 */
final class JsonErrorHandler extends ErrorHandler {

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int status,
      String message,
      Throwable cause,
      Callback callback) {
    String requestId = UUID.randomUUID().toString();
    headers(response.getHeaders(), requestId);
    response.write(true, ByteBuffer.wrap(body(status, message, requestId)), callback);
  }

  private static void headers(HttpFields.Mutable fields, String requestId) {
    fields.put(HttpHeader.CONNECTION, "close");
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    fields.put("X-Request-Id", requestId);
    fields.put("X-Content-Type-Options", "nosniff");
    fields.put("X-Frame-Options", "DENY");
    fields.put("Referrer-Policy", "no-referrer");
    fields.put(HttpHeader.CACHE_CONTROL, "no-store");
    fields.put("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  }

  private static byte[] body(int status, String reason, String requestId) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", status);
    body.put("code", code(status));
    body.put("message", reason == null || reason.isBlank() ? "bad request" : reason);
    body.put("requestId", requestId);
    return Json.writeBytes(body);
  }

  private static String code(int status) {
    return switch (status) {
      case 400 -> "bad_request";
      case 414 -> "uri_too_long";
      case 431 -> "headers_too_large";
      case 505 -> "http_version_not_supported";
      default -> "http_" + status;
    };
  }
}

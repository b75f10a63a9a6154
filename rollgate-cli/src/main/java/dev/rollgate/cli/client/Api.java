package dev.rollgate.cli.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.rollgate.cli.common.CliFailure;
import dev.rollgate.cli.common.Errors;
import dev.rollgate.cli.common.ExitCodes;
import dev.rollgate.cli.common.Text;
import dev.rollgate.cli.common.UserInputException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The admin API over HTTP: one request at a time, JSON in and out, every refusal turned into an
 * {@link ApiFailure} that names the server's status, code, message and request id.
 */
public final class Api {
  /** Strict JSON: trailing text and duplicate keys are errors, not guesses. */
  public static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final URI base;
  private final String token;
  private final Duration timeout;
  private final HttpClient http;

  /** A successful answer: its status, its JSON (missing when empty), and its ETag (or null). */
  public record Reply(int status, JsonNode json, String etag, String text) {
    /** The version the ETag names, for If-Match; null when the answer has none. */
    public String version() {
      String version = etag == null ? null : etag.replaceFirst("^W/", "").replace("\"", "");
      return version != null && version.matches("\\d{1,18}") ? version : null;
    }
  }

  public Api(URI base, String token, Duration timeout) {
    this.base = base;
    this.token = token;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  public URI base() {
    return base;
  }

  /** A path under the base URL, which may itself have a path (a server behind a proxy). */
  private URI resolve(String path) {
    return base.resolve(path.startsWith("/") ? path.substring(1) : path);
  }

  /**
   * The {@code X-Rollgate-Comment} header for a comment: as it is when it is printable ASCII, else
   * an RFC 8187 ext-value ({@code UTF-8''...}) that the server decodes, since a header carries
   * ASCII only.
   */
  public static String commentHeader(String comment) {
    boolean plain =
        comment.chars().allMatch(c -> c >= 0x20 && c <= 0x7e)
            && !comment.regionMatches(true, 0, "UTF-8''", 0, 7);
    if (plain) {
      return comment;
    }
    StringBuilder encoded = new StringBuilder("UTF-8''");
    for (byte b : comment.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c > 0x20 && c < 0x7f && c != '%') {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        encoded.append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return encoded.toString();
  }

  /**
   * {@code segments} joined into a path, each one percent-encoded. An empty segment, {@code .} or
   * {@code ..} would name another resource once the URL is normalised (a flag "..": its project),
   * so each is refused.
   */
  public static String path(String... segments) {
    StringJoiner path = new StringJoiner("/", "/", "");
    for (String segment : segments) {
      if (segment == null || segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new UserInputException(
            "'" + (segment == null ? "" : segment) + "' is not a key: it would name another path");
      }
      path.add(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return path.toString();
  }

  /** {@code path} with the non-null parameters as a query string. */
  public static String query(String path, Map<String, ?> parameters) {
    StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
    parameters.forEach((name, value) -> {
      if (value != null) {
        query.add(name + "=" + URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8));
      }
    });
    return path + query;
  }

  public Reply get(String path) {
    return send("GET", path, null, Map.of());
  }

  public Reply send(String method, String path, JsonNode body, Map<String, String> headers) {
    return exchange(method, path, body, headers, true);
  }

  /** Like {@link #send} without the token: for the token exchange, which has none yet. */
  public Reply sendAnonymous(String method, String path, JsonNode body) {
    return exchange(method, path, body, Map.of(), false);
  }

  /**
   * {@code GET} of a path outside the API (/ready, /metrics): the answer as text, any status; the
   * token goes only when {@code withToken}.
   */
  public HttpResponse<String> raw(String path, boolean withToken) {
    HttpRequest.Builder request = HttpRequest.newBuilder(resolve(path)).timeout(timeout);
    if (withToken && token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return execute(request.GET().build(), path);
  }

  /**
   * A GET of a document that is not JSON (a report as Markdown or PDF): its bytes, with the token;
   * a refusal throws as {@link #send} does.
   */
  public byte[] download(String path, String accept) {
    if (token == null) {
      throw new CliFailure(
          ExitCodes.UNAUTHORISED,
          "no token: pass --token, set ROLLGATE_TOKEN, or run rollgate login");
    }
    HttpRequest request =
        HttpRequest.newBuilder(resolve(path))
            .timeout(timeout)
            .header("Accept", accept)
            .header("User-Agent", "rollgate-cli")
            .header("Authorization", "Bearer " + token)
            .GET()
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new CliFailure(ExitCodes.UNREACHABLE, "cannot reach " + base + ": " + Errors.reason(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(ExitCodes.UNREACHABLE, "interrupted while calling " + path);
    }
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      throw failure(status, parse(new String(response.body(), StandardCharsets.UTF_8)));
    }
    return response.body();
  }

  /** A GET of an address outside this server (an identity provider) with its own headers. */
  public JsonNode getAbsolute(URI uri, Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    headers.forEach(request::header);
    HttpResponse<String> response = execute(request.build(), uri.getPath());
    if (response.statusCode() != 200) {
      throw new ApiFailure(
          response.statusCode(), null, uri.getHost() + " answered HTTP " + response.statusCode());
    }
    return parse(response.body());
  }

  /** Throws the failure an answer of {@link #raw} stands for, unless it is a 2xx. */
  public void requireSuccess(HttpResponse<String> response) {
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      throw failure(status, parse(response.body()));
    }
  }

  private Reply exchange(
      String method, String path, JsonNode body, Map<String, String> headers, boolean authorised) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(resolve(path))
            .timeout(timeout)
            .header("Accept", "application/json")
            .header("User-Agent", "rollgate-cli");
    if (authorised) {
      if (token == null) {
        throw new CliFailure(
            ExitCodes.UNAUTHORISED,
            "no token: pass --token, set ROLLGATE_TOKEN, or run rollgate login");
      }
      request.header("Authorization", "Bearer " + token);
    }
    headers.forEach(request::header);
    if (body != null) {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<String> response = execute(request.build(), path);
    String etag = response.headers().firstValue("ETag").orElse(null);
    JsonNode json = parse(response.body());
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      if (json.isMissingNode() && !response.body().isBlank()) {
        throw new CliFailure(
            ExitCodes.UNREACHABLE,
            base
                + " answered HTTP "
                + status
                + " with something that is not JSON: is --url a Rollgate server?");
      }
      return new Reply(status, json, etag, response.body());
    }
    if (status >= 300 && status < 400) {
      throw new CliFailure(
          ExitCodes.UNREACHABLE,
          base
              + " answered HTTP "
              + status
              + ", pointing to "
              + Text.printable(response.headers().firstValue("Location").orElse("nowhere"))
              + ": use that address as --url (tokens are not sent on redirects)");
    }
    throw failure(status, json);
  }

  private HttpResponse<String> execute(HttpRequest request, String path) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new CliFailure(ExitCodes.UNREACHABLE, "cannot reach " + base + ": " + Errors.reason(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(ExitCodes.UNREACHABLE, "interrupted while calling " + path);
    }
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return MissingNode.getInstance();
    }
  }

  /** The server's words for a refusal, with what to do about a conflict. */
  private ApiFailure failure(int status, JsonNode json) {
    String code = json.path("code").isTextual() ? Text.printable(json.path("code").asText()) : null;
    String message =
        json.path("message").isTextual() ? Text.printable(json.path("message").asText()) : null;
    if (code == null || message == null) {
      return new ApiFailure(
          status, null, base + " answered HTTP " + status + " (not a Rollgate answer)");
    }
    StringBuilder line = new StringBuilder(message);
    JsonNode details = json.path("details");
    if (details.isArray() && !details.isEmpty()) {
      Map<String, String> first = new LinkedHashMap<>();
      details
          .get(0)
          .properties()
          .forEach(e -> first.put(e.getKey(), Text.printable(e.getValue().asText())));
      String where = first.getOrDefault("field", first.get("path"));
      if (first.containsKey("message") && !message.contains(first.get("message"))) {
        line.append(": ").append(where == null ? "" : where + ": ").append(first.get("message"));
      }
      if (details.size() > 1) {
        line.append(" (and ").append(details.size() - 1).append(" more)");
      }
    }
    if (status == 412 || (status == 409 && "version_mismatch".equals(code))) {
      line.append("; someone else changed it since it was read: read it again, or pass --force");
    }
    String requestId =
        json.path("requestId").isTextual() ? Text.printable(json.path("requestId").asText()) : null;
    return new ApiFailure(
        status,
        code,
        status
            + " "
            + code
            + ": "
            + line
            + (requestId == null ? "" : " (request " + requestId + ")"));
  }
}

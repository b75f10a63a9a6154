package dev.rollgate.server.http;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.domain.Actor;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.domain.Role;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What handlers need from a request, and how they answer. */
public final class Requests {
  static final String PRINCIPAL = "rollgate.principal";
  static final String REQUEST_ID = "rollgate.requestId";
  static final String ANSWERED = "rollgate.answered";

  /** The web UI session cookie's secret a request was authenticated by, when it was. */
  static final String SESSION = "rollgate.session";

  static final int MAX_COMMENT = 1000;

  private Requests() {}

  public static Principal principal(Context ctx) {
    Principal principal = ctx.attribute(PRINCIPAL);
    if (principal == null) {
      throw new ApiException(401, "unauthorized", "a bearer token is required");
    }
    return principal;
  }

  /**
   * The caller as the audit trail records it, with the {@code X-Rollgate-Comment} header. A header
   * carries only ASCII safely, so a comment in any other script comes as an RFC 8187 ext-value,
   * {@code UTF-8''INC-1%20%E2%80%94%20...}, which is decoded here.
   */
  public static Actor actor(Context ctx) {
    String comment = comment(ctx.header("X-Rollgate-Comment"));
    if (comment != null && comment.length() > MAX_COMMENT) {
      throw Failure.invalidField(
          "X-Rollgate-Comment", "is longer than " + MAX_COMMENT + " characters");
    }
    return principal(ctx).actor(comment == null || comment.isBlank() ? null : comment);
  }

  /** The header's comment: as sent, or decoded from {@code UTF-8''<percent-encoded>}. */
  static String comment(String header) {
    if (header == null || !header.regionMatches(true, 0, UTF8_PREFIX, 0, UTF8_PREFIX.length())) {
      return header;
    }
    String encoded = header.substring(UTF8_PREFIX.length());
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < encoded.length(); i++) {
      char c = encoded.charAt(i);
      if (c == '%'
          && i + 2 < encoded.length()
          && hex(encoded.charAt(i + 1)) >= 0
          && hex(encoded.charAt(i + 2)) >= 0) {
        bytes.write(hex(encoded.charAt(i + 1)) * 16 + hex(encoded.charAt(i + 2)));
        i += 2;
      } else if (c == '%' || c > 0x7e || c < 0x21) {
        throw Failure.invalidField("X-Rollgate-Comment", "is not a valid UTF-8'' ext-value");
      } else {
        bytes.write(c);
      }
    }
    try {
      String decoded =
          java.nio.charset.StandardCharsets.UTF_8
              .newDecoder()
              .decode(java.nio.ByteBuffer.wrap(bytes.toByteArray()))
              .toString();
      if (decoded.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
        throw Failure.invalidField("X-Rollgate-Comment", "must not hold control characters");
      }
      return decoded;
    } catch (java.nio.charset.CharacterCodingException e) {
      throw Failure.invalidField("X-Rollgate-Comment", "is not UTF-8 once decoded");
    }
  }

  private static final String UTF8_PREFIX = "UTF-8''";

  private static int hex(char c) {
    return Character.digit(c, 16);
  }

  public static String requestId(Context ctx) {
    String id = ctx.attribute(REQUEST_ID);
    return id == null ? "-" : id;
  }

  /** Admin, editor or viewer. */
  public static Principal requireRead(Context ctx) {
    Principal p = principal(ctx);
    if (!p.role().canRead()) {
      throw Failure.forbidden(article(p.role().label()) + " token cannot use the admin API");
    }
    return p;
  }

  /**
   * Admin, editor or viewer; or an sdk token bound to {@code environment} of {@code project}, which
   * may read there what it can evaluate and fetch anyway (and nothing elsewhere).
   */
  public static Principal requireReadOf(Context ctx, String project, String environment) {
    Principal p = principal(ctx);
    if (p.role() != Role.SDK) {
      return requireRead(ctx);
    }
    if (!project.equals(p.project()) || !environment.equals(p.environment())) {
      throw Failure.forbidden(
          "an sdk token reads only its own environment, " + p.project() + "/" + p.environment());
    }
    return p;
  }

  /** Admin or editor. */
  public static Principal requireEdit(Context ctx) {
    Principal p = requireRead(ctx);
    if (!p.role().canEdit()) {
      throw Failure.forbidden(article(p.role().label()) + " token cannot change anything");
    }
    return p;
  }

  /** "an approver", "a viewer". */
  private static String article(String word) {
    return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
  }

  /** Admin or approver: who may approve a release. */
  public static Principal requireApprove(Context ctx) {
    Principal p = requireRead(ctx);
    if (!p.role().canApprove()) {
      throw Failure.forbidden("only admin and approver tokens may approve releases");
    }
    return p;
  }

  /** An sdk token, which names the project and environment it reads. */
  public static Principal requireSdk(Context ctx) {
    Principal p = principal(ctx);
    if (p.role() != Role.SDK) {
      throw Failure.forbidden(
          "evaluation and streaming take an sdk token (bound to an environment)");
    }
    return p;
  }

  public static Principal requireAdmin(Context ctx) {
    Principal p = requireRead(ctx);
    if (p.role() != Role.ADMIN) {
      throw Failure.forbidden("only admin tokens may do this");
    }
    return p;
  }

  /**
   * The version named by {@code If-Match} ({@code "3"}, {@code W/"3"} or {@code 3}), or null when
   * absent or {@code *} (which matches any existing resource). Any other entity tag, or a list of
   * them, names no version we issue: it comes back as {@link #NO_VERSION}, which every stored
   * version differs from, so the write fails with 412 as RFC 9110 section 13.1.1 says.
   */
  public static Long ifMatch(Context ctx) {
    String header = ctx.header("If-Match");
    if (header == null || header.isBlank() || header.strip().equals("*")) {
      return null;
    }
    String value = header.strip();
    if (value.startsWith("W/")) {
      value = value.substring(2);
    }
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    try {
      long version = Long.parseLong(value);
      return version < 0 ? NO_VERSION : version;
    } catch (NumberFormatException e) {
      return NO_VERSION;
    }
  }

  /** What {@link #ifMatch} answers for an entity tag that is not one of our versions. */
  public static final long NO_VERSION = -1;

  /** The request body, which must be a JSON object with only {@code allowed} fields. */
  public static JsonBody body(Context ctx, Set<String> allowed) {
    return JsonBody.parse(text(ctx), allowed);
  }

  /** Like {@link #body}, for a body that may be left out (or empty): then {@code {}}. */
  public static JsonBody optionalBody(Context ctx, Set<String> allowed) {
    String text = text(ctx);
    return JsonBody.parse(text.isBlank() ? "{}" : text, allowed);
  }

  /**
   * The request body as text. Read into an array of the announced length when there is one (the
   * usual case), which spares the copies of a generic read on the hot path; the size limit was
   * checked before the handler ran.
   */
  public static String text(Context ctx) {
    long length = ctx.req().getContentLengthLong();
    if (length < 0) {
      try {
        return ctx.body(); // chunked: Javalin reads it, enforcing the limit
      } catch (io.javalin.http.HttpResponseException e) {
        throw e; // over the limit: Javalin's 413
      } catch (Exception e) { // Jetty's EofException and other read failures, thrown unchecked
        throw new Failure(
            Failure.Kind.INVALID_INPUT,
            "malformed_body",
            "the body could not be read: "
                + (e.getMessage() == null ? "bad chunking" : e.getMessage()));
      }
    }
    try {
      byte[] bytes = ctx.req().getInputStream().readNBytes((int) length);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new Failure(
          Failure.Kind.INVALID_INPUT,
          "malformed_body",
          "the body could not be read: " + e.getMessage());
    }
  }

  public static boolean flag(Context ctx, String name) {
    String value = ctx.queryParam(name);
    if (value == null) {
      return false;
    }
    return switch (value) {
      case "true", "1", "" -> true;
      case "false", "0" -> false;
      default -> throw Failure.invalidField(name, "must be true or false");
    };
  }

  public static int limit(Context ctx, int fallback, int max) {
    String value = ctx.queryParam("limit");
    if (value == null) {
      return fallback;
    }
    try {
      int limit = Integer.parseInt(value);
      if (limit < 1 || limit > max) {
        throw Failure.invalidField("limit", "must be between 1 and " + max);
      }
      return limit;
    } catch (NumberFormatException e) {
      throw Failure.invalidField("limit", "must be a whole number");
    }
  }

  /** Answers JSON; a {@code version} becomes the ETag. */
  public static void json(Context ctx, int status, Object body, Long version) {
    if (version != null) {
      ctx.header("ETag", "\"" + version + "\"");
    }
    bytes(ctx, status, "application/json", Json.writeBytes(body));
  }

  /**
   * Writes a response body straight to the connection: Javalin's own result path copies it through
   * a 32 KiB buffer per response, which dominated allocation under evaluation load.
   */
  public static void bytes(Context ctx, int status, String contentType, byte[] body) {
    if (body.length >= Gzip.MIN_BYTES && Gzip.accepted(ctx)) {
      ctx.header("Vary", "Accept-Encoding");
      compressed(ctx, status, contentType, Gzip.of(body));
      return;
    }
    write(ctx, status, contentType, body);
  }

  /** Writes a body that is already gzipped. */
  public static void compressed(Context ctx, int status, String contentType, byte[] gzipped) {
    ctx.header("Content-Encoding", "gzip");
    write(ctx, status, contentType, gzipped);
  }

  private static void write(Context ctx, int status, String contentType, byte[] body) {
    ctx.status(status).contentType(contentType);
    ctx.res().setContentLength(body.length);
    try {
      ctx.res().getOutputStream().write(body);
      ctx.attribute(ANSWERED, Boolean.TRUE); // the 404 fallback must not answer a second time
    } catch (IOException e) {
      throw new UncheckedIOException(e); // the client went away
    }
  }

  /**
   * Answers a resource (a domain record, or a map) as JSON ({@link Plain}); its {@code version}
   * becomes the ETag.
   */
  public static void resource(Context ctx, int status, Object resource) {
    Object body = Plain.of(resource);
    json(
        ctx,
        status,
        body,
        body instanceof Map<?, ?> m && m.get("version") instanceof Long v ? v : null);
  }

  /**
   * Answers a write's resource, or with {@code dryRun} the resource as the write would leave it:
   * 200 whatever {@code status} the write has, {@code "dryRun": true} added, and no ETag (no stored
   * version is that one yet).
   */
  public static void resource(Context ctx, int status, Object resource, boolean dryRun) {
    if (!dryRun) {
      resource(ctx, status, resource);
      return;
    }
    if (!(Plain.of(resource) instanceof Map<?, ?> plain)) {
      throw new IllegalArgumentException("a resource renders as an object");
    }
    Map<Object, Object> out = new java.util.LinkedHashMap<>(plain);
    out.put("dryRun", true);
    json(ctx, 200, out, null);
  }

  /** Whether the request asks for a dry run ({@code ?dryRun=true}): check, write nothing. */
  public static boolean dryRun(Context ctx) {
    return flag(ctx, "dryRun");
  }

  /**
   * Answers 201 with a resource just created and the secret its caller sees this once; the
   * resource's own form (and so the audit trail) never holds it.
   */
  public static void createdWithSecret(Context ctx, Object resource, String secret) {
    if (!(Plain.of(resource) instanceof Map<?, ?> plain)) {
      throw new IllegalArgumentException("a resource renders as an object");
    }
    Map<Object, Object> out = new java.util.LinkedHashMap<>(plain);
    out.put("secret", secret);
    json(ctx, 201, out, null);
  }

  /** Answers {@code {"items": [...]}} with each item as {@link Plain} renders it. */
  public static void items(Context ctx, List<?> items) {
    json(ctx, 200, Map.of("items", Plain.of(items)), null);
  }
}

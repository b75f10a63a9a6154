package dev.rollgate.server.evaluation;

import dev.rollgate.core.ErrorCode;
import dev.rollgate.core.EvaluationContext;
import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.Resolution;
import dev.rollgate.core.ValueType;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonSyntaxException;
import dev.rollgate.core.protocol.Protocol;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.ServedEnvironment;
import dev.rollgate.server.crypto.Sha256;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import dev.rollgate.server.usage.Usage;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenFeature Remote Evaluation Protocol (OFREP 0.3): single and bulk evaluation of the
 * environment an sdk token is bound to, from the in-memory snapshot (the store is never asked).
 * Same engine, same answers as {@code rollgate eval} on the environment's flagd document.
 */
public final class OfrepRoutes implements HttpApi.Routes {
  private final Catalog catalog;
  private final Usage usage;
  private final ExposureSink exposures;

  public OfrepRoutes(Catalog catalog, Usage usage, ExposureSink exposures) {
    this.catalog = catalog;
    this.usage = usage;
    this.exposures = exposures;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(Protocol.OFREP_EVALUATE_FLAG_PATH, this::evaluateOne);
    r.post(Protocol.OFREP_EVALUATE_FLAGS_PATH, this::evaluateAll);
  }

  /** A 400 of OFREP's shape: {@code {key?, errorCode, errorDetails}}. */
  private static final class InvalidContext extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidContext(String message) {
      super(message);
    }
  }

  private void evaluateOne(Context ctx) {
    Principal sdk = Requests.requireSdk(ctx);
    String key = ctx.pathParam("key");
    EvaluationContext context;
    try {
      context = context(Requests.text(ctx));
    } catch (InvalidContext e) {
      answer(ctx, 400, failure(key, "INVALID_CONTEXT", e.getMessage(), Map.of()));
      return;
    }
    ServedEnvironment served = catalog.served(sdk.project(), sdk.environment());
    FlagSnapshot snapshot = served == null ? FlagSnapshot.empty() : served.snapshot();
    Resolution resolution = snapshot.evaluate(key, ValueType.ANY, null, context);
    if (resolution.errorCode() == ErrorCode.FLAG_NOT_FOUND) {
      answer(
          ctx, 404, failure(key, "FLAG_NOT_FOUND", "flag '" + key + "' was not found", Map.of()));
      return;
    }
    record(sdk, key, resolution, context);
    answer(ctx, resolution.isError() ? 400 : 200, item(resolution));
  }

  /** Counts an evaluation, and reports it as an exposure (the sink drops those without a unit). */
  private void record(Principal sdk, String key, Resolution resolution, EvaluationContext context) {
    usage.record(sdk.project(), sdk.environment(), key, resolution);
    exposures.exposure(
        sdk.project(), sdk.environment(), key, resolution.variant(), context.targetingKey());
  }

  private void evaluateAll(Context ctx) {
    Principal sdk = Requests.requireSdk(ctx);
    EvaluationContext context;
    try {
      context = context(Requests.text(ctx));
    } catch (InvalidContext e) {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("errorCode", "INVALID_CONTEXT");
      body.put("errorDetails", e.getMessage());
      answer(ctx, 400, body);
      return;
    }
    ServedEnvironment served = catalog.served(sdk.project(), sdk.environment());
    FlagSnapshot snapshot = served == null ? FlagSnapshot.empty() : served.snapshot();
    // The answer depends on the flags and on the context, so the ETag covers both.
    String etag =
        "\"" + (served == null ? "none" : served.etag()) + "-" + contextHash(context) + "\"";
    ctx.header("ETag", etag);
    String ifNoneMatch = ctx.header("If-None-Match");
    if (ifNoneMatch != null
        && (ifNoneMatch.equals(etag) || ifNoneMatch.equals(etag.replace("\"", "")))) {
      ctx.status(304);
      return;
    }
    List<Object> flags = new ArrayList<>();
    for (String key : snapshot.flagKeys()) {
      Resolution resolution = snapshot.evaluate(key, ValueType.ANY, null, context);
      // A bulk evaluation fetches every flag; it is no sign that the unit saw any of them, so it
      // counts usage but records no exposure (docs/experiments.md).
      usage.record(sdk.project(), sdk.environment(), key, resolution);
      flags.add(item(resolution));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("flags", flags);
    Map<String, Object> metadata = new LinkedHashMap<>(snapshot.metadata());
    if (served != null) {
      metadata.put("version", served.etag());
    }
    body.put("metadata", metadata);
    body.put(
        "eventStreams",
        List.of(Map.of("type", "sse", "endpoint", Map.of("requestUri", Protocol.STREAM_PATH))));
    answer(ctx, 200, body);
  }

  /** A resolution as OFREP writes it: a success, a code default (no value), or a failure. */
  private static Map<String, Object> item(Resolution r) {
    if (r.isError()) {
      return failure(r.key(), ofrepErrorCode(r.errorCode()), r.errorMessage(), r.metadata());
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("key", r.key());
    if (r.variant() != null) {
      json.put("value", r.value()); // no variant: the caller's default, which OFREP leaves out
      json.put("variant", r.variant());
    }
    json.put("reason", r.reason().name());
    if (!r.metadata().isEmpty()) {
      json.put("metadata", r.metadata());
    }
    return json;
  }

  /**
   * OFREP's error codes for an evaluation failure; TYPE_MISMATCH cannot occur (OFREP has no types).
   */
  private static String ofrepErrorCode(ErrorCode code) {
    return switch (code) {
      case PARSE_ERROR, TARGETING_KEY_MISSING, FLAG_NOT_FOUND -> code.name();
      default -> "GENERAL";
    };
  }

  private static Map<String, Object> failure(
      String key, String code, String details, Map<String, Object> metadata) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("key", key);
    json.put("errorCode", code);
    json.put("errorDetails", details);
    if (!metadata.isEmpty()) {
      json.put("metadata", metadata);
    }
    return json;
  }

  /** The request's {@code context}: an object whose {@code targetingKey}, if any, is a string. */
  @SuppressWarnings("unchecked")
  private static EvaluationContext context(String body) {
    Object json;
    try {
      json = body == null || body.isBlank() ? null : Json.parse(body);
    } catch (JsonSyntaxException e) {
      throw new InvalidContext("the body is not JSON: " + e.getMessage());
    }
    if (!(json instanceof Map<?, ?> request)) {
      throw new InvalidContext("the body must be a JSON object with a context");
    }
    Object context = request.get("context");
    if (context == null) {
      return EvaluationContext.empty();
    }
    if (!(context instanceof Map<?, ?>)) {
      throw new InvalidContext("context must be a JSON object");
    }
    try {
      return EvaluationContext.fromJson((Map<String, Object>) context);
    } catch (IllegalArgumentException e) {
      throw new InvalidContext(e.getMessage());
    }
  }

  private static String contextHash(EvaluationContext context) {
    return Sha256.hex(Json.write(sorted(context.asMap())), 8);
  }

  private static Object sorted(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> out = new TreeMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), sorted(v)));
      return out;
    }
    if (value instanceof List<?> list) {
      return list.stream().map(OfrepRoutes::sorted).toList();
    }
    return value;
  }

  private static void answer(Context ctx, int status, Object body) {
    Requests.json(ctx, status, body, null);
  }
}

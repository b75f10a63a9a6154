package dev.rollgate.server.monitor;

import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.http.JsonBody;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What one check looks at, by type: an HTTP endpoint, a Prometheus query, a metric services push,
 * or the audit trail's chain. The health monitor runs them on a schedule; releases run the same
 * specs as their pre- and post-checks.
 */
public sealed interface CheckSpec {
  /** The fields of each type, as a request and the store write them. */
  Set<String> HTTP_FIELDS = Set.of("url", "method", "expectedStatus", "bodyContains", "timeoutMs");

  Set<String> PROMETHEUS_FIELDS = Set.of("query", "comparison", "threshold", "timeoutMs");
  Set<String> METRIC_FIELDS =
      Set.of("environment", "metric", "comparison", "threshold", "maxAgeSeconds");

  /** Every type-specific field, for bodies that hold a spec among other fields. */
  Set<String> ALL_FIELDS =
      Set.of(
          "type",
          "url",
          "method",
          "expectedStatus",
          "bodyContains",
          "timeoutMs",
          "query",
          "comparison",
          "threshold",
          "environment",
          "metric",
          "maxAgeSeconds");

  long DEFAULT_TIMEOUT_MS = 5_000;
  long MAX_TIMEOUT_MS = 60_000;

  /** The type's name: {@code http}, {@code prometheus}, {@code metric}, {@code audit}. */
  String type();

  /** The type's settings, as stored and shown (the type itself not included). */
  Map<String, Object> settings();

  /** A GET, HEAD or POST that must answer {@code expectedStatus}, with the text if one is given. */
  record Http(String url, String method, int expectedStatus, String bodyContains, long timeoutMs)
      implements CheckSpec {
    @Override
    public String type() {
      return "http";
    }

    @Override
    public Map<String, Object> settings() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("url", url);
      json.put("method", method);
      json.put("expectedStatus", expectedStatus);
      json.put("bodyContains", bodyContains);
      json.put("timeoutMs", timeoutMs);
      return json;
    }
  }

  /**
   * An instant PromQL query against the server's Prometheus: every series it returns must pass
   * {@code value comparison threshold}; no series at all fails.
   */
  record Prometheus(String query, Comparison comparison, double threshold, long timeoutMs)
      implements CheckSpec {
    @Override
    public String type() {
      return "prometheus";
    }

    @Override
    public Map<String, Object> settings() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("query", query);
      json.put("comparison", comparison.symbol());
      json.put("threshold", threshold);
      json.put("timeoutMs", timeoutMs);
      return json;
    }
  }

  /**
   * The latest value pushed for {@code metric} in {@code environment} within {@code maxAgeSeconds}
   * must pass {@code value comparison threshold}; no value that recent fails.
   */
  record Metric(
      String environment,
      String metric,
      Comparison comparison,
      double threshold,
      long maxAgeSeconds)
      implements CheckSpec {
    @Override
    public String type() {
      return "metric";
    }

    @Override
    public Map<String, Object> settings() {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("environment", environment);
      json.put("metric", metric);
      json.put("comparison", comparison.symbol());
      json.put("threshold", threshold);
      json.put("maxAgeSeconds", maxAgeSeconds);
      return json;
    }
  }

  /** The audit trail's hash chain and signatures verify. */
  record Audit() implements CheckSpec {
    @Override
    public String type() {
      return "audit";
    }

    @Override
    public Map<String, Object> settings() {
      return Map.of();
    }
  }

  /** The spec and its type as one JSON object, as releases list their checks. */
  default Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("type", type());
    json.putAll(settings());
    return json;
  }

  /**
   * Reads a spec from {@code body}'s {@code type} and that type's fields; a field of another type
   * is refused, so that a typo does not pass for a setting.
   */
  static CheckSpec parse(JsonBody body) {
    String type = body.string("type", true);
    Set<String> own =
        switch (type) {
          case "http" -> HTTP_FIELDS;
          case "prometheus" -> PROMETHEUS_FIELDS;
          case "metric" -> METRIC_FIELDS;
          case "audit" -> Set.of();
          default ->
              throw Failure.invalidField(
                  body.path("type"), "must be one of http, prometheus, metric, audit");
        };
    for (String field : ALL_FIELDS) {
      if (!field.equals("type") && body.has(field) && !own.contains(field)) {
        throw Failure.invalidField(body.path(field), "is not a setting of a " + type + " check");
      }
    }
    long timeout = orElse(body.whole("timeoutMs", 1, MAX_TIMEOUT_MS), DEFAULT_TIMEOUT_MS);
    return switch (type) {
      case "http" -> {
        String url = body.string("url", true);
        if (url.length() > 2048) {
          throw Failure.invalidField(body.path("url"), "must be at most 2048 characters");
        }
        String method = orElse(body.string("method", false), "GET").toUpperCase(Locale.ROOT);
        if (!Set.of("GET", "HEAD", "POST").contains(method)) {
          throw Failure.invalidField(body.path("method"), "must be GET, HEAD or POST");
        }
        String contains = body.string("bodyContains", false);
        if (contains != null && (contains.isEmpty() || contains.length() > 1024)) {
          throw Failure.invalidField(body.path("bodyContains"), "must be 1 to 1024 characters");
        }
        yield new Http(
            url,
            method,
            orElse(body.whole("expectedStatus", 100, 599), 200L).intValue(),
            contains,
            timeout);
      }
      case "prometheus" -> {
        String query = body.string("query", true);
        if (query.isBlank() || query.length() > 4096) {
          throw Failure.invalidField(
              body.path("query"), "must be a PromQL query of 1 to 4096 characters");
        }
        yield new Prometheus(query, comparison(body), threshold(body), timeout);
      }
      case "metric" -> {
        yield new Metric(
            body.key("environment"),
            body.key("metric"),
            comparison(body),
            threshold(body),
            orElse(body.whole("maxAgeSeconds", 1, 7L * 86400), 600L));
      }
      default -> new Audit();
    };
  }

  private static Comparison comparison(JsonBody body) {
    String symbol = body.string("comparison", true);
    return Comparison.parse(symbol, body.path("comparison"));
  }

  private static double threshold(JsonBody body) {
    Double threshold = body.number("threshold", -Double.MAX_VALUE, Double.MAX_VALUE);
    if (threshold == null) {
      throw Failure.invalidField(body.path("threshold"), "is required");
    }
    return threshold;
  }

  private static <T> T orElse(T value, T fallback) {
    return value == null ? fallback : value;
  }

  /** Reads back what {@link #settings} stored for {@code type}. */
  static CheckSpec stored(String type, Map<String, Object> settings) {
    Map<String, Object> json = new LinkedHashMap<>(settings);
    json.values().removeIf(java.util.Objects::isNull);
    json.put("type", type);
    return parse(JsonBody.of(json, "spec", ALL_FIELDS));
  }
}

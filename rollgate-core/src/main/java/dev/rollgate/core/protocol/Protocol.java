package dev.rollgate.core.protocol;

/**
 * The names the server and its SDKs must agree on: paths, headers, server-sent event names and the
 * fields of an event batch. They live here, in the module both depend on, so that a rename on one
 * side cannot silently break the other.
 *
 * <p>Only names that cross the wire are kept here; how each side uses them stays with that side.
 */
public final class Protocol {
  private Protocol() {}

  // Paths

  /** {@code GET}: server-sent events that push an environment's configuration to SDKs. */
  public static final String STREAM_PATH = "/api/v1/stream";

  /** {@code GET}: the environment's configuration (a flagd document), for polling with an ETag. */
  public static final String SDK_FLAGS_PATH = "/api/v1/sdk/flags";

  /** {@code POST}: a batch of exposures, track events and outcomes. */
  public static final String EVENTS_PATH = "/api/v1/events";

  /** {@code POST}: OFREP bulk evaluation. */
  public static final String OFREP_EVALUATE_FLAGS_PATH = "/ofrep/v1/evaluate/flags";

  /** {@code POST}: OFREP single evaluation; {@code {key}} is the flag key (a route pattern). */
  public static final String OFREP_EVALUATE_FLAG_PATH = "/ofrep/v1/evaluate/flags/{key}";

  // Headers

  /** The header that carries a token (sdk tokens, as OFREP allows). */
  public static final String HEADER_API_KEY = "X-API-Key";

  /** The other way to send a token: {@code Authorization: Bearer <token>}. */
  public static final String HEADER_AUTHORIZATION = "Authorization";

  /** The scheme prefix of {@link #HEADER_AUTHORIZATION}, with its space. */
  public static final String BEARER_PREFIX = "Bearer ";

  public static final String HEADER_ETAG = "ETag";
  public static final String HEADER_IF_NONE_MATCH = "If-None-Match";

  /** Sent by a reconnecting SSE client; the stream answers with the current configuration. */
  public static final String HEADER_LAST_EVENT_ID = "Last-Event-ID";

  /** The stream answers only requests that accept this media type. */
  public static final String EVENT_STREAM_MEDIA_TYPE = "text/event-stream";

  // Server-sent events on STREAM_PATH

  /** The event whose data is the environment's whole configuration (a flagd document). */
  public static final String SSE_EVENT_CONFIGURATION = "configuration";

  /** The default SSE event, which OFREP providers listen to. */
  public static final String SSE_EVENT_MESSAGE = "message";

  /** The {@code type} of the OFREP message that tells providers to evaluate again. */
  public static final String SSE_REFETCH_EVALUATION = "refetchEvaluation";

  // Event batches on EVENTS_PATH: {"events": [{"type": ..., ...}, ...]}

  /** The batch's one field: the list of events. */
  public static final String BATCH_EVENTS = "events";

  /** Every event's kind: one of the {@code EVENT_TYPE_*} values. */
  public static final String FIELD_TYPE = "type";

  /** The first evaluation of a flag's variant for a targeting key. */
  public static final String EVENT_TYPE_EXPOSURE = "exposure";

  /** A business event (a conversion, a purchase with its value). */
  public static final String EVENT_TYPE_TRACK = "track";

  /** One request's outcome. */
  public static final String EVENT_TYPE_OUTCOME = "outcome";

  /** A window of outcomes added up per flag, variant, route and second. */
  public static final String EVENT_TYPE_OUTCOMES = "outcomes";

  /**
   * Evaluations an SDK made in process since its last batch, added up per flag, variant and reason
   * ({@code count} of them, the last at {@code time}): the server's flag usage.
   */
  public static final String EVENT_TYPE_EVALUATIONS = "evaluations";

  /**
   * A value of a service's own metric (a consumer lag, a queue depth): {@code name}, {@code value}
   * and {@code time}, read by health checks and releases.
   */
  public static final String EVENT_TYPE_METRIC = "metric";

  public static final String FIELD_FLAG = "flag";
  public static final String FIELD_VARIANT = "variant";
  public static final String FIELD_REASON = "reason";
  public static final String FIELD_TARGETING_KEY = "targetingKey";

  /** Epoch milliseconds when the event happened. */
  public static final String FIELD_TIME = "time";

  /** A track event's name. */
  public static final String FIELD_NAME = "name";

  /** A track event's value. */
  public static final String FIELD_VALUE = "value";

  public static final String FIELD_ROUTE = "route";

  /** A single outcome's duration in milliseconds. */
  public static final String FIELD_DURATION_MS = "durationMs";

  /** A single outcome's error flag. */
  public static final String FIELD_ERROR = "error";

  /** A window's first millisecond (inclusive). */
  public static final String FIELD_START = "start";

  /** A window's end millisecond (exclusive). */
  public static final String FIELD_END = "end";

  /** How many requests a window holds. */
  public static final String FIELD_COUNT = "count";

  /** How many of a window's requests failed. */
  public static final String FIELD_ERRORS = "errors";

  /** A window's latency histogram, as {@code LatencyHistogram.toJson()} writes it. */
  public static final String FIELD_LATENCY = "latency";
}

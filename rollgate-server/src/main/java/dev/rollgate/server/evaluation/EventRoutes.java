package dev.rollgate.server.evaluation;

import static dev.rollgate.core.protocol.Protocol.BATCH_EVENTS;
import static dev.rollgate.core.protocol.Protocol.EVENTS_PATH;
import static dev.rollgate.core.protocol.Protocol.EVENT_TYPE_EVALUATIONS;
import static dev.rollgate.core.protocol.Protocol.EVENT_TYPE_EXPOSURE;
import static dev.rollgate.core.protocol.Protocol.EVENT_TYPE_METRIC;
import static dev.rollgate.core.protocol.Protocol.EVENT_TYPE_OUTCOME;
import static dev.rollgate.core.protocol.Protocol.EVENT_TYPE_OUTCOMES;
import static dev.rollgate.core.protocol.Protocol.EVENT_TYPE_TRACK;
import static dev.rollgate.core.protocol.Protocol.FIELD_COUNT;
import static dev.rollgate.core.protocol.Protocol.FIELD_DURATION_MS;
import static dev.rollgate.core.protocol.Protocol.FIELD_END;
import static dev.rollgate.core.protocol.Protocol.FIELD_ERROR;
import static dev.rollgate.core.protocol.Protocol.FIELD_ERRORS;
import static dev.rollgate.core.protocol.Protocol.FIELD_FLAG;
import static dev.rollgate.core.protocol.Protocol.FIELD_LATENCY;
import static dev.rollgate.core.protocol.Protocol.FIELD_NAME;
import static dev.rollgate.core.protocol.Protocol.FIELD_REASON;
import static dev.rollgate.core.protocol.Protocol.FIELD_ROUTE;
import static dev.rollgate.core.protocol.Protocol.FIELD_START;
import static dev.rollgate.core.protocol.Protocol.FIELD_TARGETING_KEY;
import static dev.rollgate.core.protocol.Protocol.FIELD_TIME;
import static dev.rollgate.core.protocol.Protocol.FIELD_TYPE;
import static dev.rollgate.core.protocol.Protocol.FIELD_VALUE;
import static dev.rollgate.core.protocol.Protocol.FIELD_VARIANT;

import dev.rollgate.core.FlagSnapshot;
import dev.rollgate.core.Reason;
import dev.rollgate.core.health.LatencyHistogram;
import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.core.json.JsonSyntaxException;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.events.EventSink;
import dev.rollgate.server.events.Inbound;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.Requests;
import dev.rollgate.server.monitor.PushedMetrics;
import dev.rollgate.server.usage.Usage;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/events}: batches of exposures, track events, request outcomes and
 * pre-aggregated outcome windows from SDKs. Each event is checked on its own: the valid ones are
 * kept, and the answer lists the index and the reason of each one that was not. The valid events
 * are in the {@link EventSink} (the store's inbox, or Kafka) before the answer, so what is
 * acknowledged survives a crash; from there outcomes feed rollout health and exposures and track
 * events feed experiments. Exposures of flags that no experiment observes ({@link
 * ExposureSink#observes}) are not kept. Every valid event is counted ({@code
 * rollgate_events_received_total{type}}).
 */
public final class EventRoutes implements HttpApi.Routes {
  static final int MAX_BATCH = 1000;

  /** How far an event's own time may be from the server's before the server's is used. */
  private static final long MAX_PAST_MS = 3_600_000;

  private static final long MAX_FUTURE_MS = 60_000;
  private static final long MAX_WINDOW_MS = 60_000;
  private static final Map<String, Set<String>> FIELDS =
      Map.of(
          EVENT_TYPE_EXPOSURE,
              Set.of(
                  FIELD_TYPE,
                  FIELD_FLAG,
                  FIELD_VARIANT,
                  FIELD_REASON,
                  FIELD_TARGETING_KEY,
                  FIELD_TIME),
          EVENT_TYPE_TRACK,
              Set.of(FIELD_TYPE, FIELD_NAME, FIELD_TARGETING_KEY, FIELD_VALUE, FIELD_TIME),
          EVENT_TYPE_OUTCOME,
              Set.of(
                  FIELD_TYPE,
                  FIELD_FLAG,
                  FIELD_VARIANT,
                  FIELD_TARGETING_KEY,
                  FIELD_ROUTE,
                  FIELD_DURATION_MS,
                  FIELD_ERROR,
                  FIELD_TIME),
          EVENT_TYPE_EVALUATIONS,
              Set.of(FIELD_TYPE, FIELD_FLAG, FIELD_VARIANT, FIELD_REASON, FIELD_COUNT, FIELD_TIME),
          EVENT_TYPE_METRIC, Set.of(FIELD_TYPE, FIELD_NAME, FIELD_VALUE, FIELD_TIME),
          EVENT_TYPE_OUTCOMES,
              Set.of(
                  FIELD_TYPE,
                  FIELD_FLAG,
                  FIELD_VARIANT,
                  FIELD_ROUTE,
                  FIELD_START,
                  FIELD_END,
                  FIELD_COUNT,
                  FIELD_ERRORS,
                  FIELD_LATENCY));

  private static final Set<String> ALL_FIELDS =
      FIELDS.values().stream()
          .flatMap(Set::stream)
          .collect(java.util.stream.Collectors.toUnmodifiableSet());

  private final Catalog catalog;
  private final EventSink sink;
  private final ExposureSink exposures;
  private final Usage usage;
  private final PushedMetrics pushed;
  private final MeterRegistry meters;
  private final Clock clock;

  public EventRoutes(
      Catalog catalog,
      EventSink sink,
      ExposureSink exposures,
      Usage usage,
      PushedMetrics pushed,
      MeterRegistry meters,
      Clock clock) {
    this.catalog = catalog;
    this.sink = sink;
    this.exposures = exposures;
    this.usage = usage;
    this.pushed = pushed;
    this.meters = meters;
    this.clock = clock;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(EVENTS_PATH, this::receive);
  }

  private void receive(Context ctx) {
    Principal sdk = Requests.requireSdk(ctx);
    Object body;
    try {
      body = Json.parse(Requests.text(ctx));
    } catch (JsonSyntaxException e) {
      throw new Failure(Failure.Kind.INVALID_INPUT, "malformed_json", e.getMessage());
    }
    if (!(body instanceof Map<?, ?> map) || !(map.get(BATCH_EVENTS) instanceof List<?> events)) {
      throw Failure.invalidField(BATCH_EVENTS, "send {\"events\": [...]}");
    }
    if (events.size() > MAX_BATCH) {
      throw Failure.invalidField(BATCH_EVENTS, "at most " + MAX_BATCH + " events a batch");
    }
    FlagSnapshot flags = catalog.snapshot(sdk.project(), sdk.environment());
    long now = clock.millis();
    List<Map<String, Object>> rejected = new ArrayList<>();
    List<Inbound> kept = new ArrayList<>();
    List<Evaluations> counted = new ArrayList<>();
    List<PushedMetrics.Value> metrics = new ArrayList<>();
    Map<String, Integer> types = new LinkedHashMap<>();
    int accepted = 0;
    for (int i = 0; i < events.size(); i++) {
      String path = JsonPath.element(BATCH_EVENTS, i);
      try {
        JsonBody event = JsonBody.of(events.get(i), path, ALL_FIELDS);
        String flag = checkedFlag(flags, event);
        String type = event.string(FIELD_TYPE, true);
        if (type.equals(EVENT_TYPE_EVALUATIONS)) {
          counted.add(evaluations(flags, flag, event, now));
        } else if (type.equals(EVENT_TYPE_METRIC)) {
          metrics.add(metric(event, now));
        } else {
          Inbound inbound = accept(flag, event, now);
          if (!(inbound instanceof Inbound.Exposure x)
              || exposures.observes(sdk.project(), sdk.environment(), x.flag())) {
            kept.add(inbound);
          }
        }
        types.merge(event.string(FIELD_TYPE, true), 1, Integer::sum);
        accepted++;
      } catch (Failure e) {
        Map<String, Object> reason = new LinkedHashMap<>();
        reason.put("index", i);
        reason.put("message", e.getMessage());
        rejected.add(reason);
      }
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("accepted", accepted);
    answer.put("rejected", rejected);
    if (accepted == 0 && !rejected.isEmpty()) {
      throw new Failure(
          Failure.Kind.INVALID_INPUT,
          "invalid_events",
          "no event in the batch is valid; the first: " + rejected.getFirst().get("message"),
          rejected);
    }
    sink.append(sdk.project(), sdk.environment(), kept); // durable before the answer
    pushed.record(sdk.project(), sdk.environment(), metrics);
    // Usage is counted in memory and flushed with this replica's own counts within seconds.
    counted.forEach(c ->
        usage.add(
            sdk.project(),
            sdk.environment(),
            c.flag(),
            c.variant(),
            c.reason(),
            c.count(),
            c.time()));
    types.forEach((type, count) ->
        Counter.builder("rollgate.events.received")
            .description("Events received from SDKs")
            .tag("type", type)
            .tag("project", sdk.project())
            .tag("environment", sdk.environment())
            .register(meters)
            .increment(count));
    Requests.json(ctx, 202, answer, null);
  }

  /**
   * Checks the event's type and fields; returns the flag it is about (a flag of the environment),
   * or null for a track event.
   */
  private static String checkedFlag(FlagSnapshot flags, JsonBody e) {
    String type = e.string(FIELD_TYPE, true);
    Set<String> fields = FIELDS.get(type);
    if (fields == null) {
      throw Failure.invalidField(
          e.path(FIELD_TYPE), "must be exposure, track, outcome, outcomes, evaluations or metric");
    }
    for (String field : ALL_FIELDS) {
      if (e.has(field) && !fields.contains(field)) {
        throw Failure.invalidField(e.path(field), "unknown field for a " + type + " event");
      }
    }
    if (type.equals(EVENT_TYPE_TRACK) || type.equals(EVENT_TYPE_METRIC)) {
      return null;
    }
    String flag = e.string(FIELD_FLAG, true);
    if (flags == null || !flags.flagKeys().contains(flag)) {
      throw Failure.invalidField(e.path(FIELD_FLAG), "no flag " + flag + " in this environment");
    }
    return flag;
  }

  /** A service's metric value, checked: a key-like name and a finite value. */
  private static PushedMetrics.Value metric(JsonBody e, long now) {
    String name = e.key(FIELD_NAME);
    Double value = e.number(FIELD_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE);
    if (value == null) {
      throw Failure.invalidField(e.path(FIELD_VALUE), "is required: the metric's value");
    }
    return new PushedMetrics.Value(
        name, value, plausible(e.number(FIELD_TIME, 0, Double.MAX_VALUE), now));
  }

  /** Evaluations an SDK added up, checked. */
  private record Evaluations(String flag, String variant, String reason, long count, long time) {}

  private static Evaluations evaluations(FlagSnapshot flags, String flag, JsonBody e, long now) {
    String variant = e.string(FIELD_VARIANT, false);
    // Only the flag's own variants (or none): what is counted stays as small as the flag itself.
    if (variant != null && !variant.isEmpty() && !flags.hasVariant(flag, variant)) {
      throw Failure.invalidField(
          e.path(FIELD_VARIANT), "flag " + flag + " has no variant " + variant);
    }
    String reason = e.string(FIELD_REASON, true);
    try {
      Reason.valueOf(reason);
    } catch (IllegalArgumentException ex) {
      throw Failure.invalidField(e.path(FIELD_REASON), "is not an evaluation reason: " + reason);
    }
    long count = require(e.whole(FIELD_COUNT, 1, 1_000_000_000L), e.path(FIELD_COUNT));
    return new Evaluations(
        flag,
        variant == null ? "" : variant,
        reason,
        count,
        plausible(e.number(FIELD_TIME, 0, Double.MAX_VALUE), now));
  }

  /** The event, checked; a {@link Failure} says what is wrong with it. */
  private static Inbound accept(String flag, JsonBody e, long now) {
    String type = e.string(FIELD_TYPE, true);
    return switch (type) {
      case EVENT_TYPE_EXPOSURE ->
          new Inbound.Exposure(
              flag,
              e.string(FIELD_VARIANT, false),
              e.string(FIELD_TARGETING_KEY, false),
              plausible(e.number(FIELD_TIME, 0, Double.MAX_VALUE), now));
      case EVENT_TYPE_TRACK -> {
        String name = e.string(FIELD_NAME, true);
        Double value = e.number(FIELD_VALUE, -Double.MAX_VALUE, Double.MAX_VALUE);
        yield new Inbound.Track(
            e.string(FIELD_TARGETING_KEY, false),
            name,
            value == null ? 0 : value,
            plausible(e.number(FIELD_TIME, 0, Double.MAX_VALUE), now));
      }
      default -> outcome(flag, e, type.equals(EVENT_TYPE_OUTCOME), now);
    };
  }

  /** An {@code outcome} (one request) or an {@code outcomes} window, checked and recorded. */
  private static Inbound.Outcome outcome(String flag, JsonBody e, boolean single, long now) {
    String variant = e.string(FIELD_VARIANT, true);
    String route = e.string(FIELD_ROUTE, false);
    if (route != null && route.length() > 256) {
      throw Failure.invalidField(e.path(FIELD_ROUTE), "must be at most 256 characters");
    }
    long time;
    long count;
    long errors;
    LatencyHistogram latency = null;
    if (single) {
      Double duration = e.number(FIELD_DURATION_MS, 0, 1e9);
      if (duration != null) {
        latency = new LatencyHistogram();
        latency.record(duration);
      }
      time = plausible(e.number(FIELD_TIME, 0, Double.MAX_VALUE), now);
      count = 1;
      errors = Boolean.TRUE.equals(e.bool(FIELD_ERROR)) ? 1 : 0;
    } else {
      time = require(e.whole(FIELD_START, 0, Long.MAX_VALUE), e.path(FIELD_START));
      e.whole(FIELD_END, time + 1, time + MAX_WINDOW_MS); // checked; counted in its start second
      count = require(e.whole(FIELD_COUNT, 0, Long.MAX_VALUE), e.path(FIELD_COUNT));
      Long errorCount = e.whole(FIELD_ERRORS, 0, count);
      errors = errorCount == null ? 0 : errorCount;
      if (e.has(FIELD_LATENCY)) {
        try {
          latency = LatencyHistogram.fromJson(e.raw(FIELD_LATENCY));
        } catch (IllegalArgumentException ex) {
          throw Failure.invalidField(e.path(FIELD_LATENCY), ex.getMessage());
        }
        if (latency.count() != count) {
          throw Failure.invalidField(
              e.path(FIELD_LATENCY),
              "holds " + latency.count() + " durations but count is " + count);
        }
      }
      if (plausible((double) time, now) != time) {
        throw Failure.invalidField(
            e.path(FIELD_START), "is more than an hour in the past or a minute in the future");
      }
    }
    return new Inbound.Outcome(
        flag, variant, route == null ? "" : route, time, count, errors, latency);
  }

  private static long require(Long value, String path) {
    if (value == null) {
      throw Failure.invalidField(path, "is required");
    }
    return value;
  }

  /** The event's own time when it is plausible, the server's otherwise. */
  private static long plausible(Double time, long now) {
    if (time == null) {
      return now;
    }
    long t = time.longValue();
    return t >= now - MAX_PAST_MS && t <= now + MAX_FUTURE_MS ? t : now;
  }
}

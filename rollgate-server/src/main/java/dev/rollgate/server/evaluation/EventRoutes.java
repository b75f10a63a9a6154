package dev.rollgate.server.evaluation;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonPath;
import dev.rollgate.core.json.JsonSyntaxException;
import dev.rollgate.server.auth.Principal;
import dev.rollgate.server.http.ApiException;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code POST /api/v1/events}: batches of exposures, track events and request outcomes from SDKs.
 * They are checked and counted ({@code rollgate_events_received_total{kind}}); storing them for
 * rollouts and experiments comes with those features.
 */
public final class EventRoutes implements HttpApi.Routes {
  static final int MAX_BATCH = 1000;
  private static final Map<String, Set<String>> FIELDS =
      Map.of(
          "exposure", Set.of("kind", "flag", "variant", "reason", "targetingKey", "time"),
          "track", Set.of("kind", "name", "targetingKey", "value", "time"),
          "outcome",
              Set.of("kind", "flag", "variant", "targetingKey", "durationMs", "error", "time"));

  private final MeterRegistry meters;

  public EventRoutes(MeterRegistry meters) {
    this.meters = meters;
  }

  @Override
  public void register(RoutesConfig r) {
    r.post("/api/v1/events", this::receive);
  }

  private void receive(Context ctx) {
    Principal sdk = Requests.requireSdk(ctx);
    Object body;
    try {
      body = Json.parse(Requests.text(ctx));
    } catch (JsonSyntaxException e) {
      throw new ApiException(400, "malformed_json", e.getMessage());
    }
    if (!(body instanceof Map<?, ?> map) || !(map.get("events") instanceof List<?> events)) {
      throw ApiException.invalidField("events", "send {\"events\": [...]}");
    }
    if (events.size() > MAX_BATCH) {
      throw ApiException.invalidField("events", "at most " + MAX_BATCH + " events a batch");
    }
    for (int i = 0; i < events.size(); i++) {
      check(events.get(i), JsonPath.element("events", i));
    }
    for (Object event : events) {
      String kind = (String) ((Map<?, ?>) event).get("kind");
      Counter.builder("rollgate.events.received")
          .description("Events received from SDKs")
          .tag("kind", kind)
          .tag("project", sdk.project())
          .tag("environment", sdk.environment())
          .register(meters)
          .increment();
    }
    Requests.json(ctx, 202, Map.of("accepted", events.size()), null);
  }

  private static void check(Object event, String path) {
    if (!(event instanceof Map<?, ?> e)
        || !(e.get("kind") instanceof String kind)
        || !FIELDS.containsKey(kind)) {
      throw ApiException.invalidField(
          path, "an event is an object with kind exposure, track or outcome");
    }
    for (Object field : e.keySet()) {
      if (!FIELDS.get(kind).contains(field)) {
        throw ApiException.invalidField(
            JsonPath.member(path, (String) field), "unknown field for a " + kind + " event");
      }
    }
    String required = kind.equals("track") ? "name" : "flag";
    if (!(e.get(required) instanceof String)) {
      throw ApiException.invalidField(JsonPath.member(path, required), "is required (a string)");
    }
    for (String number : List.of("value", "durationMs", "time")) {
      if (e.get(number) != null && !(e.get(number) instanceof Number)) {
        throw ApiException.invalidField(JsonPath.member(path, number), "must be a number");
      }
    }
  }
}

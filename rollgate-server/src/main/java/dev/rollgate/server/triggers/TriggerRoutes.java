package dev.rollgate.server.triggers;

import static dev.rollgate.server.http.Requests.actor;
import static dev.rollgate.server.http.Requests.body;
import static dev.rollgate.server.http.Requests.items;
import static dev.rollgate.server.http.Requests.json;
import static dev.rollgate.server.http.Requests.requireEdit;
import static dev.rollgate.server.http.Requests.requireRead;
import static dev.rollgate.server.http.Requests.resource;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.json.JsonSyntaxException;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Plain;
import dev.rollgate.server.http.ApiException;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.JsonBody;
import dev.rollgate.server.http.RateLimiter;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/projects/{p}/environments/{env}/flags/{flag}/triggers} (editors make and revoke
 * triggers, readers list them), and {@code POST /api/v1/triggers/{secret}}, which takes no token:
 * the secret in the path is the credential ({@link HttpApi#TRIGGER_PATH} lets it through the edge).
 */
public final class TriggerRoutes implements HttpApi.Routes {
  private static final String TRIGGERS =
      "/api/v1/projects/{project}/environments/{env}/flags/{flag}/triggers";
  private static final String CALL = HttpApi.TRIGGER_PATH + "{secret}";
  private static final Set<String> CREATE_FIELDS =
      Set.of("name", "action", "onResolved", "description");

  /** The largest body a call may send: an Alertmanager group of a few hundred alerts. */
  static final int MAX_CALL_BYTES = 256 * 1024;

  /** Calls per second one trigger takes, sustained, and in a burst. */
  static final long CALLS_PER_SECOND = 1;

  static final long CALL_BURST = 10;

  private final TriggerService triggers;
  private final RateLimiter calls;

  /**
   * @param clock what the calls' rate limit is measured on
   */
  public TriggerRoutes(TriggerService triggers, Clock clock) {
    this.triggers = triggers;
    this.calls = new RateLimiter(CALLS_PER_SECOND, CALL_BURST, clock);
  }

  @Override
  public void register(RoutesConfig r) {
    r.post(
        TRIGGERS,
        ctx -> {
          requireEdit(ctx);
          JsonBody b = body(ctx, CREATE_FIELDS);
          TriggerService.Created created =
              triggers.create(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ctx.pathParam("env"),
                  new TriggerService.Create(
                      b.string("name", true),
                      b.string("action", true),
                      b.string("onResolved", false),
                      b.string("description", false)));
          Map<Object, Object> out = new LinkedHashMap<>((Map<?, ?>) Plain.of(created.trigger()));
          out.put("secret", created.secret());
          out.put("url", HttpApi.TRIGGER_PATH + created.secret());
          json(ctx, 201, out, null);
        });
    r.get(
        TRIGGERS,
        ctx -> {
          requireRead(ctx);
          items(
              ctx,
              triggers.list(
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ctx.pathParam("env"),
                  Requests.flag(ctx, "revoked")));
        });
    r.delete(
        TRIGGERS + "/{id}",
        ctx -> {
          requireEdit(ctx);
          resource(
              ctx,
              200,
              triggers.revoke(
                  actor(ctx),
                  ctx.pathParam("project"),
                  ctx.pathParam("flag"),
                  ctx.pathParam("env"),
                  ctx.pathParam("id")));
        });
    r.post(
        CALL,
        ctx -> {
          String text = Requests.text(ctx); // within the server's body limit, checked at the edge
          if (text.length() > MAX_CALL_BYTES
              || text.getBytes(StandardCharsets.UTF_8).length > MAX_CALL_BYTES) {
            throw new ApiException(
                413,
                "payload_too_large",
                "a trigger's call takes at most " + MAX_CALL_BYTES + " bytes");
          }
          Trigger trigger = triggers.authenticate(ctx.pathParam("secret"));
          try {
            calls.acquire(trigger.id());
          } catch (RateLimiter.RateLimited e) {
            ctx.header("Retry-After", String.valueOf(e.retryAfterSeconds()));
            throw new ApiException(
                429, "rate_limited", "trigger " + trigger.name() + ": " + e.getMessage());
          }
          TriggerService.Outcome outcome = triggers.call(trigger, call(text));
          json(ctx, outcome.result() == Trigger.Result.IGNORED ? 202 : 200, outcome(outcome), null);
        });
  }

  /**
   * What a call's body says: an Alertmanager notification ({@code {"version": "4", "status":
   * "firing" | "resolved", "alerts": [...]}}), or anything else (nothing, any other JSON).
   */
  static TriggerService.Call call(String text) {
    if (text.isBlank()) {
      return new TriggerService.Call(TriggerService.Signal.PLAIN, null);
    }
    Object value;
    try {
      value = Json.parse(text);
    } catch (JsonSyntaxException e) {
      throw new Failure(Failure.Kind.INVALID_INPUT, "malformed_json", e.getMessage());
    }
    if (value instanceof Map<?, ?> body
        && body.get("alerts") instanceof List<?> alerts
        && body.get("status") instanceof String status
        && (status.equals("firing") || status.equals("resolved"))) {
      return new TriggerService.Call(
          status.equals("firing") ? TriggerService.Signal.FIRING : TriggerService.Signal.RESOLVED,
          summary(body, alerts));
    }
    return new TriggerService.Call(TriggerService.Signal.PLAIN, null);
  }

  /** {@code HighErrorRate (2 alerts)}: the group's alert name, when it has one, and the count. */
  private static String summary(Map<?, ?> body, List<?> alerts) {
    String name = label(body.get("commonLabels"));
    if (name == null) {
      name = label(body.get("groupLabels"));
    }
    String count = alerts.size() + (alerts.size() == 1 ? " alert" : " alerts");
    return name == null ? count : name + " (" + count + ")";
  }

  private static String label(Object labels) {
    return labels instanceof Map<?, ?> m && m.get("alertname") instanceof String s && !s.isBlank()
        ? s
        : null;
  }

  private static Map<String, Object> outcome(TriggerService.Outcome outcome) {
    Trigger t = outcome.trigger();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("result", outcome.result().label());
    Map<String, Object> trigger = new LinkedHashMap<>();
    trigger.put("id", t.id());
    trigger.put("name", t.name());
    out.put("trigger", trigger);
    out.put("project", t.project());
    out.put("flag", t.flag());
    out.put("environment", t.environment());
    out.put("state", outcome.state().name());
    out.put("reason", outcome.reason());
    return out;
  }
}

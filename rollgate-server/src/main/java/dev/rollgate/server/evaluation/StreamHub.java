package dev.rollgate.server.evaluation;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.protocol.Protocol;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.ServedEnvironment;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.http.EventStreams;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How SDKs follow an environment: {@code GET /api/v1/stream} (server-sent events) and {@code GET
 * /api/v1/sdk/flags} (polling with ETag). Both serve the serialized document the catalog keeps in
 * memory; neither touches the store.
 *
 * <p>The stream opens with the full configuration ({@code event: configuration}). Every change then
 * sends the new configuration and an OFREP {@code refetchEvaluation} message (the default {@code
 * message} event, which OFREP providers listen to), with the change's generation as the event id.
 * The id only grows, so a client that reconnects with {@code Last-Event-ID} is sent the current
 * configuration, which contains whatever it missed.
 *
 * <p>A change is encoded once per environment, not once per client: the same bytes go to every
 * stream that follows it, each stream on a thread of its own, so that ten thousand clients cost ten
 * thousand socket writes and nothing more, and the write that made the change does not wait for
 * them.
 *
 * <p>The streams themselves (a bounded number per token, heartbeats, the end of a revoked token's
 * streams on every replica) are {@link EventStreams}'.
 */
public final class StreamHub implements HttpApi.Routes, Catalog.Listener {
  private final Catalog catalog;
  private final EventStreams streams;
  private final Map<String, Set<EventStreams.Stream>> subscribers = new ConcurrentHashMap<>();
  private final Map<String, Frames> frames = new ConcurrentHashMap<>(); // the latest, per key

  /**
   * One generation of an environment as streams carry it: what a new stream is sent first (its
   * configuration) and what every stream is sent when it changes (the configuration and the OFREP
   * message).
   */
  private record Frames(long generation, EventStreams.Frame opening, EventStreams.Frame change) {
    static Frames of(ServedEnvironment env) {
      EventStreams.Event configuration = configuration(env);
      String message =
          Json.write(Map.of("type", Protocol.SSE_REFETCH_EVALUATION, "etag", env.etag()));
      return new Frames(
          env.generation(),
          EventStreams.Frame.of(env.generation(), configuration),
          EventStreams.Frame.of(
              env.generation(),
              configuration,
              new EventStreams.Event(
                  Protocol.SSE_EVENT_MESSAGE, message, String.valueOf(env.generation()))));
    }
  }

  public StreamHub(Catalog catalog, EventStreams streams) {
    this.catalog = catalog;
    this.streams = streams;
    catalog.addListener(this);
  }

  private static EventStreams.Event configuration(ServedEnvironment env) {
    return new EventStreams.Event(
        Protocol.SSE_EVENT_CONFIGURATION, env.document(), String.valueOf(env.generation()));
  }

  private static String key(String project, String environment) {
    return project + "/" + environment;
  }

  /** The frames of {@code env}'s generation: built once, whoever asks first. */
  private Frames frames(ServedEnvironment env) {
    String key = key(env.project(), env.environment());
    Frames known = frames.get(key);
    if (known != null && known.generation() == env.generation()) {
      return known;
    }
    Frames built = Frames.of(env);
    // An older generation never replaces a newer one (a late opening, or a late notification).
    frames.merge(key, built, (old, now) -> old.generation() > now.generation() ? old : now);
    return built;
  }

  @Override
  public void register(RoutesConfig r) {
    r.get(Protocol.SDK_FLAGS_PATH, this::poll);
    r.get(Protocol.STREAM_PATH, this::stream);
  }

  private ServedEnvironment servedFor(Principal sdk) {
    ServedEnvironment served = catalog.served(sdk.project(), sdk.environment());
    if (served == null) {
      throw Failure.notFound("environment " + sdk.project() + "/" + sdk.environment());
    }
    return served;
  }

  private void poll(Context ctx) {
    ServedEnvironment served = servedFor(Requests.requireSdk(ctx));
    String etag = "\"" + served.etag() + "\"";
    ctx.header("ETag", etag);
    String ifNoneMatch = ctx.header("If-None-Match");
    if (etag.equals(ifNoneMatch) || served.etag().equals(ifNoneMatch)) {
      ctx.status(304);
      return;
    }
    ctx.status(200).contentType("application/json").result(served.document());
  }

  private void stream(Context ctx) throws Exception {
    Principal sdk = Requests.requireSdk(ctx);
    ServedEnvironment served = servedFor(sdk);
    String key = key(sdk.project(), sdk.environment());
    streams.open(
        ctx,
        sdk,
        stream -> {
          subscribers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(stream);
          // Whatever the client last saw (Last-Event-ID), the current configuration has it.
          // A change published meanwhile is newer, and the stream keeps the newer (its version).
          ServedEnvironment now = catalog.served(sdk.project(), sdk.environment());
          stream.publish(frames(now == null ? served : now).opening());
        },
        stream -> {
          Set<EventStreams.Stream> set = subscribers.get(key);
          if (set != null) {
            set.remove(stream);
          }
        });
  }

  @Override
  public void changed(ServedEnvironment environment) {
    Set<EventStreams.Stream> set =
        subscribers.get(key(environment.project(), environment.environment()));
    if (set == null) {
      return;
    }
    streams.publish(set, frames(environment).change());
  }

  @Override
  public void removed(String project, String environment) {
    frames.remove(key(project, environment));
    Set<EventStreams.Stream> set = subscribers.remove(key(project, environment));
    if (set != null) {
      set.forEach(EventStreams.Stream::close);
    }
  }

  /** Number of connected SDK stream clients. */
  public int clients() {
    return subscribers.values().stream().mapToInt(Set::size).sum();
  }
}

package dev.rollgate.server.evaluation;

import dev.rollgate.core.json.Json;
import dev.rollgate.core.protocol.Protocol;
import dev.rollgate.server.catalog.Catalog;
import dev.rollgate.server.catalog.ServedEnvironment;
import dev.rollgate.server.domain.Failure;
import dev.rollgate.server.domain.Principal;
import dev.rollgate.server.http.ApiException;
import dev.rollgate.server.http.HttpApi;
import dev.rollgate.server.http.Requests;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How SDKs follow an environment: {@code GET /api/v1/stream} (server-sent events) and {@code GET
 * /api/v1/sdk/flags} (polling with ETag). Both serve the serialized document the catalog keeps in
 * memory; neither touches the store.
 *
 * <p>The stream opens with the full configuration ({@code event: configuration}). Every change then
 * sends the new configuration and an OFREP {@code refetchEvaluation} message (the default {@code
 * message} event, which OFREP providers listen to), with the change's generation as the event id.
 * The id only grows, so a client that reconnects with {@code Last-Event-ID} is sent the current
 * configuration, which contains whatever it missed. Comment lines keep idle connections open
 * through proxies.
 *
 * <p>A token holds a bounded number of streams on a replica, and its streams end as soon as the
 * token stops standing for what it did when they opened (revoked here or on another replica).
 */
public final class StreamHub implements HttpApi.Routes, Catalog.Listener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamHub.class);

  private final Catalog catalog;
  private final long heartbeatSeconds;
  private final int maxPerToken; // 0: no limit
  private final Predicate<Principal> current; // whether a principal's token still stands for it
  private final Map<String, Set<Subscriber>> subscribers = new ConcurrentHashMap<>();
  private final Map<String, Integer> perToken = new ConcurrentHashMap<>();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("rollgate-heartbeat").factory());

  /**
   * @param maxPerToken streams one token may hold open on this replica; 0 for no limit
   * @param current whether a principal is still what its token stands for (not revoked since)
   */
  public StreamHub(
      Catalog catalog, long heartbeatSeconds, int maxPerToken, Predicate<Principal> current) {
    this.catalog = catalog;
    this.heartbeatSeconds = heartbeatSeconds;
    this.maxPerToken = maxPerToken;
    this.current = current;
    catalog.addListener(this);
    var unused =
        heartbeat.scheduleAtFixedRate(
            this::beat, heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
  }

  /**
   * One connected client; sends are serialised so events never interleave. A client that went away
   * is not written to ({@link Gone}): Javalin would log every such send as a warning, and a
   * disconnecting client is ordinary. {@code ended} makes its end (however it comes) count once.
   */
  private record Subscriber(
      SseClient client, String environmentKey, Principal principal, AtomicBoolean ended) {
    synchronized void configuration(ServedEnvironment env) {
      ensureOpen();
      client.sendEvent(
          Protocol.SSE_EVENT_CONFIGURATION, env.document(), String.valueOf(env.generation()));
    }

    private void ensureOpen() {
      if (client.terminated()) {
        throw new Gone();
      }
    }

    synchronized void changed(ServedEnvironment env) {
      configuration(env);
      String data = Json.write(Map.of("type", Protocol.SSE_REFETCH_EVALUATION, "etag", env.etag()));
      ensureOpen(); // the configuration may have been the write that found the client gone
      client.sendEvent(Protocol.SSE_EVENT_MESSAGE, data, String.valueOf(env.generation()));
    }

    synchronized void comment(String text) {
      ensureOpen();
      client.sendComment(text);
    }
  }

  /** A client that has disconnected; it is dropped quietly. */
  private static final class Gone extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Gone() {
      super("stream client gone", null, false, false);
    }
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
    if (!acceptsEventStream(ctx.header("Accept"))) {
      throw new ApiException(406, "not_acceptable", "the stream answers Accept: text/event-stream");
    }
    String key = sdk.project() + "/" + sdk.environment();
    if (!reserve(sdk.tokenId())) {
      ctx.header("Retry-After", String.valueOf(heartbeatSeconds));
      throw new ApiException(
          429,
          "too_many_streams",
          "this token holds "
              + maxPerToken
              + " open streams already; close one (a dropped one is noticed within "
              + heartbeatSeconds
              + " s)");
    }
    boolean opened = false;
    try {
      open(
          ctx,
          client -> {
            Subscriber subscriber = new Subscriber(client, key, sdk, new AtomicBoolean());
            client.keepAlive();
            client.onClose(() -> end(subscriber));
            subscribers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(subscriber);
            // Revoked between authentication and now: withdraw() ran before we were in the set.
            if (!current.test(sdk)) {
              drop(subscriber);
              return;
            }
            // Whatever the client last saw (Last-Event-ID), the current configuration has it.
            ServedEnvironment now = catalog.served(sdk.project(), sdk.environment());
            try {
              subscriber.configuration(now == null ? served : now);
            } catch (RuntimeException e) {
              drop(subscriber);
            }
          });
      opened = true;
    } finally {
      if (!opened) {
        release(sdk.tokenId());
      }
    }
  }

  /** Takes one of a token's stream places; false when it holds them all. */
  private boolean reserve(String tokenId) {
    boolean[] taken = {false};
    perToken.compute(
        tokenId,
        (id, held) -> {
          int n = held == null ? 0 : held;
          if (maxPerToken > 0 && n >= maxPerToken) {
            return held;
          }
          taken[0] = true;
          return n + 1;
        });
    return taken[0];
  }

  private void release(String tokenId) {
    perToken.computeIfPresent(tokenId, (id, held) -> held <= 1 ? null : held - 1);
  }

  /**
   * Whether an {@code Accept} header admits {@code text/event-stream}: absent, {@code *}{@code /*},
   * {@code text/*} or the type itself (RFC 9110 section 12.5.1). Only a client that asks for
   * something else explicitly is refused.
   */
  static boolean acceptsEventStream(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String range : accept.split(",", -1)) {
      String type = range.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
      if (type.equals("*/*")
          || type.equals("text/*")
          || type.equals(Protocol.EVENT_STREAM_MEDIA_TYPE)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Opens the event stream as Javalin's {@code SseHandler} does, without its own check that the
   * request sent {@code Accept: text/event-stream} (which refuses a missing header or {@code
   * *}{@code /*}): the check above is the one that applies.
   */
  private static void open(Context ctx, Consumer<SseClient> onOpen) throws IOException {
    HttpServletResponse res = ctx.res();
    res.setStatus(200);
    res.setCharacterEncoding("UTF-8");
    res.setContentType(Protocol.EVENT_STREAM_MEDIA_TYPE);
    res.addHeader("Connection", "close");
    res.addHeader("Cache-Control", "no-cache");
    res.addHeader("X-Accel-Buffering", "no");
    res.flushBuffer();
    ctx.async(config -> config.timeout = 0, () -> onOpen.accept(new SseClient(ctx)));
  }

  /** A stream is over, whatever ended it: it leaves its environment and frees its place. */
  private void end(Subscriber subscriber) {
    if (!subscriber.ended().compareAndSet(false, true)) {
      return;
    }
    Set<Subscriber> set = subscribers.get(subscriber.environmentKey());
    if (set != null) {
      set.remove(subscriber);
    }
    release(subscriber.principal().tokenId());
  }

  /**
   * A client that cannot be written to, or may no longer read: closed, so its request ends and
   * shutdown need not wait.
   */
  private void drop(Subscriber subscriber) {
    end(subscriber);
    subscriber.client().close();
  }

  /**
   * Ends the streams of tokens that no longer stand for what they did when the streams opened
   * (revoked, or bound elsewhere), at once.
   */
  public void withdraw(Set<String> tokenIds) {
    for (Set<Subscriber> set : subscribers.values()) {
      for (Subscriber s : set) {
        if (tokenIds.contains(s.principal().tokenId())) {
          drop(s);
        }
      }
    }
  }

  @Override
  public void changed(ServedEnvironment environment) {
    Set<Subscriber> set = subscribers.get(environment.project() + "/" + environment.environment());
    if (set == null) {
      return;
    }
    for (Subscriber s : set) {
      try {
        s.changed(environment);
      } catch (RuntimeException e) {
        log.debug("stream client gone: {}", e.toString());
        drop(s);
      }
    }
  }

  @Override
  public void removed(String project, String environment) {
    Set<Subscriber> set = subscribers.remove(project + "/" + environment);
    if (set != null) {
      set.forEach(this::drop);
    }
  }

  private void beat() {
    for (Set<Subscriber> set : subscribers.values()) {
      for (Subscriber s : set) {
        try {
          s.comment("heartbeat");
        } catch (RuntimeException e) {
          drop(s);
        }
      }
    }
  }

  /** Number of connected stream clients. */
  public int clients() {
    return subscribers.values().stream().mapToInt(Set::size).sum();
  }

  /** Closes every stream (at shutdown, so that draining does not wait for them). */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    subscribers.values().forEach(set -> set.forEach(this::drop));
    subscribers.clear();
  }
}

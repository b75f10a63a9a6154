package dev.rollgate.server.http;

import dev.rollgate.core.protocol.Protocol;
import dev.rollgate.server.domain.Principal;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The server-sent event streams of a replica, whatever endpoint opened them (the SDKs' {@code GET
 * /api/v1/stream}, the UI's live rollout feed): one place for what every stream needs.
 *
 * <ul>
 *   <li>A token holds at most {@code maxPerToken} streams on this replica, all endpoints together;
 *       the next is a 429 {@code too_many_streams} with {@code Retry-After}.
 *   <li>Every stream gets a comment line each heartbeat, which keeps idle connections open through
 *       proxies and notices clients that went away.
 *   <li>A token's streams end as soon as it no longer stands for what it did when they opened
 *       (revoked here or on another replica: {@link #withdraw}).
 *   <li>Every stream ends at {@link #close}, so that shutdown need not wait for them.
 * </ul>
 *
 * <p>What a stream carries is its endpoint's business: it gets a {@link Stream} to send on, and
 * hears when that stream ends.
 */
public final class EventStreams implements AutoCloseable {
  private final long heartbeatSeconds;
  private final int maxPerToken; // 0: no limit
  private final Predicate<Principal> current; // whether a principal's token still stands for it
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> perToken = new ConcurrentHashMap<>();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("rollgate-heartbeat").factory());

  /**
   * @param maxPerToken streams one token may hold open on this replica; 0 for no limit
   * @param current whether a principal is still what its token stands for (not revoked since)
   */
  public EventStreams(long heartbeatSeconds, int maxPerToken, Predicate<Principal> current) {
    this.heartbeatSeconds = heartbeatSeconds;
    this.maxPerToken = maxPerToken;
    this.current = current;
    var unused =
        heartbeat.scheduleAtFixedRate(
            this::beat, heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
  }

  /** One event: its name, its data (one line of JSON, or text), and its id (null for none). */
  public record Event(String name, String data, String id) {}

  /**
   * One connected client. Sends are serialised, so events never interleave. A client that went away
   * is not written to: Javalin would log every such send as a warning, and a disconnecting client
   * is ordinary. However it ends (the client leaves, a send fails, its token is withdrawn, the
   * server stops), it ends once: it frees its token's place and its endpoint hears of it.
   */
  public final class Stream {
    private final SseClient client;
    private final Principal principal;
    private final Consumer<Stream> onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();

    private Stream(SseClient client, Principal principal, Consumer<Stream> onEnd) {
      this.client = client;
      this.principal = principal;
      this.onEnd = onEnd;
    }

    public Principal principal() {
      return principal;
    }

    /**
     * Sends the events in order, none interleaved with another send. Returns false when the client
     * is gone, and the stream then ends. Never throws.
     */
    public boolean send(Event... events) {
      boolean sent = write(events);
      if (!sent) {
        close(); // outside the lock: ending runs the endpoint's callback, which may take its own
      }
      return sent;
    }

    private synchronized boolean write(Event... events) {
      try {
        for (Event e : events) {
          if (client.terminated()) {
            return false;
          }
          client.sendEvent(e.name(), e.data(), e.id());
        }
        return !client.terminated(); // a failed write closes the client
      } catch (RuntimeException e) {
        return false;
      }
    }

    private synchronized boolean comment(String text) {
      try {
        if (client.terminated()) {
          return false;
        }
        client.sendComment(text);
        return !client.terminated();
      } catch (RuntimeException e) {
        return false;
      }
    }

    /** Ends the stream: its request ends, and nothing is sent any more. */
    public void close() {
      end();
      client.close();
    }

    private void end() {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      open.remove(this);
      release(principal.tokenId());
      onEnd.accept(this);
    }
  }

  /**
   * Opens a stream for {@code principal}, or refuses it: 406 unless {@code Accept} admits {@code
   * text/event-stream}, 429 when the token holds all its streams. Once the stream is open and
   * counted, {@code onOpen} runs with it (on the request's thread), unless the token was withdrawn
   * meanwhile; {@code onEnd} runs once when it ends, however it ends.
   */
  public void open(
      Context ctx, Principal principal, Consumer<Stream> onOpen, Consumer<Stream> onEnd)
      throws IOException {
    if (!acceptsEventStream(ctx.header("Accept"))) {
      throw new ApiException(406, "not_acceptable", "the stream answers Accept: text/event-stream");
    }
    if (!reserve(principal.tokenId())) {
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
      start(
          ctx,
          client -> {
            Stream stream = new Stream(client, principal, onEnd);
            client.keepAlive();
            client.onClose(stream::end);
            open.add(stream);
            // Revoked between authentication and now: withdraw() ran before we were in the set.
            if (!current.test(principal)) {
              stream.close();
              return;
            }
            onOpen.accept(stream);
          });
      opened = true;
    } finally {
      if (!opened) {
        release(principal.tokenId());
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
      String type = range.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
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
  private static void start(Context ctx, Consumer<SseClient> onOpen) throws IOException {
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

  /**
   * Ends the streams of tokens that no longer stand for what they did when the streams opened
   * (revoked, or bound elsewhere), at once.
   */
  public void withdraw(Set<String> tokenIds) {
    for (Stream s : open) {
      if (tokenIds.contains(s.principal().tokenId())) {
        s.close();
      }
    }
  }

  private void beat() {
    for (Stream s : open) {
      if (!s.comment("heartbeat")) {
        s.close();
      }
    }
  }

  /** Number of open streams, every endpoint's. */
  public int clients() {
    return open.size();
  }

  /** Closes every stream (at shutdown, so that draining does not wait for them). */
  @Override
  public void close() {
    heartbeat.shutdownNow();
    open.forEach(Stream::close);
  }
}

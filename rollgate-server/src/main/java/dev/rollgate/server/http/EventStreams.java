package dev.rollgate.server.http;

import dev.rollgate.core.protocol.Protocol;
import dev.rollgate.server.domain.Principal;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.eclipse.jetty.ee10.servlet.HttpOutput;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-sent event streams of a replica, whatever endpoint opened them (the SDKs' {@code GET
 * /api/v1/stream}, the UI's live rollout feed): one place for what every stream needs.
 *
 * <ul>
 *   <li>A token holds at most {@code maxPerToken} streams on this replica, all endpoints together;
 *       the next is a 429 {@code too_many_streams} with {@code Retry-After}.
 *   <li>Every stream gets a comment line each heartbeat, which keeps idle connections open through
 *       proxies and notices clients that went away.
 *   <li>What one message to every stream costs is one encoding: a {@link Frame} is encoded once and
 *       its bytes are written as they are to each stream ({@link #publish}) by a few writer
 *       threads, so that a client that reads slowly delays only itself (and one writer), and the
 *       caller (an admin write) waits for none of them.
 *   <li>A token's streams end as soon as it no longer stands for what it did when they opened
 *       (revoked here or on another replica: {@link #withdraw}).
 *   <li>A stream opened with a web UI session (its cookie) ends when the session does (signed out
 *       or expired, on any replica), noticed at the next heartbeat.
 *   <li>Every stream ends at {@link #close}, so that shutdown need not wait for them.
 * </ul>
 *
 * <p>What a stream carries is its endpoint's business: it gets a {@link Stream} to send on, and
 * hears when that stream ends.
 */
public final class EventStreams implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventStreams.class);

  private final long heartbeatSeconds;
  private final int maxPerToken; // 0: no limit
  private final Predicate<Principal> current; // whether a principal's token still stands for it
  private final Predicate<String> signedIn; // whether a session cookie's secret still signs in
  private final Set<Stream> open = ConcurrentHashMap.newKeySet();
  private final Map<String, Integer> perToken = new ConcurrentHashMap<>();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("rollgate-heartbeat").factory());

  /**
   * Threads that write one frame to many streams between them: enough to keep the cores busy, and
   * to go on past a few clients whose writes wait (a client that does not read holds one until its
   * connection's idle timeout).
   */
  private static final int WRITERS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  // Published frames are written on these, one drain at a time per stream (Stream#drain).
  private final ExecutorService writers =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("rollgate-stream").factory());

  /**
   * @param maxPerToken streams one token may hold open on this replica; 0 for no limit
   * @param current whether a principal is still what its token stands for (not revoked since)
   * @param signedIn whether a web UI session's secret still stands for a session (not signed out,
   *     not expired); it may read the store, and throw when the store does not answer
   */
  public EventStreams(
      long heartbeatSeconds,
      int maxPerToken,
      Predicate<Principal> current,
      Predicate<String> signedIn) {
    this.heartbeatSeconds = heartbeatSeconds;
    this.maxPerToken = maxPerToken;
    this.current = current;
    this.signedIn = signedIn;
    var unused =
        heartbeat.scheduleAtFixedRate(
            this::beat, heartbeatSeconds, heartbeatSeconds, TimeUnit.SECONDS);
  }

  /** One event: its name, its data (one line of JSON, or text), and its id (null for none). */
  public record Event(String name, String data, String id) {
    /**
     * The event as the stream carries it: id, name, one {@code data:} line a line, a blank line.
     */
    private void encode(StringBuilder out) {
      if (id != null) {
        out.append("id: ").append(oneLine(id)).append('\n');
      }
      out.append("event: ").append(oneLine(name)).append('\n');
      for (String line : data.split("\r\n|\r|\n", -1)) {
        out.append("data: ").append(line).append('\n');
      }
      out.append('\n');
    }

    private static String oneLine(String s) {
      return s.replace("\r", "").replace("\n", "");
    }
  }

  /**
   * Events encoded once, to be written as they are to any number of streams: what a change costs
   * does not grow with the number of clients that hear of it. A frame has a version (the events'
   * generation, or -1 for none) so that a stream never goes back to an older one.
   */
  public static final class Frame {
    private static final Frame HEARTBEAT = text(": heartbeat\n\n", -1);

    private final ByteBuffer bytes; // read-only; each write reads a view of its own
    private final long version;

    private Frame(ByteBuffer bytes, long version) {
      this.bytes = bytes;
      this.version = version;
    }

    /** The events, in order, as one frame of {@code version} (-1 for none). */
    public static Frame of(long version, Event... events) {
      StringBuilder out = new StringBuilder();
      for (Event e : events) {
        e.encode(out);
      }
      return text(out.toString(), version);
    }

    private static Frame text(String text, long version) {
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      // Direct, so that writing it to a socket copies nothing, however many streams it goes to.
      ByteBuffer direct = ByteBuffer.allocateDirect(utf8.length).put(utf8).flip();
      return new Frame(direct.asReadOnlyBuffer(), version);
    }

    /** Writes the frame and flushes it. */
    private void writeTo(OutputStream out) throws IOException {
      if (out instanceof HttpOutput jetty) {
        // Jetty writes a buffer straight to the connection, past the response's own buffer: a
        // stream that only ever writes frames never holds a 32 KiB output buffer while it idles.
        jetty.write(bytes.duplicate());
        return;
      }
      byte[] copy = new byte[bytes.remaining()];
      bytes.duplicate().get(copy);
      out.write(copy);
      out.flush();
    }

    @Override
    public String toString() {
      return StandardCharsets.UTF_8.decode(bytes.duplicate()).toString();
    }
  }

  /**
   * One connected client. Sends are serialised, so events never interleave. A client that went away
   * is not written to: Javalin would log every such send as a warning, and a disconnecting client
   * is ordinary. However it ends (the client leaves, a send fails, its token is withdrawn, the
   * server stops), it ends once: it frees its token's place and its endpoint hears of it.
   */
  public final class Stream {
    private final SseClient client;
    private final Principal principal;
    private final String session; // the session cookie's secret it was opened with, or null
    private final Consumer<Stream> onEnd;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicReference<Frame> pending = new AtomicReference<>(); // published, not sent
    private final AtomicBoolean draining = new AtomicBoolean();
    private long written = -1; // the version of the last versioned frame sent (under this lock)

    private Stream(SseClient client, Principal principal, String session, Consumer<Stream> onEnd) {
      this.client = client;
      this.principal = principal;
      this.session = session;
      this.onEnd = onEnd;
    }

    public Principal principal() {
      return principal;
    }

    /**
     * Sends the events in order, none interleaved with another send, before it returns. Returns
     * false when the client is gone, and the stream then ends. Never throws.
     */
    public boolean send(Event... events) {
      return send(Frame.of(-1, events));
    }

    /** Sends {@code frame} as {@link #send(Event...)} sends events. */
    public boolean send(Frame frame) {
      boolean sent = write(frame);
      if (!sent) {
        close(); // outside the lock: ending runs the endpoint's callback, which may take its own
      }
      return sent;
    }

    /**
     * Sends {@code frame} soon, on another thread, and returns at once: for frames each of which
     * carries the whole state (a configuration), so that a client still busy with an earlier one is
     * sent only the newest. A frame older than one waiting or sent already is dropped. A failed
     * write ends the stream. To send one frame to many streams, {@link EventStreams#publish}.
     */
    public void publish(Frame frame) {
      if (offer(frame)) {
        start(List.of(this));
      }
    }

    /**
     * Makes {@code frame} this stream's next one; true when the caller is to drain the stream (no
     * drain runs now; one that runs will send it).
     */
    private boolean offer(Frame frame) {
      pending.accumulateAndGet(
          frame,
          (waiting, next) -> waiting != null && waiting.version > next.version ? waiting : next);
      return draining.compareAndSet(false, true);
    }

    /** A heartbeat, unless a frame is waiting already (which keeps the connection alive too). */
    private boolean offerHeartbeat() {
      return pending.compareAndSet(null, Frame.HEARTBEAT) && draining.compareAndSet(false, true);
    }

    /** Sends what is pending until nothing is; one drain at a time, so frames stay in order. */
    private void drain() {
      while (true) {
        Frame next = pending.getAndSet(null);
        if (next == null) {
          draining.set(false);
          // A frame published after the getAndSet and before the set saw a drain running.
          if (pending.get() == null || !draining.compareAndSet(false, true)) {
            return;
          }
          continue;
        }
        if (!write(next)) {
          close();
          return;
        }
      }
    }

    private synchronized boolean write(Frame frame) {
      if (client.terminated()) {
        return false;
      }
      if (frame.version >= 0 && frame.version < written) {
        return true; // the client has a newer state already
      }
      try {
        frame.writeTo(client.ctx().res().getOutputStream());
        written = Math.max(written, frame.version);
        return true;
      } catch (IOException | RuntimeException e) {
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
    String session = ctx.attribute(Requests.SESSION);
    boolean opened = false;
    try {
      start(
          ctx,
          client -> {
            Stream stream = new Stream(client, principal, session, onEnd);
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

  /**
   * Sends {@code frame} to each of {@code streams} as {@link Stream#publish} does, and returns at
   * once. The bytes are shared, and the writes are made by a few threads that share the streams out
   * between them rather than by a thread a stream: a write to a client that keeps up returns at
   * once, and the few that would wait hold one writer each while the others go on.
   */
  public void publish(Iterable<Stream> streams, Frame frame) {
    List<Stream> drain = new ArrayList<>();
    for (Stream s : streams) {
      if (s.offer(frame)) {
        drain.add(s);
      }
    }
    start(drain);
  }

  /** Drains {@code streams}, which the caller claimed, on up to {@link #WRITERS} threads. */
  private void start(List<Stream> streams) {
    AtomicInteger next = new AtomicInteger();
    Runnable writer =
        () -> {
          for (int i = next.getAndIncrement(); i < streams.size(); i = next.getAndIncrement()) {
            streams.get(i).drain();
          }
        };
    for (int w = 0; w < Math.min(WRITERS, streams.size()); w++) {
      try {
        writers.execute(writer);
      } catch (RejectedExecutionException e) {
        return; // shutting down: close() ends the streams
      }
    }
  }

  private void beat() {
    List<Stream> drain = new ArrayList<>();
    for (Stream s : open) {
      if (signedOut(s)) {
        s.close();
      } else if (s.offerHeartbeat()) { // a client that went away is noticed when it fails
        drain.add(s);
      }
    }
    start(drain);
  }

  /**
   * Whether the session a stream was opened with has ended. A store that does not answer says
   * nothing: the stream goes on, as the SDKs' streams do through an outage.
   */
  private boolean signedOut(Stream s) {
    if (s.session == null) {
      return false;
    }
    try {
      return !signedIn.test(s.session);
    } catch (RuntimeException e) {
      log.debug("stream: cannot check its session now: {}", e.toString());
      return false;
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
    writers.shutdown(); // the streams end below; writes still running fail with them
    open.forEach(Stream::close);
  }
}

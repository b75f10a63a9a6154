package dev.rollgate.server.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A server-sent events client for tests: parses the stream into events on a queue. */
public final class SseListener implements AutoCloseable {
  /** One event: its id, name and data. */
  public record Event(String id, String event, String data) {}

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger comments =
      new java.util.concurrent.atomic.AtomicInteger();
  private final CompletableFuture<HttpResponse<Stream<String>>> response;
  private final java.util.concurrent.CountDownLatch ended =
      new java.util.concurrent.CountDownLatch(1);
  private volatile Stream<String> lines;

  public SseListener(String url, String token, String lastEventId) {
    this(url, token, lastEventId, "text/event-stream");
  }

  /** A listener that sends {@code accept} as its Accept header, or none when it is null. */
  public SseListener(String url, String token, String lastEventId, String accept) {
    this(url, lastEventId, accept, "X-API-Key", token);
  }

  /**
   * A listener that sends {@code Accept: text/event-stream} and {@code headers} (name, value, ...)
   * and no token of its own: for a web UI session's cookie.
   */
  public static SseListener withHeaders(String url, String... headers) {
    return new SseListener(url, null, "text/event-stream", headers);
  }

  private SseListener(String url, String lastEventId, String accept, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    for (int i = 0; i + 1 < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    if (accept != null) {
      request.header("Accept", accept);
    }
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    response =
        HttpClient.newHttpClient()
            .sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
            .thenApply(r -> {
              lines = r.body();
              Thread.ofVirtual().start(() -> read(r.body()));
              return r;
            });
  }

  private void read(Stream<String> body) {
    String id = null;
    String event = "message";
    StringBuilder data = new StringBuilder();
    try {
      for (String line : (Iterable<String>) body::iterator) {
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(id, event, data.toString()));
          }
          event = "message";
          data.setLength(0);
        } else if (line.startsWith(":")) {
          comments.incrementAndGet();
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("data:")) {
          if (!data.isEmpty()) {
            data.append('\n');
          }
          data.append(line.substring(5).strip());
        }
      }
    } catch (RuntimeException e) {
      // The stream was closed.
    } finally {
      ended.countDown();
    }
  }

  /** Whether the server ended the stream within {@code seconds}. */
  public boolean awaitEnd(long seconds) throws InterruptedException {
    return ended.await(seconds, TimeUnit.SECONDS);
  }

  /** The next event named {@code name}, skipping others; fails after {@code seconds}. */
  public Event next(String name, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      long left = deadline - System.nanoTime();
      Event e = events.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new AssertionError("no '" + name + "' event within " + seconds + " s");
      }
      if (e.event().equals(name)) {
        return e;
      }
    }
  }

  /** Comment lines received so far (heartbeats). */
  public int comments() {
    return comments.get();
  }

  public int status() throws Exception {
    return response.get(10, TimeUnit.SECONDS).statusCode();
  }

  @Override
  public void close() {
    response.cancel(true);
    Stream<String> l = lines;
    if (l != null) {
      l.close();
    }
  }
}

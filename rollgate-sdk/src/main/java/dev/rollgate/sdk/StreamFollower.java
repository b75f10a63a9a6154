package dev.rollgate.sdk;

import dev.rollgate.core.protocol.Protocol;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * Follows the server's event stream ({@code GET /api/v1/stream}) on one background thread. When the
 * stream fails or ends it polls once ({@link Poller}) and tries the stream again, after an
 * exponential backoff with jitter (so that a fleet of clients does not reconnect in step), capped
 * by the poll interval (so that polling goes on at least that often).
 *
 * <p>Health is logged on change only ({@link StateLog}): to {@value #STREAM_LOGGER} when the stream
 * fails and when it connects again, to {@value #TOKEN_LOGGER} when the token is refused and when it
 * is accepted again.
 */
final class StreamFollower implements AutoCloseable {
  static final String STREAM_LOGGER = "dev.rollgate.sdk.stream";
  static final String TOKEN_LOGGER = "dev.rollgate.sdk.token";
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final URI endpoint;
  private final String token;
  private final HttpClient http;
  private final Duration pollInterval;
  private final ConfigurationSink sink;
  private final Poller poller;
  private final StateLog streamLog;
  private final StateLog tokenLog;
  private final Thread thread;
  private int failures; // consecutive failed attempts; only the following thread touches it
  private volatile boolean closed;
  private volatile HttpResponse<Stream<String>> open;

  StreamFollower(
      URI base, String token, HttpClient http, Duration pollInterval, ConfigurationSink sink) {
    this.endpoint = base.resolve(Protocol.STREAM_PATH);
    this.token = token;
    this.http = http;
    this.pollInterval = pollInterval;
    this.sink = sink;
    this.streamLog = new StateLog(STREAM_LOGGER);
    this.tokenLog = new StateLog(TOKEN_LOGGER);
    this.poller = new Poller(base, token, http, sink, tokenLog);
    this.thread = Thread.ofPlatform().daemon().name("rollgate-sdk-sync").unstarted(this::run);
  }

  /** Starts following on the client's thread. */
  void start() {
    thread.start();
  }

  private void run() {
    while (!closed) {
      try {
        long pause = followOnce();
        if (closed) {
          return;
        }
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * Follows the stream until it ends or fails, then polls once; answers how many milliseconds to
   * wait before the next attempt. The background thread calls it in a loop; tests call it directly
   * so that they need neither the thread nor its sleeps.
   */
  long followOnce() throws InterruptedException {
    try {
      stream(); // returns when the stream ends
      failures = 0;
    } catch (Refused e) {
      failures++; // logged where the status code was seen
    } catch (IOException | RuntimeException e) {
      failures++;
      if (!closed) {
        streamLog.failed(
            kind(e), () -> streamFailed(e instanceof Unexpected ? e.getMessage() : e.toString()));
      }
    }
    if (closed) {
      return 0;
    }
    sink.lost();
    poller.poll();
    long backoff = Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(failures, 7));
    long jittered = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
    return Math.min(jittered, pollInterval.toMillis());
  }

  /** A 401 or 403: the token's problem, logged once as such rather than as a stream failure. */
  private static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(int code) {
      super("stream answered " + code);
    }
  }

  /** A status other than 200, 401 or 403. */
  private static final class Unexpected extends IOException {
    private static final long serialVersionUID = 1L;

    Unexpected(int code) {
      super("HTTP " + code);
    }
  }

  private void stream() throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(endpoint)
            .header("Accept", Protocol.EVENT_STREAM_MEDIA_TYPE)
            .header(Protocol.HEADER_API_KEY, token)
            .build();
    HttpResponse<Stream<String>> response = http.send(request, HttpResponse.BodyHandlers.ofLines());
    int code = response.statusCode();
    if (code != 200) {
      response.body().close();
      if (code == 401 || code == 403) {
        tokenLog.failed("HTTP " + code, () -> tokenRefused(code, endpoint));
        sink.refused();
        throw new Refused(code);
      }
      throw new Unexpected(code);
    }
    tokenLog.recovered(StreamFollower::tokenAccepted);
    streamLog.recovered(() -> "Rollgate stream " + display(endpoint) + " connected again");
    open = response;
    try (Stream<String> lines = response.body()) {
      readEvents(lines);
    } finally {
      open = null;
    }
  }

  /** Server-sent events: {@code event:} and {@code data:} lines, a blank line ends each event. */
  private void readEvents(Stream<String> lines) {
    String event = null;
    StringBuilder data = new StringBuilder();
    for (String line : (Iterable<String>) lines::iterator) {
      if (line.isEmpty()) {
        if (Protocol.SSE_EVENT_CONFIGURATION.equals(event) && !data.isEmpty()) {
          sink.configuration(data.toString());
        }
        event = null;
        data.setLength(0);
      } else if (line.startsWith("event:")) {
        event = line.substring(6).strip();
      } else if (line.startsWith("data:")) {
        data.append(line.substring(5).strip());
      }
    }
  }

  /**
   * The status code, or the exception's class: a 502 after a 503 is logged, a second 503 is not,
   * and neither is a second refused connection whatever its message says.
   */
  private static String kind(Exception e) {
    return e instanceof Unexpected ? e.getMessage() : e.getClass().getName();
  }

  private String streamFailed(String cause) {
    return "Rollgate stream "
        + display(endpoint)
        + " failed ("
        + cause
        + "); serving the flags it has, polling and reconnecting with backoff";
  }

  static String tokenRefused(int code, URI endpoint) {
    return "Rollgate refused the sdk token (HTTP "
        + code
        + " from "
        + display(endpoint)
        + "); serving the flags it has until the token is accepted";
  }

  static String tokenAccepted() {
    return "Rollgate accepts the sdk token again";
  }

  /** An endpoint for a log line: scheme, host, port and path, never user info or a query. */
  static String display(URI uri) {
    return uri.getScheme()
        + "://"
        + uri.getHost()
        + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
        + uri.getPath();
  }

  /** Stops following: closes the open stream and waits for the thread to end. */
  @Override
  public void close() {
    closed = true;
    HttpResponse<Stream<String>> response = open;
    if (response != null) {
      response.body().close();
    }
    thread.interrupt();
    try {
      if (thread.isAlive()) {
        thread.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

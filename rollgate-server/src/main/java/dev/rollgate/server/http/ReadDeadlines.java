package dev.rollgate.server.http;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deadlines for reading a request, which Jetty lacks: its idle timeout starts again with every
 * byte, so a client that sends one header line a second keeps its connection for ever, and {@code
 * HttpConfiguration}'s minimum request data rate applies only to a body read through the servlet
 * layer, never to the head. A watchdog looks at each connection's parser a few times per deadline:
 * when a request's head has not all arrived within the header timeout of its first byte, or the
 * whole request within the body timeout, the connection is closed.
 *
 * <p>Only a request that is arriving is timed. A connection waiting for its next request is the
 * idle timeout's, and one whose request has arrived (an event stream, a slow handler) is left
 * alone. A body counts as arrived once the handler has read it, which Rollgate's handlers do first.
 *
 * <p>The parser is that of Jetty's HTTP/1.1 connection, a public class in an internal package: a
 * Jetty upgrade may need this revisited, and SlowClientTest tells when.
 */
final class ReadDeadlines extends AbstractLifeCycle implements Connection.Listener {
  private static final Logger log = LoggerFactory.getLogger(ReadDeadlines.class);

  private final long headerNanos;
  private final long requestNanos;
  private final long periodMillis;
  private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
  private ScheduledExecutorService watchdog;

  ReadDeadlines(Duration header, Duration request) {
    this.headerNanos = header.toNanos();
    this.requestNanos = request.toNanos();
    // A few looks per deadline: a request gets its time, and at most a quarter more.
    this.periodMillis = Math.clamp(Math.min(header.toMillis(), request.toMillis()) / 4, 10, 1000);
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof HttpConnection http) {
      open.add(http);
    }
  }

  @Override
  public void onClosed(Connection connection) {
    if (connection instanceof HttpConnection http) {
      open.remove(http);
    }
  }

  @Override
  protected void doStart() {
    watchdog =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("rollgate-read-deadlines").factory());
    var unused =
        watchdog.scheduleWithFixedDelay(
            this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  protected void doStop() {
    watchdog.shutdownNow();
  }

  private void check() {
    long now = System.nanoTime();
    for (HttpConnection connection : open) {
      try {
        check(connection, now);
      } catch (RuntimeException e) {
        log.debug("read deadline check failed: {}", e.toString()); // the next look tries again
      }
    }
  }

  private void check(HttpConnection connection, long now) {
    HttpParser parser = connection.getParser();
    // The state is volatile and changes after the parser notes a request's first byte: read it
    // first, and the start time read after it is this request's. States come in parsing order.
    HttpParser.State state = parser.getState();
    if (state == HttpParser.State.START || state.compareTo(HttpParser.State.END) >= 0) {
      return; // between requests, or the request has arrived
    }
    long age = now - parser.getBeginNanoTime();
    boolean inHead = state.compareTo(HttpParser.State.CONTENT) < 0;
    if (age > requestNanos || (inHead && age > headerNanos)) {
      log.debug(
          "closing a connection: its request {} did not arrive in time", inHead ? "head" : "body");
      connection
          .getEndPoint()
          .close(new TimeoutException("the request did not arrive within its deadline"));
    }
  }
}

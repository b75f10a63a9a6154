package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code rollgate wait-ready} against real sockets: a server, a closed port, a late starter. */
class WaitReadyTest {

  /** A port that was free a moment ago and has nothing listening on it now. */
  static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A plain HTTP server answering /ready with {@code status} and {@code body}. */
  private static HttpServer answering(int port, int status, String body) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext(
        "/ready",
        exchange -> {
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    return server;
  }

  @Test
  void aReadyServerExitsZeroAndPrintsNothing() {
    try (TestServer server = TestServer.start(StoreKind.SQLITE)) {
      CliTest.Run run = CliTest.run("wait-ready", "--url", server.admin().base() + "/");
      assertThat(run.code()).isZero();
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).isEmpty();
    }
  }

  @Test
  void aClosedPortTimesOutWithOneLineNamingTheCause() throws IOException {
    int port = closedPort();
    long start = System.nanoTime();
    CliTest.Run run =
        CliTest.run("wait-ready", "--url", "http://127.0.0.1:" + port, "--timeout", "600ms");
    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(run.code()).isEqualTo(1);
    assertThat(run.out()).isEmpty();
    assertThat(run.err())
        .isEqualTo(
            "rollgate wait-ready: http://127.0.0.1:"
                + port
                + " not ready after 600 ms: connection refused"
                + System.lineSeparator());
    assertThat(millis).isBetween(400L, 10_000L);
  }

  @Test
  void aServerThatIsNotReadyGivesItsReason() throws IOException {
    HttpServer server =
        answering(
            0,
            503,
            "{\"status\":\"not ready\",\"reason\":\"store unreachable; evaluation goes on\"}");
    try {
      CliTest.Run run =
          CliTest.run(
              "wait-ready",
              "--url",
              "http://127.0.0.1:" + server.getAddress().getPort(),
              "--timeout",
              "1");
      assertThat(run.code()).isEqualTo(1);
      assertThat(run.err())
          .endsWith(
              " not ready after 1 s: answered 503: store unreachable; evaluation goes on"
                  + System.lineSeparator());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void waitsForAServerThatStartsLater() throws Exception {
    int port = closedPort();
    CompletableFuture<HttpServer> late =
        CompletableFuture.supplyAsync(() -> {
          try {
            Thread.sleep(1000);
            return answering(port, 200, "{\"status\":\"ready\"}");
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
    try {
      CliTest.Run run =
          CliTest.run("wait-ready", "--url", "http://127.0.0.1:" + port, "--timeout", "20s");
      assertThat(run.err()).isEmpty();
      assertThat(run.code()).isZero();
      assertThat(late).isDone(); // it answered only once the late server was up
    } finally {
      late.get(20, TimeUnit.SECONDS).stop(0);
    }
  }

  @Test
  void badOptionsAreOneLineAndExitTwo() {
    CliTest.Run timeout = CliTest.run("wait-ready", "--timeout", "soon");
    assertThat(timeout.code()).isEqualTo(2);
    assertThat(timeout.err())
        .isEqualTo(
            "rollgate wait-ready: Invalid value for option '--timeout': 'soon' is not a duration"
                + " (for example 500ms, 30s, 2m) (see 'rollgate wait-ready --help')"
                + System.lineSeparator());
    CliTest.Run url = CliTest.run("wait-ready", "--url", "localhost:8420");
    assertThat(url.code()).isEqualTo(2);
    assertThat(url.err())
        .isEqualTo(
            "rollgate wait-ready: --url: not an http(s) URL: localhost:8420"
                + System.lineSeparator());
  }

  @Test
  void durationsReadAsDocumented() {
    WaitReadyCommand.DurationConverter c = new WaitReadyCommand.DurationConverter();
    assertThat(c.convert("500ms")).hasMillis(500);
    assertThat(c.convert("30s")).hasSeconds(30);
    assertThat(c.convert("2m")).hasMinutes(2);
    assertThat(c.convert("7")).hasSeconds(7);
  }
}

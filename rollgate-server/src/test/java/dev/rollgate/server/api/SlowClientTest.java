package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.SseListener;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients that send a request a little at a time: a head or a body that trickles in is cut off at
 * its deadline, a slow request that completes in time is served, and neither deadline touches an
 * idle keep-alive connection or an event stream.
 */
class SlowClientTest {
  private static final String P = "/api/v1/projects/default";

  private static TestServer server(String headerMs, String bodyMs) {
    return TestServer.start(
        StoreKind.SQLITE,
        Map.of(
            "ROLLGATE_HEADER_TIMEOUT_MS", headerMs,
            "ROLLGATE_BODY_TIMEOUT_MS", bodyMs,
            "ROLLGATE_STREAM_HEARTBEAT_SECONDS", "1"));
  }

  /** A raw connection whose end (the server closing it) a reader thread notices. */
  private static final class Connection implements AutoCloseable {
    final Socket socket;
    final OutputStream out;
    final CountDownLatch closed = new CountDownLatch(1);
    final StringBuilder received = new StringBuilder();

    Connection(String base) throws IOException {
      URI uri = URI.create(base);
      socket = new Socket(uri.getHost(), uri.getPort());
      out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      Thread.ofVirtual()
          .start(() -> {
            byte[] buffer = new byte[4096];
            try {
              for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (received) {
                  received.append(new String(buffer, 0, n, StandardCharsets.ISO_8859_1));
                }
              }
            } catch (IOException e) {
              // reset by the server: closed all the same
            } finally {
              closed.countDown();
            }
          });
    }

    /** Writes {@code text}; false once the server has closed the connection. */
    boolean write(String text) {
      try {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return closed.getCount() > 0;
      } catch (IOException e) {
        return false;
      }
    }

    String received() {
      synchronized (received) {
        return received.toString();
      }
    }

    /** Waits until the answer holds {@code count} complete responses (bodies are small JSON). */
    String awaitResponses(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline) {
        String text = received();
        if (text.split("HTTP/1.1 ", -1).length - 1 >= count && text.endsWith("}")) {
          return text;
        }
        Thread.sleep(20);
      }
      throw new AssertionError("no " + count + " responses in: " + received());
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  @Test
  void headsThatTrickleInAreClosedAtTheirDeadline() throws Exception {
    try (TestServer server = server("300", "10000")) {
      List<Connection> slow = new ArrayList<>();
      try {
        for (int i = 0; i < 20; i++) {
          Connection c = new Connection(server.admin().base());
          c.write("GET /health HTTP/1.1\r\n");
          slow.add(c);
        }
        // One header line every 100 ms: each line resets an idle timeout, never a deadline.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        boolean open = true;
        for (int line = 0; open && System.nanoTime() < deadline; line++) {
          open = false;
          for (Connection c : slow) {
            open |= c.write("X-Slow-" + line + ": 1\r\n");
          }
          Thread.sleep(100);
        }
        for (Connection c : slow) {
          assertThat(c.closed.await(1, TimeUnit.SECONDS)).as("closed by the server").isTrue();
          assertThat(c.received()).doesNotContain("\"status\":\"up\"");
        }
      } finally {
        for (Connection c : slow) {
          c.close();
        }
      }
      assertThat(server.as(null).get("/health").status()).isEqualTo(200);
    }
  }

  @Test
  void aSlowRequestThatCompletesInTimeIsServedAndIdleTimeIsNotCounted() throws Exception {
    try (TestServer server = server("1500", "1500");
        Connection c = new Connection(server.admin().base())) {
      for (String part : new String[] {"GET /health HTTP/1.1\r\n", "Host: x\r\n", "\r\n"}) {
        assertThat(c.write(part)).isTrue();
        Thread.sleep(150);
      }
      assertThat(c.awaitResponses(1)).startsWith("HTTP/1.1 200").contains("\"status\":\"up\"");

      // Longer than both deadlines between two requests on one connection: not a slow request.
      Thread.sleep(2000);
      assertThat(c.closed.getCount()).as("kept alive").isEqualTo(1);
      String body = "{\"description\":\"slow but whole\"}";
      String head =
          "PATCH "
              + P
              + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
              + TestServer.ADMIN_TOKEN
              + "\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length()
              + "\r\n\r\n";
      assertThat(c.write(head)).isTrue();
      for (String part : new String[] {body.substring(0, 10), body.substring(10)}) {
        Thread.sleep(150);
        assertThat(c.write(part)).isTrue();
      }
      String both = c.awaitResponses(2);
      assertThat(both.substring(both.lastIndexOf("HTTP/1.1 "))).startsWith("HTTP/1.1 200");
      assertThat(both).contains("slow but whole");
    }
  }

  @Test
  void aBodyThatTricklesInIsClosedAtItsDeadline() throws Exception {
    try (TestServer server = server("10000", "500");
        Connection c = new Connection(server.admin().base())) {
      c.write(
          "POST "
              + P
              + "/flags HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
              + TestServer.ADMIN_TOKEN
              + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (c.write(" ") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(c.closed.await(1, TimeUnit.SECONDS)).as("closed by the server").isTrue();
      assertThat(server.admin().get(P + "/flags").status()).isEqualTo(200);
    }
  }

  @Test
  void eventStreamsOutliveBothDeadlines() throws Exception {
    try (TestServer server = server("200", "200")) {
      server.admin().post(P + "/flags", dev.rollgate.server.testing.TestFlags.checkout());
      try (SseListener stream =
          new SseListener(server.admin().base() + "/api/v1/stream", server.sdkToken(), null)) {
        stream.next("configuration", 10);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (stream.comments() < 2 && System.nanoTime() < deadline) {
          Thread.sleep(50);
        }
        assertThat(stream.comments()).as("heartbeats, a second apart").isGreaterThanOrEqualTo(2);
        server
            .admin()
            .patch(P + "/flags/new-checkout/environments/production", Map.of("state", "DISABLED"));
        assertThat(stream.next("configuration", 10).data()).contains("DISABLED");
      }
    }
  }
}

package dev.rollgate.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.SseListener;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One change, many streams: a client that stops reading holds up neither the admin write that made
 * the change nor the other clients, and when it reads again it is sent the newest configuration
 * rather than every one it missed.
 */
class StreamFanoutTest {
  private static final String FLAG = "/api/v1/projects/default/flags/banner";
  // Each configuration carries this much: a few of them fill every buffer between the server and
  // a client that does not read, so that the server's next write to it would wait.
  private static final int VARIANT_CHARS = 200_000;
  private static final int CHANGES = 24;

  @Test
  void aClientThatStopsReadingHoldsUpNeitherTheWriteNorTheOtherStreams() throws Exception {
    try (TestServer server =
        TestServer.start(StoreKind.SQLITE, Map.of("ROLLGATE_MAX_BODY_BYTES", "4194304"))) {
      ApiClient admin = server.admin();
      String big = "x".repeat(VARIANT_CHARS);
      ApiClient.Response created =
          admin.post(
              "/api/v1/projects/default/flags",
              Map.of(
                  "key",
                  "banner",
                  "variants",
                  Map.of("a", "a-" + big, "b", "b-" + big),
                  "defaultVariant",
                  "a",
                  "environments",
                  Map.of("production", Map.of("state", "ENABLED"))));
      assertThat(created.status()).as(created.toString()).isEqualTo(201);
      String sdk = server.sdkToken();
      String base = admin.base();

      try (Socket stalled = stalledStream(base, sdk);
          SseListener reader = new SseListener(base + "/api/v1/stream", sdk, null)) {
        String last = reader.next("configuration", 10).id();
        for (int i = 1; i <= CHANGES; i++) {
          String variant = i % 2 == 1 ? "b" : "a"; // always a change: the flag starts on "a"
          ApiClient.Response r =
              admin.patch(FLAG + "/environments/production", Map.of("defaultVariant", variant));
          // Before the change reached every stream, the write that made it is answered.
          assertThat(r.status()).as("change %d: %s", i, r).isEqualTo(200);
          // Every change reaches the client that reads, however far behind the other one is.
          SseListener.Event event = reader.next("configuration", 10);
          assertThat(Long.parseLong(event.id())).isGreaterThan(Long.parseLong(last));
          assertThat(event.data()).contains("\"defaultVariant\":\"" + variant + "\"");
          last = event.id();
        }

        // The stalled client reads again: it gets to the newest configuration, having been sent
        // far fewer than all of them.
        int sent = readUntil(stalled, last);
        assertThat(sent).isLessThan(CHANGES);
      }
    }
  }

  /** A stream whose client reads nothing, with as small a window as the kernel allows. */
  private static Socket stalledStream(String base, String sdk) throws IOException {
    URI uri = URI.create(base);
    Socket socket = new Socket();
    socket.setReceiveBufferSize(
        4096); // before connecting, so that the window is small from the start
    socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
    socket
        .getOutputStream()
        .write(
            ("GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\nX-API-Key: "
                    + sdk
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return socket;
  }

  /**
   * Reads the stream until the configuration with event id {@code id} has arrived whole; answers
   * how many configurations it read.
   */
  private static int readUntil(Socket socket, String id) throws IOException {
    socket.setSoTimeout(30_000);
    BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    int configurations = 0;
    String eventId = null;
    boolean configuration = false;
    for (String line; (line = in.readLine()) != null; ) {
      if (line.startsWith("id: ")) {
        eventId = line.substring(4);
      } else if (line.equals("event: configuration")) {
        configuration = true;
      } else if (line.isEmpty()) {
        if (configuration) {
          configurations++;
          if (id.equals(eventId)) {
            return configurations;
          }
        }
        configuration = false;
        eventId = null;
      }
    }
    throw new AssertionError("the stream ended before configuration " + id);
  }
}

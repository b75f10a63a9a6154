package dev.rollgate.server.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollgate.core.json.Json;
import dev.rollgate.server.testing.ApiClient;
import dev.rollgate.server.testing.RawHttp;
import dev.rollgate.server.testing.StoreKind;
import dev.rollgate.server.testing.TestFlags;
import dev.rollgate.server.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;

/**
 * One real server (embedded store) for every input of a fuzz run, with a flag and an sdk token: the
 * inputs go through its socket, as an attacker's would, each on a connection of its own (so what
 * one input leaves on a connection cannot be blamed on the next).
 */
final class FuzzedServer {
  private static TestServer server;
  private static String sdkToken;

  private FuzzedServer() {}

  /** Starts the server on first use. */
  static synchronized void start() {
    if (server == null) {
      server = TestServer.start(StoreKind.SQLITE, Map.of("ROLLGATE_RATE_LIMIT_EVALUATIONS", "0"));
      ApiClient admin = server.admin();
      assertThat(admin.post(TestFlags.FLAGS, TestFlags.checkout()).status()).isEqualTo(201);
      sdkToken = server.sdkToken();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    }
  }

  /** POSTs {@code body} (as UTF-8) to {@code path} with the sdk token, on a new connection. */
  static ApiClient.Response post(String path, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String request =
        "POST "
            + path
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-API-Key: "
            + sdkToken
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + bytes.length
            + "\r\n\r\n"
            + new String(bytes, StandardCharsets.ISO_8859_1);
    String answer = RawHttp.send(server.admin().base(), request);
    int end = answer.indexOf("\r\n\r\n");
    assertThat(end).as("a whole response head: " + answer).isPositive();
    String head = answer.substring(0, end);
    String text = answer.substring(end + 4);
    if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
      text = dechunk(text);
    }
    int status = Integer.parseInt(head.substring(9, 12));
    return new ApiClient.Response(status, Map.of(), text);
  }

  private static String dechunk(String chunked) {
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int line = chunked.indexOf("\r\n", at);
      int size = Integer.parseInt(chunked.substring(at, line).strip(), 16);
      if (size == 0) {
        return out.toString();
      }
      // sizes count bytes; the text was read as UTF-8, so count through its bytes
      byte[] rest = chunked.substring(line + 2).getBytes(StandardCharsets.UTF_8);
      String piece = new String(rest, 0, size, StandardCharsets.UTF_8);
      out.append(piece);
      at = line + 2 + piece.length() + 2;
    }
  }

  /**
   * The server's answer must be its own: under 500, and an error is a JSON object: Rollgate's error
   * (status, code, message, request id) or, on OFREP's evaluation paths, OFREP's (an errorCode).
   */
  static void assertHandled(ApiClient.Response r) {
    assertThat(r.status()).as(r.toString()).isLessThan(500);
    if (r.status() >= 400) {
      Map<String, Object> error =
          assertThat(Json.parse(r.text()))
              .as(r.toString())
              .asInstanceOf(InstanceOfAssertFactories.map(String.class, Object.class))
              .actual();
      if (!error.containsKey("errorCode")) {
        assertThat(error).as(r.toString()).containsKeys("status", "code", "message", "requestId");
      }
    }
  }
}

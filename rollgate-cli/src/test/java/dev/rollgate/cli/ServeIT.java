package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./rollgate serve} as a real process on the embedded store: it starts, answers, and on
 * SIGTERM finishes the request in flight, closes the store and keeps the data for the next start.
 */
class ServeIT {
  private static final String TOKEN = "serve-it-admin-token";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  private Process serve(int port, Path log) throws IOException {
    return ServeProcess.start(
        port, dir.resolve("data"), log, Map.of("ROLLGATE_ADMIN_TOKEN", TOKEN));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(
        request.header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Waits until the server reports at least {@code count} requests in flight on two polls 200 ms
   * apart: a poll's own request is counted until just after its answer, so one poll can still see
   * the one before it.
   */
  private static void awaitInFlight(int port, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    int seen = 0;
    while (System.nanoTime() < deadline) {
      String metrics =
          send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))).body();
      boolean enough = false;
      for (String line : metrics.lines().toList()) {
        if (line.startsWith("http_server_requests_active ")
            && Double.parseDouble(line.substring(line.indexOf(' ') + 1)) >= count) {
          enough = true;
        }
      }
      seen = enough ? seen + 1 : 0;
      if (seen == 2) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the slow request never reached the server");
  }

  @Test
  void finishesTheRequestInFlightOnSigtermAndKeepsItsData() throws Exception {
    int port = ServeProcess.freePort();
    String base = "http://127.0.0.1:" + port + "/api/v1/projects/default";
    Path log = dir.resolve("serve.log");
    Process server = serve(port, log);
    ServeProcess.awaitReady(port);

    // A flag body sent in two parts over a raw socket: SIGTERM arrives while the server waits for
    // the second part.
    byte[] body =
        "{\"key\": \"late-flag\", \"variants\": {\"on\": true, \"off\": false}}"
            .getBytes(StandardCharsets.UTF_8);
    int half = body.length / 2;
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /api/v1/projects/default/flags HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  + "Authorization: Bearer "
                  + TOKEN
                  + "\r\nContent-Type: application/json\r\n"
                  + "Content-Length: "
                  + body.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, half);
      out.flush();
      awaitInFlight(port, 2); // the slow request, and the metrics request that counts it
      server.destroy(); // SIGTERM
      Thread.sleep(500); // the server is draining now
      out.write(body, half, body.length - half);
      out.flush();
      String statusLine =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      assertThat(statusLine).startsWith("HTTP/1.1 201");
    }
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(server.exitValue()).isIn(0, 143);
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).anyMatch(l -> l.contains("rollgate: stopped"));
    assertThat(String.join("\n", lines)).doesNotContain("Exception");

    Process again = serve(port, dir.resolve("serve2.log"));
    try {
      ServeProcess.awaitReady(port);
      HttpResponse<String> flag =
          send(HttpRequest.newBuilder(URI.create(base + "/flags/late-flag")));
      assertThat(flag.statusCode()).isEqualTo(200);
      HttpResponse<String> verify =
          send(
              HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + port + "/api/v1/audit/verify")));
      assertThat(verify.body()).startsWith("{\"valid\":true");
    } finally {
      again.destroy();
      again.waitFor(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aPortInUseIsOneLineAndStatusTwo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      Path log = dir.resolve("busy.log");
      Process server = serve(taken.getLocalPort(), log);
      assertThat(server.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(server.exitValue()).isEqualTo(2);
      assertThat(Files.readString(log))
          .contains("rollgate serve: cannot listen on port " + taken.getLocalPort());
    }
  }
}

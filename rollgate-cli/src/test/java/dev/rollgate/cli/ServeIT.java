package dev.rollgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./rollgate serve} as a real process on the embedded store: it starts, answers, and on
 * SIGTERM finishes the request in flight, closes the store and keeps the data for the next start.
 */
class ServeIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final String TOKEN = "serve-it-admin-token";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  private Process serve(int port, Path log) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                ROOT.resolve("rollgate").toString(),
                "serve",
                "--port",
                String.valueOf(port),
                "--data-dir",
                dir.resolve("data").toString())
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("ROLLGATE_ADMIN_TOKEN", TOKEN);
    return builder.start();
  }

  private static HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(
        request.header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitReady(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      try {
        if (send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")))
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("server did not become ready");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void finishesTheRequestInFlightOnSigtermAndKeepsItsData() throws Exception {
    int port = freePort();
    String base = "http://127.0.0.1:" + port + "/api/v1/projects/default";
    Path log = dir.resolve("serve.log");
    Process server = serve(port, log);
    awaitReady(port);

    // A flag body sent slowly: SIGTERM arrives while the server is still reading it.
    CountDownLatch halfSent = new CountDownLatch(1);
    byte[][] parts = {
      "{\"key\": \"late-flag\", ".getBytes(StandardCharsets.UTF_8),
      "\"variants\": {\"on\": true, \"off\": false}}".getBytes(StandardCharsets.UTF_8)
    };
    InputStream slowBody =
        new InputStream() {
          private int part;
          private int offset;

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (part == parts.length) {
              return -1;
            }
            if (part == 1 && offset == 0) {
              halfSent.countDown();
              try {
                Thread.sleep(1500);
              } catch (InterruptedException e) {
                throw new IOException(e);
              }
            }
            int n = Math.min(len, parts[part].length - offset);
            System.arraycopy(parts[part], offset, b, off, n);
            offset += n;
            if (offset == parts[part].length) {
              part++;
              offset = 0;
            }
            return n;
          }
        };
    CompletableFuture<HttpResponse<String>> inFlight =
        HTTP.sendAsync(
            HttpRequest.newBuilder(URI.create(base + "/flags"))
                .header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> slowBody))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(halfSent.await(30, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(300); // the request is now inside the server
    server.destroy(); // SIGTERM

    HttpResponse<String> response = inFlight.get(60, TimeUnit.SECONDS);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(server.exitValue()).isIn(0, 143);
    List<String> lines = Files.readAllLines(log);
    assertThat(lines).anyMatch(l -> l.contains("rollgate: stopped"));
    assertThat(String.join("\n", lines)).doesNotContain("Exception");

    Process again = serve(port, dir.resolve("serve2.log"));
    try {
      awaitReady(port);
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

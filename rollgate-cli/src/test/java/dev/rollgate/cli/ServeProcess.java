package dev.rollgate.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code ./rollgate serve} as a real process, for the tests that start, stop and kill it. */
final class ServeProcess {
  static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServeProcess() {}

  /** Starts the server on {@code port} over {@code dataDir}, its output in {@code log}. */
  static Process start(int port, Path dataDir, Path log, Map<String, String> environment)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                ROOT.resolve("rollgate").toString(),
                "serve",
                "--port",
                String.valueOf(port),
                "--data-dir",
                dataDir.toString())
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    return builder.start();
  }

  /** Waits (up to two minutes: the launcher may build first) until {@code /ready} is 200. */
  static void awaitReady(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      try {
        HttpRequest ready =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready")).build();
        if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("server did not become ready");
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

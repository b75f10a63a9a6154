package dev.rollgate.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a local socket whose answers the test sets path by path: a status code, and
 * for 200 a body. It records each request's path and headers.
 */
final class ScriptedServer implements AutoCloseable {
  /** What a path answers. */
  record Answer(int status, String body) {
    static Answer of(int status) {
      return new Answer(status, "");
    }
  }

  /** A request as received. */
  record Request(String path, Map<String, List<String>> headers) {
    /** A header's first value, its name in any case; null when absent. */
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().getFirst())
          .findFirst()
          .orElse(null);
    }
  }

  private final HttpServer server;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  ScriptedServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  void answer(String path, Answer answer) {
    answers.put(path, answer);
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** Waits until {@code count} requests have arrived; false when {@code timeout} passed first. */
  synchronized boolean awaitRequests(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (requests.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      requests.add(new Request(path, Map.copyOf(exchange.getRequestHeaders())));
      synchronized (this) {
        notifyAll();
      }
      exchange.getRequestBody().readAllBytes();
      Answer answer = answers.getOrDefault(path, Answer.of(404));
      byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
      if (body.length == 0) {
        exchange.sendResponseHeaders(answer.status(), -1);
        return;
      }
      exchange.sendResponseHeaders(answer.status(), body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

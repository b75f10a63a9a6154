package dev.rollgate.server.testing;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An issuer's JWKS endpoint on 127.0.0.1, for the OIDC tests: it publishes the public halves of the
 * keys it is given (and can be given others later, as an issuer that rotates its keys), and counts
 * how often it was asked.
 */
public final class JwksServer implements AutoCloseable {
  private final HttpServer http;
  private final AtomicInteger fetches = new AtomicInteger();
  private volatile String document;

  private JwksServer(HttpServer http) {
    this.http = http;
  }

  public static JwksServer start(JWK... keys) {
    try {
      HttpServer http =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      JwksServer server = new JwksServer(http);
      server.publish(keys);
      http.createContext(
          "/jwks",
          exchange -> {
            server.fetches.incrementAndGet();
            byte[] body = server.document.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      http.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** From now on, the endpoint serves these keys (their public halves). */
  public void publish(JWK... keys) {
    document = new JWKSet(List.of(keys)).toString(true);
  }

  public String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort() + "/jwks";
  }

  /** How many times the key set was fetched. */
  public int fetches() {
    return fetches.get();
  }

  @Override
  public void close() {
    http.stop(0);
  }
}

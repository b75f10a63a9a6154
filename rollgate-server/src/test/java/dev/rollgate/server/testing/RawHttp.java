package dev.rollgate.server.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * Requests written byte for byte on a socket, for what an HTTP client library will not send (no
 * Content-Length, broken chunking, oversized lines). Answers the whole response as text.
 */
public final class RawHttp {
  private RawHttp() {}

  /** Sends {@code request} (head and body, CRLFs included) to the server at {@code base}. */
  public static String send(String base, String request) throws IOException {
    URI uri = URI.create(base);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

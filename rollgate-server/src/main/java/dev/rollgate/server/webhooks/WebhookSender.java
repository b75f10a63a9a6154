package dev.rollgate.server.webhooks;

import dev.rollgate.server.net.TargetPolicy;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One HTTP/1.1 POST to a checked {@link TargetPolicy.Target}, over a socket connected to one of the
 * addresses the policy checked (not to whatever the host resolves to by then), keeping the host
 * name for the Host header, TLS SNI and the certificate check. Redirects are not followed: any
 * status is the answer. The whole exchange has one deadline, so a receiver that trickles its
 * answer, or never reads the body, cannot hold a sender.
 *
 * <p>Failures come back as a category only ({@code connection_failed}, {@code timeout}, {@code
 * tls_error}, {@code bad_response}): the delivery log is read by admins, and an exception message
 * would tell which hosts and ports answer.
 */
final class WebhookSender {
  private static final int MAX_STATUS_LINE = 8192;

  private final SSLSocketFactory tls;
  private final Duration connectTimeout;
  private final Duration timeout;

  WebhookSender(SSLSocketFactory tls, Duration connectTimeout, Duration timeout) {
    this.tls = tls;
    this.connectTimeout = connectTimeout;
    this.timeout = timeout;
  }

  /** The default TLS trust, 5 s to connect and 10 s for the whole exchange. */
  static WebhookSender standard() {
    return new WebhookSender(
        (SSLSocketFactory) SSLSocketFactory.getDefault(),
        Duration.ofSeconds(5),
        Duration.ofSeconds(10));
  }

  /** Why a request got no status. */
  static final class Failed extends Exception {
    private static final long serialVersionUID = 1L;

    Failed(String category) {
      super(category);
    }

    String category() {
      return getMessage();
    }
  }

  /** POSTs {@code body} with {@code headers}; returns the status code of the answer. */
  int post(TargetPolicy.Target target, Map<String, String> headers, byte[] body) throws Failed {
    AtomicReference<Socket> open = new AtomicReference<>();
    AtomicBoolean expired = new AtomicBoolean();
    // Socket timeouts bound reads but not writes; closing the socket at the deadline bounds both.
    CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .execute(() -> {
          expired.set(true);
          closeQuietly(open.get());
        });
    try {
      Socket socket = connect(target, open);
      if (target.https()) {
        socket = secure(socket, target);
        open.set(socket);
      }
      if (expired.get()) {
        throw new SocketTimeoutException();
      }
      OutputStream out = socket.getOutputStream();
      out.write(head(target, headers, body.length).getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      return status(new BufferedInputStream(socket.getInputStream()));
    } catch (SSLException e) {
      throw new Failed(expired.get() ? "timeout" : "tls_error");
    } catch (SocketTimeoutException e) {
      throw new Failed("timeout");
    } catch (IOException e) {
      throw new Failed(expired.get() ? "timeout" : "connection_failed");
    } finally {
      expired.set(true);
      closeQuietly(open.get());
    }
  }

  /** A socket connected to the first checked address that accepts. */
  private Socket connect(TargetPolicy.Target target, AtomicReference<Socket> open)
      throws IOException {
    IOException last = null;
    for (InetAddress address : target.addresses()) {
      Socket socket = new Socket();
      open.set(socket);
      try {
        socket.setSoTimeout((int) timeout.toMillis());
        socket.connect(
            new InetSocketAddress(address, target.port()), (int) connectTimeout.toMillis());
        return socket;
      } catch (IOException e) {
        closeQuietly(socket);
        last = e;
      }
    }
    throw last != null ? last : new IOException("no address");
  }

  /** TLS over {@code socket}, for the host as named: SNI, and a certificate for that name. */
  private Socket secure(Socket socket, TargetPolicy.Target target) throws IOException {
    SSLSocket ssl = (SSLSocket) tls.createSocket(socket, target.host(), target.port(), true);
    SSLParameters parameters = ssl.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    if (TargetPolicy.literal(target.host()) == null) {
      parameters.setServerNames(List.of(new SNIHostName(target.host())));
    }
    ssl.setSSLParameters(parameters);
    ssl.startHandshake();
    return ssl;
  }

  private static String head(TargetPolicy.Target target, Map<String, String> headers, int length) {
    StringBuilder head = new StringBuilder();
    head.append("POST ").append(target.pathAndQuery()).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(target.hostHeader()).append("\r\n");
    headers.forEach((name, value) -> {
      if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("header " + name + " holds a line break");
      }
      head.append(name).append(": ").append(value).append("\r\n");
    });
    head.append("Content-Length: ").append(length).append("\r\n");
    head.append("Connection: close\r\n\r\n");
    return head.toString();
  }

  /** The status of the answer, past any interim (1xx) ones. */
  private static int status(InputStream in) throws IOException, Failed {
    while (true) {
      String line = line(in); // "HTTP/1.1 204 No Content"
      int status = -1;
      if (line.startsWith("HTTP/1.") && line.length() >= 12 && line.charAt(8) == ' ') {
        try {
          status = Integer.parseInt(line.substring(9, 12));
        } catch (NumberFormatException e) {
          status = -1;
        }
      }
      if (status < 100 || status > 599) {
        throw new Failed("bad_response");
      }
      if (status >= 200) {
        return status;
      }
      while (!line(in).isEmpty()) {
        // the headers of an interim answer
      }
    }
  }

  /** One line of the answer's head, without its line end. */
  private static String line(InputStream in) throws IOException, Failed {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0 || line.size() >= MAX_STATUS_LINE) {
        throw new Failed("bad_response");
      }
      if (c != '\r') {
        line.write(c);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  private static void closeQuietly(Socket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      // closing is all that was asked
    }
  }
}

package dev.rollgate.server.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.rollgate.server.net.TargetPolicy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sender against receivers on 127.0.0.1 that answer well, badly or not at all, and over TLS
 * with a certificate for a name that only the test's resolver knows.
 */
class WebhookSenderTest {
  private static final byte[] BODY =
      "{\"event\":\"flag.changed\"}".getBytes(StandardCharsets.UTF_8);

  @TempDir Path temp;

  private static TargetPolicy.Target target(String url) throws TargetPolicy.Refused {
    return new TargetPolicy(true, host -> List.of(InetAddress.getLoopbackAddress())).check(url);
  }

  private static String category(WebhookSender sender, String url) throws Exception {
    try {
      int status = sender.post(target(url), Map.of(), BODY);
      throw new AssertionError("answered " + status);
    } catch (WebhookSender.Failed e) {
      return e.category();
    }
  }

  /** A receiver on 127.0.0.1 that does what {@code answer} says with each connection. */
  private static ServerSocket raw(Consumer<Socket> answer) throws Exception {
    ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(() -> {
          while (!server.isClosed()) {
            try (Socket s = server.accept()) {
              answer.accept(s);
            } catch (Exception e) {
              // the test is over, or the client went away
            }
          }
        });
    return server;
  }

  /** Reads the request: its head, then the body. */
  private static void readHead(Socket s) {
    try {
      InputStream in = s.getInputStream();
      int matched = 0;
      byte[] end = {'\r', '\n', '\r', '\n'};
      while (matched < 4) {
        int c = in.read();
        if (c < 0) {
          return;
        }
        matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
      }
      in.readNBytes(BODY.length); // all of it: closing with unread bytes would reset
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void write(Socket s, String text) {
    try {
      OutputStream out = s.getOutputStream();
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void anInterimAnswerIsSkippedAndAGarbledOneIsABadResponse() throws Exception {
    WebhookSender sender = WebhookSender.standard();
    try (ServerSocket ok =
            raw(s -> {
              readHead(s);
              write(s, "HTTP/1.1 100 Continue\r\nX: y\r\n\r\nHTTP/1.1 202 Accepted\r\n\r\n");
            });
        ServerSocket garbled =
            raw(s -> {
              readHead(s);
              write(s, "SSH-2.0-OpenSSH_9.6\r\n");
            });
        ServerSocket silentClose = raw(WebhookSenderTest::readHead)) {
      assertThat(sender.post(target("http://127.0.0.1:" + ok.getLocalPort() + "/"), Map.of(), BODY))
          .isEqualTo(202);
      assertThat(category(sender, "http://127.0.0.1:" + garbled.getLocalPort() + "/"))
          .isEqualTo("bad_response");
      assertThat(category(sender, "http://127.0.0.1:" + silentClose.getLocalPort() + "/"))
          .isEqualTo("bad_response");
    }
  }

  @Test
  void aReceiverThatNeverAnswersTimesOut() throws Exception {
    WebhookSender sender =
        new WebhookSender(
            (javax.net.ssl.SSLSocketFactory) javax.net.ssl.SSLSocketFactory.getDefault(),
            Duration.ofSeconds(5),
            Duration.ofMillis(300));
    BlockingQueue<Socket> held = new LinkedBlockingQueue<>();
    try (ServerSocket silent =
        raw(s -> {
          held.add(s);
          try {
            s.getInputStream().readAllBytes(); // reads all, answers nothing
          } catch (java.io.IOException e) {
            // closed by the client at its deadline
          }
        })) {
      assertThat(category(sender, "http://127.0.0.1:" + silent.getLocalPort() + "/"))
          .isEqualTo("timeout");
      assertThat(held.poll(5, TimeUnit.SECONDS)).isNotNull();
    }
  }

  @Test
  void tlsIsCheckedForTheHostAsNamedNotTheAddressConnectedTo() throws Exception {
    SSLContext context = tlsFor("receiver.test");
    HttpsServer receiver =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.setHttpsConfigurator(new HttpsConfigurator(context));
    BlockingQueue<String> hosts = new LinkedBlockingQueue<>();
    receiver.createContext(
        "/",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          hosts.add(exchange.getRequestHeaders().getFirst("Host"));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    receiver.start();
    try {
      int port = receiver.getAddress().getPort();
      WebhookSender sender =
          new WebhookSender(
              context.getSocketFactory(), Duration.ofSeconds(5), Duration.ofSeconds(10));
      assertThat(sender.post(target("https://receiver.test:" + port + "/hook"), Map.of(), BODY))
          .isEqualTo(204);
      assertThat(hosts.poll(5, TimeUnit.SECONDS)).isEqualTo("receiver.test:" + port);
      // The same server and address under another name: its certificate does not cover it.
      assertThat(category(sender, "https://other.test:" + port + "/hook")).isEqualTo("tls_error");
      assertThat(category(sender, "https://127.0.0.1:" + port + "/hook")).isEqualTo("tls_error");
      // A certificate nobody trusts.
      assertThat(category(WebhookSender.standard(), "https://receiver.test:" + port + "/hook"))
          .isEqualTo("tls_error");
    } finally {
      receiver.stop(0);
    }
  }

  /** A self-signed certificate for {@code name} (made by the JDK's keytool), trusted by itself. */
  private SSLContext tlsFor(String name) throws Exception {
    Path store = temp.resolve("receiver.p12");
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "receiver",
                "-keyalg",
                "EC",
                "-dname",
                "CN=" + name,
                "-ext",
                "SAN=dns:" + name,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor()).as(output).isZero();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = java.nio.file.Files.newInputStream(store)) {
      keys.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    km.init(keys, "changeit".toCharArray());
    TrustManagerFactory tm =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tm.init(keys);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(km.getKeyManagers(), tm.getTrustManagers(), null);
    return context;
  }
}

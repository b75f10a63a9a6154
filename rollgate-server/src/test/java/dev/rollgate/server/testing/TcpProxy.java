package dev.rollgate.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A TCP proxy on loopback that a test can cut (closing every connection) and restore. */
public final class TcpProxy implements AutoCloseable {
  private final int targetPort;
  private final int port;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private volatile ServerSocket server;

  public TcpProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    ServerSocket first = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.port = first.getLocalPort();
    listen(first);
  }

  public int port() {
    return port;
  }

  private void listen(ServerSocket socket) {
    server = socket;
    Thread.ofVirtual()
        .start(() -> {
          while (!socket.isClosed()) {
            try {
              Socket client = socket.accept();
              Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
              sockets.add(client);
              sockets.add(upstream);
              pump(client, upstream);
              pump(upstream, client);
            } catch (IOException e) {
              return;
            }
          }
        });
  }

  private void pump(Socket from, Socket to) {
    Thread.ofVirtual()
        .start(() -> {
          byte[] buffer = new byte[16384];
          try (InputStream in = from.getInputStream();
              OutputStream out = to.getOutputStream()) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
              out.write(buffer, 0, n);
              out.flush();
            }
          } catch (IOException e) {
            // one side closed
          } finally {
            close(from);
            close(to);
          }
        });
  }

  /** Stops accepting and breaks every open connection: the database is gone. */
  public void cut() throws IOException {
    server.close();
    for (Socket s : sockets) {
      close(s);
    }
    sockets.clear();
  }

  /** Accepts connections again, on the same port. */
  public void restore() throws IOException {
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    listen(socket);
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    cut();
  }
}

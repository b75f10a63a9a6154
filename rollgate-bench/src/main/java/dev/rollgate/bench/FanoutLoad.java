package dev.rollgate.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stream fan-out against a running server: opens {@code clients} SDK event streams ({@code GET
 * /api/v1/stream}) with one SDK token, waits until every one has its initial configuration, then
 * changes a flag through the admin API a few times and measures, per client, the time from the
 * moment the write was sent until the stream delivered the new configuration. Prints the server's
 * resident memory (VmRSS, and its peak VmHWM, from {@code /proc/<pid>/status}) before the streams
 * open, once they are all open, and after each change.
 *
 * <p>The clients are plain non-blocking sockets on one selector thread, with a few dozen bytes of
 * state each, so that 10,000 of them cost the load program little memory and CPU on a machine it
 * shares with the server. Each reads the HTTP/1.1 answer itself (chunked or not) and the event
 * stream's lines only as far as it needs: the {@code id:} line of each event.
 *
 * <p>Usage: {@code FanoutLoad <base-url> <admin-token> <server-pid> <clients> <changes>}. {@code
 * rollgate-bench/load/fanout.sh} starts the server and runs it.
 */
public final class FanoutLoad {
  private static final String PROJECT = "default";
  private static final String ENVIRONMENT = "production";
  private static final String FLAG = "fanout";

  /** Streams connecting (and not yet holding their first event) at once. */
  private static final int IN_FLIGHT = 256;

  private static final Duration CONNECT_PATIENCE = Duration.ofMinutes(3);
  private static final Duration CHANGE_PATIENCE = Duration.ofSeconds(30);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final URI base;
  private final String admin;

  private FanoutLoad(URI base, String admin) {
    this.base = base;
    this.admin = admin;
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 5) {
      System.err.println(
          "usage: FanoutLoad <base-url> <admin-token> <server-pid> <clients> <changes>");
      System.exit(2);
    }
    long pid = Long.parseLong(args[2]);
    int clients = Integer.parseInt(args[3]);
    int changes = Integer.parseInt(args[4]);
    new FanoutLoad(URI.create(args[0]), args[1]).run(pid, clients, changes);
    System.exit(0);
  }

  private void run(long pid, int clients, int changes) throws Exception {
    send(
        "POST",
        "/api/v1/projects/" + PROJECT + "/flags",
        "{\"key\":\""
            + FLAG
            + "\",\"variants\":{\"a\":\"Hello\",\"b\":\"Hi\"},\"defaultVariant\":\"a\","
            + "\"environments\":{\""
            + ENVIRONMENT
            + "\":{\"state\":\"ENABLED\"}}}",
        201);
    String sdk =
        field(
            send(
                "POST",
                "/api/v1/tokens",
                "{\"name\":\"fanout\",\"role\":\"sdk\",\"project\":\""
                    + PROJECT
                    + "\",\"environment\":\""
                    + ENVIRONMENT
                    + "\"}",
                201),
            "secret");
    System.out.printf(Locale.ROOT, "server before the streams: %s%n", memory(pid));

    Clients streams =
        new Clients(new InetSocketAddress(base.getHost(), base.getPort()), sdk, clients);
    Thread loop = Thread.ofPlatform().daemon().name("fanout-selector").start(streams::loop);
    long connectStart = System.nanoTime();
    streams.awaitReady(CONNECT_PATIENCE);
    System.out.printf(
        Locale.ROOT,
        "%,d streams open with their first configuration in %.1f s (%,d refused or failed)%n",
        streams.ready.get(),
        (System.nanoTime() - connectStart) / 1e9,
        streams.failed.get());
    Thread.sleep(2000); // whatever the opening left behind settles (or is collected)
    System.out.printf(Locale.ROOT, "server with the streams open: %s%n", memory(pid));
    System.out.println();
    System.out.println(
        "| change | delivered | write ms | first ms | p50 ms | p99 ms | max ms |"
            + " server CPU ms | load CPU ms | server RSS after, MiB |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    long[] all = new long[0];
    for (int i = 1; i <= changes; i++) {
      String variant = i % 2 == 1 ? "b" : "a"; // always a change: the flag starts on "a"
      long serverCpu = cpuMillis(pid);
      long loadCpu = cpuMillis(ProcessHandle.current().pid());
      long sent = streams.startRound(i);
      send(
          "PATCH",
          "/api/v1/projects/" + PROJECT + "/flags/" + FLAG + "/environments/" + ENVIRONMENT,
          "{\"defaultVariant\":\"" + variant + "\"}",
          200);
      long written = System.nanoTime() - sent;
      long[] latencies = streams.awaitRound(CHANGE_PATIENCE);
      serverCpu = cpuMillis(pid) - serverCpu;
      loadCpu = cpuMillis(ProcessHandle.current().pid()) - loadCpu;
      Thread.sleep(1000); // the next change is a separate one
      Arrays.sort(latencies);
      System.out.printf(
          Locale.ROOT,
          "| %d | %,d of %,d | %.1f | %.1f | %.1f | %.1f | %.1f | %,d | %,d | %s |%n",
          i,
          latencies.length,
          streams.ready.get(),
          millis(written),
          millis(latencies.length == 0 ? 0 : latencies[0]),
          millis(percentile(latencies, 0.50)),
          millis(percentile(latencies, 0.99)),
          millis(latencies.length == 0 ? 0 : latencies[latencies.length - 1]),
          serverCpu,
          loadCpu,
          mebibytes(rss(pid, "VmRSS")));
      all = concat(all, latencies);
    }
    Arrays.sort(all);
    System.out.println();
    System.out.printf(
        Locale.ROOT,
        "all %d changes: %,d deliveries, p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        changes,
        all.length,
        millis(percentile(all, 0.50)),
        millis(percentile(all, 0.99)),
        millis(all.length == 0 ? 0 : all[all.length - 1]));
    System.out.printf(Locale.ROOT, "server at the end: %s%n", memory(pid));
    streams.stop();
    loop.join(TimeUnit.SECONDS.toMillis(10));
  }

  /**
   * The streams, all driven by one selector thread. The main thread starts a round (a change) and
   * waits; the selector thread counts each stream's first event with a new id in that round.
   */
  private static final class Clients {
    private final InetSocketAddress address;
    private final byte[] request;
    private final Conn[] conns;
    private final long[] latencies;
    private final Selector selector;
    private final ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
    final AtomicInteger ready = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger arrived = new AtomicInteger();
    private volatile int round; // 0 while the streams open
    private volatile long roundStart;
    private volatile boolean stopping;
    private int opened; // selector thread only
    private int connecting; // selector thread only: opened, not yet ready or failed

    Clients(InetSocketAddress address, String token, int count) throws IOException {
      this.address = address;
      this.request =
          ("GET /api/v1/stream HTTP/1.1\r\nHost: "
                  + address.getHostString()
                  + ":"
                  + address.getPort()
                  + "\r\nAccept: text/event-stream\r\nX-API-Key: "
                  + token
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      this.conns = new Conn[count];
      this.latencies = new long[count];
      this.selector = Selector.open();
    }

    void awaitReady(Duration patience) throws InterruptedException {
      long deadline = System.nanoTime() + patience.toNanos();
      while (ready.get() + failed.get() < conns.length) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "only " + ready.get() + " of " + conns.length + " streams open in " + patience);
        }
        Thread.sleep(50);
      }
      if (ready.get() == 0) {
        throw new IllegalStateException("no stream opened");
      }
    }

    /** Starts round {@code r}; answers its instant (nanoTime). */
    long startRound(int r) {
      arrived.set(0);
      long now = System.nanoTime();
      roundStart = now;
      round = r; // published after roundStart: the selector thread reads round first
      return now;
    }

    /** Waits until every ready stream had the round's change, or patience ran out. */
    long[] awaitRound(Duration patience) throws InterruptedException {
      long deadline = System.nanoTime() + patience.toNanos();
      while (arrived.get() < ready.get() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      int r = round;
      synchronized (this) {
        long[] out = new long[conns.length];
        int n = 0;
        for (int i = 0; i < conns.length; i++) {
          Conn c = conns[i];
          if (c != null && c.round == r) {
            out[n++] = latencies[i];
          }
        }
        return Arrays.copyOf(out, n);
      }
    }

    void stop() {
      stopping = true;
      selector.wakeup();
    }

    void loop() {
      try {
        while (!stopping) {
          openMore();
          selector.select(100);
          var keys = selector.selectedKeys();
          synchronized (this) {
            for (SelectionKey key : keys) {
              Conn c = (Conn) key.attachment();
              try {
                if (key.isConnectable()) {
                  c.channel.finishConnect();
                  key.interestOps(SelectionKey.OP_WRITE);
                } else if (key.isWritable()) {
                  c.channel.write(c.request);
                  if (!c.request.hasRemaining()) {
                    c.request = null;
                    key.interestOps(SelectionKey.OP_READ);
                  }
                } else if (key.isReadable()) {
                  read(c);
                }
              } catch (IOException | RuntimeException e) {
                fail(c, e.toString());
              }
            }
          }
          keys.clear();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } finally {
        for (Conn c : conns) {
          if (c != null) {
            closeQuietly(c);
          }
        }
      }
    }

    private void openMore() throws IOException {
      while (opened < conns.length && connecting < IN_FLIGHT) {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        // Closed with a reset, not a FIN: 10,000 sockets in TIME_WAIT would hold the ports.
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        Conn c = new Conn(opened, channel, ByteBuffer.wrap(request));
        conns[opened++] = c;
        connecting++;
        if (channel.connect(address)) {
          channel.register(selector, SelectionKey.OP_WRITE, c);
        } else {
          channel.register(selector, SelectionKey.OP_CONNECT, c);
        }
      }
    }

    private void read(Conn c) throws IOException {
      while (true) {
        in.clear();
        int n = c.channel.read(in);
        if (n < 0) {
          fail(c, "the server closed the stream");
          return;
        }
        if (n == 0) {
          return;
        }
        in.flip();
        while (in.hasRemaining()) {
          if (!c.feed(in, this)) {
            return;
          }
        }
        if (n < in.capacity()) {
          return; // most likely all there was; if not, the selector says so again
        }
      }
    }

    /** An event arrived whole on {@code c}, with {@code id} (-1 for none). */
    void event(Conn c, long id) {
      if (id <= c.lastId) {
        return; // the change's second event (the OFREP message) carries the same id
      }
      c.lastId = id;
      if (c.round < 0) {
        c.round = 0;
        connecting--;
        ready.incrementAndGet();
        return;
      }
      int r = round;
      if (r > 0 && c.round != r) {
        latencies[c.index] = System.nanoTime() - roundStart;
        c.round = r;
        arrived.incrementAndGet();
      }
    }

    void fail(Conn c, String why) {
      if (c.failed) {
        return;
      }
      c.failed = true;
      if (c.round < 0) {
        connecting--;
      } else {
        ready.decrementAndGet();
      }
      if (failed.incrementAndGet() <= 5) {
        System.err.println("stream " + c.index + ": " + why);
      }
      closeQuietly(c);
    }

    private static void closeQuietly(Conn c) {
      try {
        c.channel.close();
      } catch (IOException ignored) {
        // closing a socket that failed
      }
    }
  }

  /**
   * One stream's state: the request still to send, where it is in the HTTP answer, and the start of
   * the current line (only as much as an {@code id:} line needs).
   */
  private static final class Conn {
    private static final int HEAD = 0;
    private static final int CHUNK_SIZE = 1;
    private static final int CHUNK_DATA = 2;
    private static final int CHUNK_END = 3;
    private static final int BODY = 4;

    final int index;
    final SocketChannel channel;
    ByteBuffer request;
    int round = -1; // -1 until the first event; then the last round whose change it had
    long lastId = -1;
    boolean failed;
    private int state = HEAD;
    private StringBuilder head = new StringBuilder(256); // the answer's head, dropped after it
    private long chunkLeft;
    private boolean extension;
    private final byte[] line = new byte[24];
    private int lineLength;
    private long pendingId = -1;

    Conn(int index, SocketChannel channel, ByteBuffer request) {
      this.index = index;
      this.channel = channel;
      this.request = request;
    }

    /** Consumes bytes from {@code in}; false once the stream failed. */
    boolean feed(ByteBuffer in, Clients clients) {
      while (in.hasRemaining()) {
        switch (state) {
          case HEAD -> {
            head.append((char) (in.get() & 0xff));
            int n = head.length();
            if (n >= 4 && head.substring(n - 4).equals("\r\n\r\n")) {
              String text = head.toString();
              head = null;
              if (!text.startsWith("HTTP/1.1 200")) {
                clients.fail(this, text.lines().findFirst().orElse(""));
                return false;
              }
              boolean chunked =
                  text.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked");
              state = chunked ? CHUNK_SIZE : BODY;
            } else if (n > 8192) {
              clients.fail(this, "an answer head over 8 KiB");
              return false;
            }
          }
          case CHUNK_SIZE -> {
            int b = in.get();
            if (b == '\n') {
              if (chunkLeft == 0) {
                clients.fail(this, "the server ended the stream");
                return false;
              }
              state = CHUNK_DATA;
              extension = false;
            } else if (b == ';') {
              extension = true; // the size is read; the extension is skipped
            } else if (!extension && Character.digit(b, 16) >= 0) {
              chunkLeft = chunkLeft * 16 + Character.digit(b, 16);
            }
          }
          case CHUNK_DATA -> {
            int take = (int) Math.min(chunkLeft, in.remaining());
            for (int i = 0; i < take; i++) {
              body(in.get(), clients);
            }
            chunkLeft -= take;
            if (chunkLeft == 0) {
              state = CHUNK_END;
            }
          }
          case CHUNK_END -> {
            if (in.get() == '\n') {
              state = CHUNK_SIZE;
              chunkLeft = 0;
            }
          }
          default -> body(in.get(), clients);
        }
      }
      return true;
    }

    /** One byte of the event stream. */
    private void body(byte b, Clients clients) {
      if (b == '\n') {
        if (lineLength == 0) {
          if (pendingId >= 0) {
            clients.event(this, pendingId);
          }
          pendingId = -1;
        } else if (lineLength > 3 && line[0] == 'i' && line[1] == 'd' && line[2] == ':') {
          pendingId = parseId(Math.min(lineLength, line.length));
        }
        lineLength = 0;
      } else if (b != '\r') {
        if (lineLength < line.length) {
          line[lineLength] = b;
        }
        lineLength++;
      }
    }

    private long parseId(int length) {
      long id = 0;
      for (int i = 3; i < length; i++) {
        if (line[i] >= '0' && line[i] <= '9') {
          id = id * 10 + (line[i] - '0');
        }
      }
      return id;
    }
  }

  private String send(String method, String path, String body, int expected)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            .header("Authorization", "Bearer " + admin)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofSeconds(30))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != expected) {
      throw new IllegalStateException(
          method + " " + path + ": " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("no " + name + " in " + json);
    }
    return m.group(1);
  }

  private static String memory(long pid) throws IOException {
    return String.format(
        Locale.ROOT,
        "RSS %s MiB (peak so far %s MiB)",
        mebibytes(rss(pid, "VmRSS")),
        mebibytes(rss(pid, "VmHWM")));
  }

  /** A line of {@code /proc/<pid>/status} in KiB (VmRSS: resident now; VmHWM: its peak). */
  private static long rss(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field + ":")) {
        return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").strip());
      }
    }
    throw new IllegalStateException("no " + field + " for process " + pid);
  }

  /**
   * CPU time a process used so far, user and system, in milliseconds ({@code /proc/<pid>/stat}, in
   * clock ticks of 10 ms): the server's and the load's own, since they share the machine's cores.
   */
  private static long cpuMillis(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // The fields after the command name (in parentheses, which may hold spaces): state is the 3rd.
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ", -1);
    return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
  }

  private static String mebibytes(long kib) {
    return String.format(Locale.ROOT, "%.0f", kib / 1024.0);
  }

  private static long[] concat(long[] a, long[] b) {
    long[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}

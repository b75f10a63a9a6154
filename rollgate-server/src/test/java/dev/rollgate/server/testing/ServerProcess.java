package dev.rollgate.server.testing;

import dev.rollgate.server.RollgateServer;
import dev.rollgate.server.ServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server replica in a JVM of its own, on the tests' classpath, that a test can kill at once
 * ({@code SIGKILL}: no flush, no commit, no goodbye to the consumer group), as a crash would.
 */
public final class ServerProcess implements AutoCloseable {
  private static final String READY = "rollgate-test-port=";

  private final Process process;
  private final Path dataDir;
  private final ApiClient client;

  private ServerProcess(Process process, Path dataDir, int port) {
    this.process = process;
    this.dataDir = dataDir;
    this.client = new ApiClient("http://127.0.0.1:" + port, TestServer.ADMIN_TOKEN);
  }

  /** In the child JVM: starts a server from the environment and prints its port. */
  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    RollgateServer server =
        RollgateServer.start(ServerConfig.fromEnvironment(env), env, Clock.systemUTC());
    System.out.println(READY + server.port());
    System.out.flush();
    new java.util.concurrent.CountDownLatch(1).await(); // runs until killed
  }

  /** Starts a replica on the PostgreSQL at {@code dbUrl}, with {@code environment} added. */
  public static ServerProcess start(String dbUrl, Map<String, String> environment)
      throws IOException, InterruptedException {
    Path dataDir = Files.createTempDirectory("rollgate-process");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx256m",
                    "-XX:TieredStopAtLevel=1",
                    "-cp",
                    System.getProperty("java.class.path"),
                    ServerProcess.class.getName()))
            .redirectErrorStream(true);
    Map<String, String> env = new HashMap<>(environment);
    env.put("ROLLGATE_PORT", "0");
    env.put("ROLLGATE_DATA_DIR", dataDir.toString());
    env.put("ROLLGATE_ADMIN_TOKEN", TestServer.ADMIN_TOKEN);
    env.put("ROLLGATE_RATE_LIMIT_WRITES", "0");
    env.put("ROLLGATE_DB_URL", dbUrl);
    builder.environment().putAll(env);
    Process process = builder.start();
    Path log = dataDir.resolve("server.log");
    // The port comes on stdout; everything the process says goes on to a file.
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    StringBuilder said = new StringBuilder();
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.startsWith(READY)) {
        int port = Integer.parseInt(line.substring(READY.length()));
        Thread.ofVirtual().start(() -> drain(out, log));
        return new ServerProcess(process, dataDir, port);
      }
      said.append(line).append('\n');
    }
    process.waitFor(10, TimeUnit.SECONDS);
    throw new IllegalStateException("the server process did not start: " + said);
  }

  private static void drain(BufferedReader out, Path log) {
    try (var file = Files.newBufferedWriter(log)) {
      for (String line = out.readLine(); line != null; line = out.readLine()) {
        file.write(line);
        file.newLine();
      }
    } catch (IOException e) {
      // the process is gone
    }
  }

  public ApiClient admin() {
    return client;
  }

  public ApiClient as(String token) {
    return client.withToken(token);
  }

  /** Kills the process at once ({@code SIGKILL}) and waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
    try (var files = Files.walk(dataDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // Temporary files; nothing depends on their removal.
    }
  }
}

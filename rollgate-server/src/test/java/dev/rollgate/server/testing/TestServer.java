package dev.rollgate.server.testing;

import dev.rollgate.server.RollgateServer;
import dev.rollgate.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A real server on a free port over a real store, for tests that talk to it through a socket. It
 * can be stopped and started again on the same data.
 */
public final class TestServer implements AutoCloseable {
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

  private final StoreKind kind;
  private final Path dataDir;
  private final String dbUrl;
  private final Map<String, String> environment;
  private ServerConfig config;
  private RollgateServer server;
  private ApiClient client;

  private TestServer(
      StoreKind kind, Map<String, String> environment, UnaryOperator<ServerConfig> customize) {
    this.kind = kind;
    this.environment = environment;
    try {
      this.dataDir = Files.createTempDirectory("rollgate-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.dbUrl = kind == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    this.config =
        ServerConfig.fromEnvironment(Map.of())
            .withPort(0)
            .withDataDir(dataDir)
            .withDbUrl(dbUrl)
            .withAdminToken(ADMIN_TOKEN)
            .withWritesPerSecond(0);
    this.config = customize.apply(config);
    start();
  }

  /** A server with the test admin token, no rate limit and no kill switches set. */
  public static TestServer start(StoreKind kind) {
    return new TestServer(kind, Map.of(), c -> c);
  }

  /** A server with its own process environment and configuration changes. */
  public static TestServer start(
      StoreKind kind, Map<String, String> environment, UnaryOperator<ServerConfig> customize) {
    return new TestServer(kind, environment, customize);
  }

  /** Starts a stopped server again on the same data. */
  public void start() {
    server = RollgateServer.start(config, environment, Clock.systemUTC());
    client = new ApiClient("http://127.0.0.1:" + server.port(), ADMIN_TOKEN);
  }

  /** Stops the server, keeping its data. */
  public void stop() {
    server.close();
  }

  /** The server without an admin token in its environment (for bootstrap tests). */
  public TestServer withoutAdminToken() {
    stop();
    config = config.withAdminToken(null);
    start();
    return this;
  }

  public ApiClient admin() {
    return client;
  }

  public ApiClient as(String token) {
    return client.withToken(token);
  }

  /** The compiled flags the server holds for an environment of the default project. */
  public dev.rollgate.core.FlagSnapshot snapshot(String environment) {
    return snapshot("default", environment);
  }

  public dev.rollgate.core.FlagSnapshot snapshot(String project, String environment) {
    return server.catalog().snapshot(project, environment);
  }

  public Path dataDir() {
    return dataDir;
  }

  public StoreKind kind() {
    return kind;
  }

  /** A direct connection to the store, for tests that tamper with it. */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(
        dbUrl != null ? dbUrl : "jdbc:sqlite:" + dataDir.resolve("rollgate.db"));
  }

  @Override
  public void close() {
    server.close();
    if (dbUrl != null) {
      TestPostgres.dropSchema(dbUrl);
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Temporary files; nothing depends on their removal.
    }
  }
}

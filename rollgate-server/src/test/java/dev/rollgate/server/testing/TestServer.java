package dev.rollgate.server.testing;

import dev.rollgate.server.RollgateServer;
import dev.rollgate.server.ServerConfig;
import dev.rollgate.server.domain.IdSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
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
  private final Map<String, String> environment; // the server's process environment
  private RollgateServer server;
  private ApiClient client;

  private final boolean ownsSchema;
  private final IdSource ids;
  private final Clock clock;
  private final java.util.concurrent.atomic.AtomicLong replicas =
      new java.util.concurrent.atomic.AtomicLong();
  private boolean running;

  private TestServer(
      StoreKind kind,
      Map<String, String> environment,
      String sharedDbUrl,
      long idSeed,
      Clock clock) {
    this.kind = kind;
    this.clock = clock;
    // Seeded ids make the splits that rollouts and experiments bucket by them the same on every
    // run; kept across restarts, so a restarted server goes on with the sequence.
    this.ids = IdSource.seeded(idSeed);
    try {
      this.dataDir = Files.createTempDirectory("rollgate-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.ownsSchema = sharedDbUrl == null;
    this.dbUrl =
        sharedDbUrl != null
            ? sharedDbUrl
            : kind == StoreKind.POSTGRES ? TestPostgres.newSchema() : null;
    Map<String, String> env = new HashMap<>();
    env.put("ROLLGATE_PORT", "0");
    env.put("ROLLGATE_DATA_DIR", dataDir.toString());
    env.put("ROLLGATE_ADMIN_TOKEN", ADMIN_TOKEN);
    env.put("ROLLGATE_RATE_LIMIT_WRITES", "0");
    if (dbUrl != null) {
      env.put("ROLLGATE_DB_URL", dbUrl);
    }
    env.putAll(environment);
    this.environment = env;
    start();
  }

  /** A server with the test admin token, no rate limit and no kill switches set. */
  public static TestServer start(StoreKind kind) {
    return new TestServer(kind, Map.of(), null, 1, Clock.systemUTC());
  }

  /**
   * A server whose process environment adds or overrides {@code environment}: settings ({@code
   * ROLLGATE_*}) and kill switches ({@code ROLLGATE_FLAG_*}).
   */
  public static TestServer start(StoreKind kind, Map<String, String> environment) {
    return new TestServer(kind, environment, null, 1, Clock.systemUTC());
  }

  /** {@link #start(StoreKind, Map)} on a clock of the test's (a {@link MutableClock}). */
  public static TestServer start(StoreKind kind, Map<String, String> environment, Clock clock) {
    return new TestServer(kind, environment, null, 1, clock);
  }

  /**
   * Another replica on this server's PostgreSQL schema, reached through {@code dbUrl} (the same
   * URL, or one through a proxy).
   */
  public TestServer replica(String viaDbUrl, Map<String, String> environment) {
    return new TestServer(
        kind,
        environment,
        viaDbUrl == null ? dbUrl : viaDbUrl,
        1 + replicas.incrementAndGet(),
        clock);
  }

  /** The JDBC URL of this server's store (PostgreSQL only). */
  public String dbUrl() {
    return dbUrl;
  }

  /** Starts a stopped server again on the same data. */
  public void start() {
    server =
        RollgateServer.start(ServerConfig.fromEnvironment(environment), environment, clock, ids);
    client = new ApiClient("http://127.0.0.1:" + server.port(), ADMIN_TOKEN);
    running = true;
  }

  /** Stops the server, keeping its data. */
  public void stop() {
    running = false;
    server.close();
  }

  /** The server without an admin token in its environment (for bootstrap tests). */
  public TestServer withoutAdminToken() {
    stop();
    environment.remove("ROLLGATE_ADMIN_TOKEN");
    start();
    return this;
  }

  /** Creates an sdk token for the default project's production environment; returns its secret. */
  public String sdkToken() {
    ApiClient.Response r =
        client.post(
            "/api/v1/tokens",
            Map.of(
                "name",
                "sdk-" + System.nanoTime(),
                "role",
                "sdk",
                "project",
                "default",
                "environment",
                "production"));
    if (r.status() != 201) {
      throw new AssertionError("token creation failed: " + r);
    }
    return (String) r.object().get("secret");
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

  /** Every route the running server answers, as {@code "METHOD /path"}. */
  public java.util.List<String> routes() {
    return server.routes();
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
    if (running) {
      server.close();
    }
    if (dbUrl != null && ownsSchema) {
      TestPostgres.dropSchema(dbUrl);
    }
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Temporary files; nothing depends on their removal.
    }
  }
}

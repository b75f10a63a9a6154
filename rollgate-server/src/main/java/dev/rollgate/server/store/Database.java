package dev.rollgate.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.rollgate.server.crypto.KeyFiles;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store: an embedded SQLite file by default, PostgreSQL when given a {@code jdbc:postgresql:}
 * URL. Both get their schema from the same Flyway migrations at start.
 *
 * <p>SQLite gets a pool of one connection: it allows one writer at a time anyway, and a single
 * connection turns "database is locked" into plain waiting. Its file is readable by the server's
 * user only (0600, and so its -wal and -shm files, which SQLite creates with the database file's
 * mode), in a data directory created 0700.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  private static final Set<PosixFilePermission> OWNER_READ_WRITE =
      PosixFilePermissions.fromString("rw-------");

  /** The SQL dialect in use. */
  public enum Dialect {
    SQLITE,
    POSTGRES
  }

  private final HikariDataSource dataSource;
  private final Dialect dialect;
  private final String url;
  private final String user;
  private final String password;
  private final String productVersion;

  private Database(
      HikariDataSource dataSource,
      Dialect dialect,
      String url,
      String user,
      String password,
      String productVersion) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.url = url;
    this.user = user;
    this.password = password;
    this.productVersion = productVersion;
  }

  /**
   * Opens the store and migrates its schema.
   *
   * @param url a JDBC URL, or null for SQLite in {@code dataDir}
   */
  public static Database open(
      String url, String user, String password, Path dataDir, MeterRegistry meters) {
    HikariConfig config = new HikariConfig();
    Dialect dialect;
    if (url == null || url.isBlank()) {
      Path file = dataDir.resolve("rollgate.db");
      try {
        KeyFiles.privateDirectory(dataDir);
        ownerOnly(file);
      } catch (java.io.IOException e) {
        throw new StoreException(
            "cannot create the database in " + dataDir + ": " + e.getMessage(), e);
      }
      config.setJdbcUrl("jdbc:sqlite:" + file);
      config.addDataSourceProperty("foreign_keys", "true");
      config.addDataSourceProperty("journal_mode", "WAL");
      config.addDataSourceProperty("synchronous", "FULL");
      config.addDataSourceProperty("busy_timeout", "10000");
      config.setMaximumPoolSize(1);
      dialect = Dialect.SQLITE;
    } else if (url.startsWith("jdbc:postgresql:")) {
      config.setJdbcUrl(url);
      if (user != null) {
        config.setUsername(user);
      }
      if (password != null) {
        config.setPassword(password);
      }
      config.setMaximumPoolSize(8);
      dialect = Dialect.POSTGRES;
    } else if (url.startsWith("jdbc:sqlite:")) {
      config.setJdbcUrl(url);
      config.addDataSourceProperty("foreign_keys", "true");
      config.setMaximumPoolSize(1);
      dialect = Dialect.SQLITE;
    } else {
      throw new StoreException(
          "unsupported database URL (use jdbc:postgresql:... or jdbc:sqlite:...)", null);
    }
    config.setPoolName("rollgate-store");
    config.setAutoCommit(true);
    config.setConnectionTimeout(3_000); // fail fast: an unreachable store answers 503, not a hang
    config.setValidationTimeout(1_000);
    if (meters != null) {
      config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(meters));
    }
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException("cannot connect to the store: " + rootMessage(e), e);
    }
    try {
      Flyway.configure()
          .dataSource(dataSource)
          .locations("classpath:db/migration")
          .load()
          .migrate();
    } catch (RuntimeException e) {
      dataSource.close();
      throw new StoreException("cannot migrate the store: " + rootMessage(e), e);
    }
    String version;
    try (Connection connection = dataSource.getConnection()) {
      version = connection.getMetaData().getDatabaseProductVersion();
    } catch (SQLException | RuntimeException e) {
      dataSource.close();
      throw new StoreException("cannot read the store's version: " + rootMessage(e), e);
    }
    log.info(
        "store: {} ({} {})",
        dialect == Dialect.SQLITE ? config.getJdbcUrl() : "PostgreSQL",
        dialect,
        version);
    return new Database(dataSource, dialect, config.getJdbcUrl(), user, password, version);
  }

  /**
   * Creates the SQLite file empty (which SQLite takes as a new database) and 0600 before SQLite
   * would create it with the umask's mode; one from an earlier version, and its -wal and -shm
   * files, are narrowed to 0600.
   */
  private static void ownerOnly(Path file) throws java.io.IOException {
    try {
      Files.createFile(file, KeyFiles.attributes("rw-------"));
      return;
    } catch (java.nio.file.FileAlreadyExistsException existing) {
      // narrowed below
    }
    for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
      Path path = file.resolveSibling(file.getFileName() + suffix);
      Set<PosixFilePermission> mode = Files.exists(path) ? KeyFiles.permissions(path) : null;
      if (mode != null && !mode.equals(OWNER_READ_WRITE)) {
        Files.setPosixFilePermissions(path, OWNER_READ_WRITE);
        log.info(
            "store: {} had mode {}; it is 0600 now", path, PosixFilePermissions.toString(mode));
      }
    }
  }

  @SuppressWarnings("ReferenceEquality") // a cause that is itself ends the chain
  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  public Dialect dialect() {
    return dialect;
  }

  /** The database's own version, as its driver reports it when the store opened. */
  public String productVersion() {
    return productVersion;
  }

  /**
   * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
   */
  public <T> T inTransaction(Work<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        Tx tx = new Tx(connection);
        T result = work.run(tx);
        tx.runBeforeCommit();
        connection.commit();
        return result;
      } catch (RuntimeException | SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException("store error: " + e.getMessage(), e);
    }
  }

  /** The channel on which PostgreSQL replicas tell each other about changes. */
  public static final String CHANNEL = "rollgate_changes";

  /**
   * Tells other replicas, when this transaction commits, that {@code payload} changed. A no-op on
   * SQLite, which has one process.
   */
  public void notifyChange(Tx tx, String payload) throws SQLException {
    if (dialect == Dialect.POSTGRES) {
      tx.one("SELECT pg_notify(?, ?)", r -> r.getString(1), CHANNEL, payload);
    }
  }

  /** A connection of its own, outside the pool (for LISTEN, which holds one for good). */
  public Connection dedicatedConnection() throws SQLException {
    java.util.Properties props = new java.util.Properties();
    if (user != null) {
      props.setProperty("user", user);
    }
    if (password != null) {
      props.setProperty("password", password);
    }
    props.setProperty("connectTimeout", "3");
    return java.sql.DriverManager.getConnection(url, props);
  }

  /** Whether the store answers a trivial query. */
  public boolean ping() {
    try (Connection connection = dataSource.getConnection();
        var statement = connection.createStatement()) {
      statement.execute("SELECT 1");
      return true;
    } catch (SQLException | RuntimeException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }

  /** Work done inside a transaction. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Tx tx) throws SQLException;
  }
}

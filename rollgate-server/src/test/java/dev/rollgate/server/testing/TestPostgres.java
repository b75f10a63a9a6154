package dev.rollgate.server.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The real PostgreSQL the tests use: {@code ROLLGATE_TEST_PG_URL}, or 127.0.0.1:5432, database
 * {@code test}, user {@code postgres}, trust auth. Each test server gets a schema of its own.
 * Outside CI, an unreachable server skips the PostgreSQL runs with a message; in CI it fails them.
 */
public final class TestPostgres {
  static final String URL =
      System.getenv()
          .getOrDefault(
              "ROLLGATE_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private TestPostgres() {}

  /** A fresh, empty schema; returns the JDBC URL that uses it. */
  public static String newSchema() {
    String schema = "rg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(URL)) {
      c.createStatement().execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      String message =
          "PostgreSQL not reachable at "
              + URL
              + " ("
              + e.getMessage()
              + "): PostgreSQL store tests skipped";
      if (System.getenv("CI") != null) {
        throw new IllegalStateException(message.replace("skipped", "cannot run in CI"), e);
      }
      System.out.println("SKIPPED: " + message);
      Assumptions.abort(message);
    }
    return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Drops a schema made by {@link #newSchema}. */
  public static void dropSchema(String url) {
    String schema = url.substring(url.indexOf("currentSchema=") + "currentSchema=".length());
    try (Connection c = DriverManager.getConnection(URL)) {
      c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      // Best effort: a leftover schema does not affect other tests.
    }
  }
}

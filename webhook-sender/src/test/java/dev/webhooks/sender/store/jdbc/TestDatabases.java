package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;

/**
 * Real databases for the JDBC tests: an H2 file database in a temporary folder, and a fresh schema
 * on the machine's PostgreSQL (127.0.0.1:5432, user postgres, database test, or
 * WEBHOOKS_POSTGRES_URL). Where PostgreSQL cannot be reached its tests are skipped with the reason,
 * unless WEBHOOKS_REQUIRE_POSTGRES=true (CI), where that is a failure.
 */
public final class TestDatabases {
  static final String POSTGRES_URL = System.getenv().getOrDefault("WEBHOOKS_POSTGRES_URL",
      "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private TestDatabases() {}

  /** An H2 file database, durable on commit (WRITE_DELAY=0, which the store requires). */
  public static UrlDataSource h2(Path folder) {
    return new UrlDataSource("jdbc:h2:file:" + folder.resolve("webhooks").toAbsolutePath()
        + ";WRITE_DELAY=0;DB_CLOSE_DELAY=0");
  }

  /** A data source on a new, empty schema; {@link #dropPostgresSchema} removes it. */
  public static UrlDataSource postgres() {
    String schema = "webhooks_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(POSTGRES_URL); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      String why = "PostgreSQL is not reachable at " + POSTGRES_URL.replaceAll("password=[^&]*", "password=<redacted>")
          + " (" + e.getMessage() + ")";
      if (Boolean.parseBoolean(System.getenv("WEBHOOKS_REQUIRE_POSTGRES"))) {
        fail(why + "; WEBHOOKS_REQUIRE_POSTGRES=true makes that a failure");
      }
      Assumptions.abort(why + ": PostgreSQL tests skipped");
    }
    return new UrlDataSource(POSTGRES_URL + (POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema);
  }

  public static void dropPostgresSchema(DataSource dataSource) throws SQLException {
    UrlDataSource ds = (UrlDataSource) dataSource;
    String schema = ds.url().substring(ds.url().indexOf("currentSchema=") + "currentSchema=".length());
    try (Connection c = DriverManager.getConnection(POSTGRES_URL); Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}

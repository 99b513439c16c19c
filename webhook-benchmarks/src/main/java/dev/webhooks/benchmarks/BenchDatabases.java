package dev.webhooks.benchmarks;

import dev.webhooks.sender.store.jdbc.PooledTestDataSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The databases of the JDBC figures: an H2 file database in a temporary folder, and a fresh schema
 * on the machine's PostgreSQL ({@code WEBHOOKS_POSTGRES_URL}, default 127.0.0.1:5432, user
 * postgres, database test), each behind a {@link PooledTestDataSource} and removed on {@link
 * Db#close()}.
 */
final class BenchDatabases {
  static final String POSTGRES_URL = System.getenv().getOrDefault("WEBHOOKS_POSTGRES_URL",
      "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private BenchDatabases() {}

  /** A pooled database that is dropped when closed. */
  static final class Db implements AutoCloseable {
    final String name;
    final PooledTestDataSource pool;
    private final Drop drop;

    private Db(String name, PooledTestDataSource pool, Drop drop) {
      this.name = name;
      this.pool = pool;
      this.drop = drop;
    }

    @Override
    public void close() throws SQLException, IOException {
      pool.close();
      drop.run();
    }
  }

  /** Removes a database. */
  private interface Drop {
    void run() throws SQLException, IOException;
  }

  /** A new schema on the PostgreSQL server, with a pool of at most {@code max} connections. */
  static Db postgres(int max) throws SQLException {
    String schema = "webhooks_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(POSTGRES_URL); Statement s = c.createStatement()) {
      s.execute("CREATE SCHEMA " + schema);
    }
    String url = POSTGRES_URL + (POSTGRES_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new Db("PostgreSQL", new PooledTestDataSource(url, max), () -> {
      try (Connection c = DriverManager.getConnection(POSTGRES_URL); Statement s = c.createStatement()) {
        s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      }
    });
  }

  /** An H2 file database in a new temporary folder (durable on commit, as the store requires). */
  static Db h2(int max) throws IOException {
    Path dir = Files.createTempDirectory("webhooks-bench-h2");
    String url = "jdbc:h2:file:" + dir.resolve("webhooks").toAbsolutePath() + ";WRITE_DELAY=0;DB_CLOSE_DELAY=-1";
    return new Db("H2", new PooledTestDataSource(url, max), () -> {
      try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
        s.execute("SHUTDOWN");
      }
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> {
          try {
            Files.delete(p);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    });
  }
}

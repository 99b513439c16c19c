package dev.webhooks.sender.store.jdbc;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades the store's schema from plain-SQL resources, {@code V<n>__<name>.sql} beside
 * this class (one script for every dialect, see {@link SqlDialect#render}), recording each applied version in {@code webhook_schema_version}. Safe when
 * several nodes start at once: on PostgreSQL a transaction-scoped advisory lock serialises them and
 * the whole upgrade is one transaction. H2 has no such lock and its DDL commits as it goes: senders
 * in one process serialise on a lock per database URL, and since the scripts are idempotent
 * ({@code IF NOT EXISTS}), a migration that collides with another process is simply run again.
 */
final class SchemaMigrator {
  private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);
  /** The advisory lock key: "webhooks" in ASCII, so that it is unlikely to clash with the application's. */
  static final long LOCK_KEY = 0x776562686f6f6b73L;
  /** Every migration, in order. A new schema version is a new file here, never an edit of an old one. */
  static final List<String> MIGRATIONS = List.of("V1__schema.sql");
  /** H2: runs of the idempotent scripts before a collision with another process is reported. */
  private static final int H2_TRIES = 5;
  /** H2: one migration at a time per database within this process. */
  private static final Map<String, Object> H2_LOCKS = new ConcurrentHashMap<>();

  private final DataSource dataSource;
  private final Clock clock;

  SchemaMigrator(DataSource dataSource, Clock clock) {
    this.dataSource = requireNonNull(dataSource, "dataSource == null");
    this.clock = requireNonNull(clock, "clock == null");
  }

  /** The latest version the resources define. */
  static int latestVersion() {
    return MIGRATIONS.size();
  }

  /**
   * Applies every migration not applied yet.
   *
   * @return the schema version afterwards
   * @throws SQLException when the database refuses a statement; on PostgreSQL nothing is left half-applied
   */
  int migrate() throws SQLException {
    SqlDialect dialect;
    String url;
    try (Connection c = dataSource.getConnection()) {
      dialect = SqlDialect.of(c);
      url = c.getMetaData().getURL();
    }
    if (dialect == SqlDialect.POSTGRESQL) {
      return migrateOnce();
    }
    synchronized (H2_LOCKS.computeIfAbsent(url, k -> new Object())) {
      for (int attempt = 1; ; attempt++) {
        try {
          return migrateOnce();
        } catch (SQLException e) {
          if (attempt >= H2_TRIES) {
            throw e;
          }
          log.debug("webhooks schema migration collided with another process; running it again", e);
        }
      }
    }
  }

  private int migrateOnce() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      SqlDialect dialect = SqlDialect.of(c);
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      boolean ended = false;
      try {
        if (dialect == SqlDialect.POSTGRESQL) {
          try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            lock.setLong(1, LOCK_KEY);
            lock.execute();
          }
        }
        try (Statement s = c.createStatement()) {
          s.execute("CREATE TABLE IF NOT EXISTS webhook_schema_version ("
              + "version INT PRIMARY KEY, script VARCHAR(200) NOT NULL, applied_at TIMESTAMP NOT NULL)");
        }
        int current = currentVersion(c);
        for (int v = current + 1; v <= latestVersion(); v++) {
          String script = MIGRATIONS.get(v - 1);
          for (String statement : statements(dialect.render(read(script)))) {
            try (Statement s = c.createStatement()) {
              s.execute(statement);
            }
          }
          record(c, v, script);
          log.debug("webhooks schema migrated to version {} ({})", v, script);
        }
        c.commit();
        ended = true;
        return Math.max(current, latestVersion());
      } catch (SQLException | RuntimeException e) {
        try {
          c.rollback();
          ended = true;
        } catch (SQLException rollback) {
          e.addSuppressed(rollback);
        }
        throw e;
      } finally {
        // Not while the transaction may still be open: switching auto-commit back on would commit
        // the migration half done. The connection is closed as it is, and rolled back.
        if (ended) {
          c.setAutoCommit(autoCommit);
        }
      }
    }
  }

  static int currentVersion(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COALESCE(MAX(version), 0) FROM webhook_schema_version")) {
      r.next();
      return r.getInt(1);
    }
  }

  private void record(Connection c, int version, String script) throws SQLException {
    // A node that raced us on H2 may have recorded it: the scripts are idempotent, the row is not needed twice.
    try (PreparedStatement p = c.prepareStatement(
        "INSERT INTO webhook_schema_version (version, script, applied_at) SELECT ?, ?, ? "
            + "WHERE NOT EXISTS (SELECT 1 FROM webhook_schema_version WHERE version = ?)")) {
      p.setInt(1, version);
      p.setString(2, script);
      p.setTimestamp(3, Timestamp.from(clock.instant()));
      p.setInt(4, version);
      p.executeUpdate();
    }
  }

  private static String read(String resource) {
    try (InputStream in = SchemaMigrator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration resource missing: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Splits a script into statements: each ends with ";" at the end of a line; "--" lines are comments. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("--")) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().strip();
        out.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      throw new IllegalStateException("migration script ends without \";\"");
    }
    return out;
  }
}

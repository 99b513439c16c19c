package dev.webhooks.sender.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;

/**
 * The databases the JDBC store speaks. One migration script serves both; the few things they
 * spell differently are tokens in it, filled in here.
 */
enum SqlDialect {
  H2(Map.of("{{TEXT}}", "VARCHAR(65536)", "{{BYTES}}", "VARBINARY(16777216)",
      "{{DUE_INDEX}}", "(status, next_attempt_at)"), "RANDOM_UUID()"),
  POSTGRESQL(Map.of("{{TEXT}}", "TEXT", "{{BYTES}}", "BYTEA",
      "{{DUE_INDEX}}", "(next_attempt_at) WHERE status = 'pending'"), "gen_random_uuid()");

  /** The longest text a {{TEXT}} column holds in every dialect. */
  static final int MAX_TEXT = 65536;

  private final Map<String, String> tokens;
  private final String newUuid;

  SqlDialect(Map<String, String> tokens, String newUuid) {
    this.tokens = tokens;
    this.newUuid = newUuid;
  }

  /** The SQL expression of a new random UUID. */
  String newUuid() {
    return newUuid;
  }

  /**
   * {@code script} in this dialect.
   *
   * @throws IllegalStateException when a token is left that this dialect does not know
   */
  String render(String script) {
    String out = script;
    for (Map.Entry<String, String> t : tokens.entrySet()) {
      out = out.replace(t.getKey(), t.getValue());
    }
    int left = out.indexOf("{{");
    if (left >= 0) {
      throw new IllegalStateException("unknown token in migration script: " + out.substring(left, out.indexOf("}}", left) + 2));
    }
    return out;
  }

  /**
   * The dialect of the database behind {@code connection}.
   *
   * @throws SQLException when the database is neither H2 nor PostgreSQL
   */
  static SqlDialect of(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT);
    if (product.contains("postgresql")) {
      return POSTGRESQL;
    }
    if (product.equals("h2")) {
      return H2;
    }
    throw new SQLException("unsupported database for the webhooks store: " + product + " (H2 and PostgreSQL are)");
  }
}

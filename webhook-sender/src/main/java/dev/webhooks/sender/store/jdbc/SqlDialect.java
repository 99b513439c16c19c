package dev.webhooks.sender.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** The databases the JDBC store speaks, each with its own migration scripts. */
enum SqlDialect {
  H2("h2"),
  POSTGRESQL("postgresql");

  private final String folder;

  SqlDialect(String folder) {
    this.folder = folder;
  }

  /** Where this dialect's migrations live, beside this class. */
  String folder() {
    return folder;
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

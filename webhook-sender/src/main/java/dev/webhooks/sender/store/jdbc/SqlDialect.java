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
      "{{DUE_INDEX}}", "(status, next_attempt_at)", "{{FINISHED_INDEX}}", "(created_at)",
      "{{SUBSCRIPTION_REF}}", " REFERENCES webhook_subscription (id) ON DELETE CASCADE",
      "{{DELIVERIES_GO_WITH_THEIR_SUBSCRIPTION}}", ""), "RANDOM_UUID()"),
  POSTGRESQL(Map.of("{{TEXT}}", "TEXT", "{{BYTES}}", "BYTEA",
      "{{DUE_INDEX}}", "(next_attempt_at) WHERE status = 'pending'",
      "{{FINISHED_INDEX}}", "(created_at) WHERE status <> 'pending'", "{{SUBSCRIPTION_REF}}", "",
      "{{DELIVERIES_GO_WITH_THEIR_SUBSCRIPTION}}",
      "CREATE OR REPLACE FUNCTION webhook_subscription_deleted() RETURNS trigger LANGUAGE plpgsql "
          + "SET search_path FROM CURRENT AS $$ BEGIN DELETE FROM webhook_delivery WHERE subscription_id = OLD.id; "
          + "RETURN OLD; END $$;\n"
          + "DROP TRIGGER IF EXISTS webhook_subscription_deliveries ON webhook_subscription;\n"
          + "CREATE TRIGGER webhook_subscription_deliveries AFTER DELETE ON webhook_subscription "
          + "FOR EACH ROW EXECUTE FUNCTION webhook_subscription_deleted();"),
      "gen_random_uuid()");

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

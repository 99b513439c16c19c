package dev.webhooks.sender.store;

import dev.webhooks.sender.store.jdbc.JdbcWebhookStore;
import dev.webhooks.sender.store.jdbc.TestDatabases;
import javax.sql.DataSource;

/** The store contract, on {@link JdbcWebhookStore} over the machine's PostgreSQL, a schema of its own per test. */
class PostgresJdbcWebhookStoreTest extends WebhookStoreContract {
  private DataSource dataSource;

  @Override
  WebhookStore newStore() {
    dataSource = TestDatabases.postgres();
    return JdbcWebhookStore.create(dataSource);
  }

  @Override
  void dropStore() throws Exception {
    TestDatabases.dropPostgresSchema(dataSource);
  }
}

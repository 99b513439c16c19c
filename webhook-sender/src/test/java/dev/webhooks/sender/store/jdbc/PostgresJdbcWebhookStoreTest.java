package dev.webhooks.sender.store.jdbc;

import dev.webhooks.sender.store.WebhookStore;
import dev.webhooks.sender.store.WebhookStoreContract;

/** The store contract, on the machine's PostgreSQL, in a schema of its own per test. */
class PostgresJdbcWebhookStoreTest extends WebhookStoreContract {
  private UrlDataSource dataSource;

  @Override
  protected WebhookStore newStore() {
    dataSource = TestDatabases.postgres();
    return JdbcWebhookStore.create(dataSource);
  }

  @Override
  protected void dropStore() throws Exception {
    TestDatabases.dropPostgresSchema(dataSource);
  }
}

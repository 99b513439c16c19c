package dev.webhooks.sender.store.jdbc;

import dev.webhooks.sender.store.WebhookStore;
import dev.webhooks.sender.store.WebhookStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract, on an H2 file database. */
class H2JdbcWebhookStoreTest extends WebhookStoreContract {
  @TempDir
  Path folder;

  @Override
  protected WebhookStore newStore() {
    return JdbcWebhookStore.create(TestDatabases.h2(folder));
  }
}

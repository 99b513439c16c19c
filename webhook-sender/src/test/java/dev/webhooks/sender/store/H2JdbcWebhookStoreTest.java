package dev.webhooks.sender.store;

import dev.webhooks.sender.store.jdbc.JdbcWebhookStore;
import dev.webhooks.sender.store.jdbc.TestDatabases;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract, on {@link JdbcWebhookStore} over an H2 file database. */
class H2JdbcWebhookStoreTest extends WebhookStoreContract {
  @TempDir
  Path folder;

  @Override
  WebhookStore newStore() {
    return JdbcWebhookStore.create(TestDatabases.h2(folder));
  }
}

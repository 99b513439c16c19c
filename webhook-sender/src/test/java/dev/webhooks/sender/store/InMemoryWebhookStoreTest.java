package dev.webhooks.sender.store;

/** The store contract, on the in-memory store. */
class InMemoryWebhookStoreTest extends WebhookStoreContract {
  @Override
  WebhookStore newStore() {
    return new InMemoryWebhookStore();
  }
}

/**
 * The store SPI: where subscriptions, events, deliveries and attempts live. One interface,
 * {@link dev.webhooks.sender.store.WebhookStore}, with an in-memory implementation here and JDBC
 * ones (H2, PostgreSQL) beside it; every implementation passes the same contract tests.
 */
package dev.webhooks.sender.store;

/**
 * Publishes events and delivers them as signed webhooks: fan-out to the matching subscriptions of
 * a tenant, durable delivery with retries, endpoint health, the delivery log and the management
 * service.
 */
module dev.webhooks.sender {
  requires transitive dev.webhooks.core;
  requires transitive okhttp3; // OkHttpClient is accepted by WebhookSender.Builder
  requires transitive java.sql; // publish(Connection, …) and JdbcWebhookStore(DataSource)
  requires org.slf4j;
  // Only WebhooksApiHttpHandler, the optional JDK server adapter, which users mount on their HttpServer.
  requires static transitive jdk.httpserver;

  exports dev.webhooks.sender;
  exports dev.webhooks.sender.store;
  exports dev.webhooks.sender.store.jdbc;
  exports dev.webhooks.sender.rest;

}

package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.WebhookSender;
import java.net.InetAddress;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL {@code LISTEN/NOTIFY}: a node whose workers poll only once an hour still sends an
 * event within moments of another node committing it, because the commit notifies it.
 */
class NotificationWakeUpTest {
  static final EventCatalog CATALOG = EventCatalog.builder()
      .event("order.paid", "An order was paid", JsonNodeFactory.instance.objectNode())
      .build();
  static final UrlPolicy LOOPBACK = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build();

  private UrlDataSource dataSource;
  private MockWebServer server;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    if (dataSource != null) {
      TestDatabases.dropPostgresSchema(dataSource);
    }
  }

  @Test
  void commitOnAnotherNode_wakesAnIdleSender_longBeforeItsNextPoll() throws Exception {
    dataSource = TestDatabases.postgres();
    server = new MockWebServer();
    server.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    try (JdbcWebhookStore listening = JdbcWebhookStore.builder(dataSource).listenForNotifications(true).build();
        JdbcWebhookStore publishing = JdbcWebhookStore.builder(dataSource).listenForNotifications(true).build();
        WebhookSender idle = WebhookSender.builder().catalog(CATALOG).store(listening).urlPolicy(LOOPBACK)
            .pollInterval(Duration.ofHours(1)).build();
        WebhookSender other = WebhookSender.builder().catalog(CATALOG).store(publishing).urlPolicy(LOOPBACK).build()) {
      other.subscriptions().create("t1", SubscriptionSpec.builder()
          .url("http://127.0.0.1:" + server.getPort() + "/hook").events("*").build());
      server.enqueue(new MockResponse.Builder().code(200).build());
      idle.start(); // polls once now, finds nothing, then sleeps for an hour unless woken
      // Once listening, the listener has given its one wake-up for connecting: from here on only a
      // notification can wake the idle sender.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!listening.isListening() && System.nanoTime() < deadline) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
      }
      assertTrue(listening.isListening(), "the listener never connected");

      long start = System.nanoTime();
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        other.publish(c, "t1", "order.paid", Map.of("order_id", 42)); // another node; never started
        c.commit();
      }
      RecordedRequest r = server.takeRequest(30, TimeUnit.SECONDS);
      assertNotNull(r, "the idle sender was not woken by the commit");
      System.out.printf("NotificationWakeUpTest: commit to receipt %.1f ms with a 1 h poll interval%n",
          (System.nanoTime() - start) / 1e6);
      assertEquals("/hook", r.getTarget());
    }
  }
}

package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.CreatedSubscription;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.RetryPolicy;
import dev.webhooks.sender.TestClock;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.verifier.VerifiedWebhook;
import dev.webhooks.verifier.WebhookVerifier;
import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WebhookSender#publish(Connection, String, String, Object)} end to end on an H2 file
 * database: the event goes out only if the application's transaction commits, signed like any
 * other, and the delivery log shows it.
 */
class OutboxPublishTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  static final EventCatalog CATALOG = EventCatalog.builder()
      .event("order.paid", "An order was paid", JsonNodeFactory.instance.objectNode().put("order_id", 42))
      .build();

  @TempDir
  Path folder;
  final TestClock clock = new TestClock(T0);
  MockWebServer server;
  DataSource dataSource;
  JdbcWebhookStore store;
  WebhookSender sender;

  @BeforeEach
  void setUp() throws Exception {
    server = new MockWebServer();
    server.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    dataSource = TestDatabases.h2(folder);
    store = JdbcWebhookStore.create(dataSource);
    sender = WebhookSender.builder().catalog(CATALOG).store(store).clock(clock)
        .urlPolicy(UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build())
        .retryPolicy(RetryPolicy.shortForTests()).timeout(Duration.ofSeconds(2)).build();
    try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE app_order (id INT PRIMARY KEY, paid BOOLEAN NOT NULL)");
      s.execute("INSERT INTO app_order VALUES (42, FALSE)");
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    sender.close();
    store.close();
    server.close();
  }

  private CreatedSubscription subscribe() {
    return sender.subscriptions().create("t1", SubscriptionSpec.builder()
        .url("http://127.0.0.1:" + server.getPort() + "/hook").events("order.paid").build());
  }

  /** The application's own change and the event, in one transaction. */
  private PublishResult payOrder(boolean commit) throws Exception {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.executeUpdate("UPDATE app_order SET paid = TRUE WHERE id = 42");
      }
      PublishResult r = sender.publish(c, "t1", "order.paid", Map.of("order_id", 42));
      if (commit) {
        c.commit();
      } else {
        c.rollback();
      }
      return r;
    }
  }

  @Test
  void committed_deliveredSignedAndLogged() throws Exception {
    CreatedSubscription sub = subscribe();
    server.enqueue(new MockResponse.Builder().code(200).build());
    PublishResult p = payOrder(true);
    assertEquals(1, p.deliveries());
    assertEquals(1, sender.dispatchDueNow());

    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertNotNull(r, "no request arrived");
    VerifiedWebhook hook = WebhookVerifier.builder().secret(sub.secret()).clock(clock).build()
        .verify(r.getHeaders().toMultimap(), r.getBody().toByteArray());
    assertEquals(p.eventId(), hook.id().orElseThrow());
    assertEquals(42, hook.json().at("/data/order_id").asInt());
    List<DeliveryRecord> log = sender.deliveries().list("t1", DeliveryQuery.all()).items();
    assertEquals(1, log.size());
    assertEquals(DeliveryStatus.DELIVERED, log.get(0).status());
  }

  @Test
  void rolledBack_neverSent() throws Exception {
    subscribe();
    payOrder(false);
    assertEquals(0, sender.dispatchDueNow());
    assertEquals(0, server.getRequestCount());
    assertTrue(sender.deliveries().list("t1", DeliveryQuery.all()).items().isEmpty());
  }

  @Test
  void storeWithoutTransactions_refusedWithTheReason() throws Exception {
    try (WebhookSender inMemory = WebhookSender.builder().catalog(CATALOG).build();
        Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> inMemory.publish(c, "t1", "order.paid", Map.of("order_id", 42)));
      assertTrue(e.getMessage().contains("TransactionalWebhookStore"), e.getMessage());
    }
  }
}

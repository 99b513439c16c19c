package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.store.WebhookStoreException;
import dev.webhooks.sender.store.jdbc.FlakyDataSource.Failure;
import dev.webhooks.sender.store.jdbc.FlakyDataSource.Place;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression: a statement fails after it ran, and the rollback that follows fails too. The
 * transaction must then not be committed; it was, by switching auto-commit back on (which commits
 * an open transaction): a publish that threw left its event and deliveries behind, and a failed
 * schema migration left half a schema on PostgreSQL (with no version recorded). Found by
 * {@link FailingStoreTest}.
 */
class RollbackFailureTest {
  @TempDir Path folder;
  UrlDataSource postgres;
  final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    if (postgres != null) {
      TestDatabases.dropPostgresSchema(postgres);
    }
  }

  <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  /** The {@code n}-th statement from now fails after it ran, then the rollback fails; nothing else does. */
  static FlakyDataSource.Plan statementThenRollbackFail(int n) {
    AtomicInteger statements = new AtomicInteger();
    AtomicBoolean failed = new AtomicBoolean();
    return place -> {
      if (place == Place.STATEMENT && statements.incrementAndGet() == n) {
        failed.set(true);
        return new Failure("XX000", true);
      }
      if (place == Place.ROLLBACK && failed.compareAndSet(true, false)) {
        return new Failure("XX000", false);
      }
      return null;
    };
  }

  @Test
  void h2_publishFailsAndItsRollbackFails_leavesNothingBehind() throws Exception {
    // On H2 a publish is two statements, the event then its deliveries: the second runs, then fails.
    publishFailsAndItsRollbackFails(TestDatabases.h2(folder).url(), 2, null);
  }

  @Test
  void postgres_publishFailsAndItsRollbackFails_leavesNothingBehind() throws Exception {
    postgres = TestDatabases.postgres();
    // On PostgreSQL a publish with an idempotency key is a transaction of two statements, the
    // event then its deliveries: the second runs, then fails. (One without a key is a single
    // statement in auto-commit, with no rollback: JdbcWebhookStoreTest's publish_onPostgres_….)
    publishFailsAndItsRollbackFails(postgres.url(), 2, "key-1");
  }

  void publishFailsAndItsRollbackFails(String url, int statements, String key) throws Exception {
    PooledTestDataSource pool = closeLater(new PooledTestDataSource(url, 4));
    FlakyDataSource flaky = new FlakyDataSource(pool, place -> null);
    WebhookSender sender = closeLater(WebhookSender.builder().catalog(SenderNodes.catalog())
        .store(closeLater(JdbcWebhookStore.create(flaky))).urlPolicy(SenderNodes.LOOPBACK).build());
    sender.subscriptions().create("tenant", SubscriptionSpec.builder().url("http://127.0.0.1:9/r/0").events("*").build());

    flaky.plan(statementThenRollbackFail(statements));
    assertThrows(WebhookStoreException.class, () -> sender.publish("tenant", SenderNodes.TYPE, Map.of("n", 1), key));

    assertEquals(Map.of("rollback", 1, "statement after", 1), flaky.injected());
    try (Connection c = pool.getConnection()) {
      assertEquals(0, FailingStoreTest.count(c, "SELECT COUNT(*) FROM webhook_event"), "events left behind");
      assertEquals(0, FailingStoreTest.count(c, "SELECT COUNT(*) FROM webhook_delivery"), "deliveries left behind");
    }
    assertEquals(1, sender.publish("tenant", SenderNodes.TYPE, Map.of("n", 2)).deliveries(), "the store works on");
  }

  @Test
  void postgres_migrationFailsAndItsRollbackFails_leavesNoHalfSchema_nextStartMigrates() throws Exception {
    postgres = TestDatabases.postgres();
    // The migration's statements: the advisory lock, the version table, the version query, then
    // the first script's; the fifth is its second table.
    FlakyDataSource flaky = new FlakyDataSource(postgres, statementThenRollbackFail(5));

    assertThrows(WebhookStoreException.class, () -> JdbcWebhookStore.create(flaky));

    assertEquals(Map.of("rollback", 1, "statement after", 1), flaky.injected());
    try (Connection c = postgres.getConnection()) {
      assertEquals(0, FailingStoreTest.count(c,
          "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()"), "tables left behind");
    }
    WebhookSender sender = closeLater(WebhookSender.builder().catalog(SenderNodes.catalog())
        .store(closeLater(JdbcWebhookStore.create(postgres))).urlPolicy(SenderNodes.LOOPBACK).build());
    assertEquals(0, sender.publish("tenant", SenderNodes.TYPE, Map.of("n", 1)).deliveries(), "the store works");
  }
}

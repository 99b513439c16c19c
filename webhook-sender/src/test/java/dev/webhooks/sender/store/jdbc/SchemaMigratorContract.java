package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/** What the migrator must do on every database; each dialect's test supplies a fresh, empty one. */
abstract class SchemaMigratorContract {
  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-05-02T12:00:00Z"), ZoneOffset.UTC);
  static final List<String> TABLES = List.of("webhook_schema_version", "webhook_subscription",
      "webhook_subscription_filter", "webhook_event", "webhook_delivery", "webhook_attempt");

  abstract DataSource dataSource();

  int versionRows(DataSource ds) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COUNT(*) FROM webhook_schema_version")) {
      r.next();
      return r.getInt(1);
    }
  }

  @Test
  void migrate_createsEveryTable_andRecordsTheVersion() throws Exception {
    assertEquals(SchemaMigrator.latestVersion(), new SchemaMigrator(dataSource(), CLOCK).migrate());
    try (Connection c = dataSource().getConnection()) {
      for (String table : TABLES) {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
          assertTrue(r.next(), table);
        }
      }
      assertEquals(SchemaMigrator.latestVersion(), SchemaMigrator.currentVersion(c));
      assertEquals(SqlDialect.of(c), dialect());
    }
  }

  abstract SqlDialect dialect();

  @Test
  void migrate_again_changesNothing() throws Exception {
    new SchemaMigrator(dataSource(), CLOCK).migrate();
    assertEquals(SchemaMigrator.latestVersion(), new SchemaMigrator(dataSource(), CLOCK).migrate());
    assertEquals(SchemaMigrator.latestVersion(), versionRows(dataSource()));
  }

  @Test
  void migrate_fromFourNodesAtOnce_appliesEachVersionOnce() throws Exception {
    int nodes = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(nodes);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        Callable<Integer> node = () -> {
          start.await();
          return new SchemaMigrator(dataSource(), CLOCK).migrate();
        };
        results.add(pool.submit(node));
      }
      start.countDown();
      for (Future<Integer> f : results) {
        assertEquals(SchemaMigrator.latestVersion(), f.get(60, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(SchemaMigrator.latestVersion(), versionRows(dataSource()));
  }

  @Test
  void schema_refusesADuplicateUrlPerTenant_andCascadesDeletes() throws Exception {
    new SchemaMigrator(dataSource(), CLOCK).migrate();
    UUID sub = UUID.randomUUID();
    try (Connection c = dataSource().getConnection()) {
      insertSubscription(c, sub, "t1", "https://example.com/hook");
      assertThrows(SQLException.class, () -> insertSubscription(c, UUID.randomUUID(), "t1", "https://example.com/hook"));
      insertSubscription(c, UUID.randomUUID(), "t2", "https://example.com/hook");
      try (PreparedStatement p = c.prepareStatement("INSERT INTO webhook_event (id, tenant_id, type, created_at, payload, "
          + "idempotency_key) VALUES ('msg_1', 't1', 'lookup.completed', ?, ?, 'k1')")) {
        p.setTimestamp(1, Timestamp.from(CLOCK.instant()));
        p.setBytes(2, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        p.executeUpdate();
      }
      try (PreparedStatement p = c.prepareStatement("INSERT INTO webhook_delivery (id, tenant_id, subscription_id, "
          + "event_id, event_type, status, attempt_count, created_at, next_attempt_at) "
          + "VALUES (?, 't1', ?, 'msg_1', 'lookup.completed', 'pending', 0, ?, ?)")) {
        p.setObject(1, UUID.randomUUID());
        p.setObject(2, sub);
        p.setTimestamp(3, Timestamp.from(CLOCK.instant()));
        p.setTimestamp(4, Timestamp.from(CLOCK.instant()));
        p.executeUpdate();
      }
      try (PreparedStatement p = c.prepareStatement("DELETE FROM webhook_subscription WHERE id = ?")) {
        p.setObject(1, sub);
        assertEquals(1, p.executeUpdate());
      }
      try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM webhook_delivery")) {
        r.next();
        assertEquals(0, r.getInt(1), "deliveries go with their subscription");
      }
    }
  }

  static void insertSubscription(Connection c, UUID id, String tenant, String url) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("INSERT INTO webhook_subscription (id, tenant_id, url, description, "
        + "enabled, filters, headers, metadata, secrets, created_at, updated_at, secret_last_rotated_at, version) "
        + "VALUES (?, ?, ?, '', TRUE, '[\"*\"]', '{}', '{}', '[]', ?, ?, ?, 1)")) {
      Timestamp now = Timestamp.from(CLOCK.instant());
      p.setObject(1, id);
      p.setString(2, tenant);
      p.setString(3, url);
      p.setTimestamp(4, now);
      p.setTimestamp(5, now);
      p.setTimestamp(6, now);
      p.executeUpdate();
    }
  }

  @Test
  void statements_splitOnLineEndingSemicolons_skippingComments() {
    assertEquals(List.of("CREATE TABLE a (\n  x INT\n)", "CREATE INDEX i ON a (x)"),
        SchemaMigrator.statements("-- a comment\nCREATE TABLE a (\n  x INT\n);\n\nCREATE INDEX i ON a (x);\n"));
    assertThrows(IllegalStateException.class, () -> SchemaMigrator.statements("CREATE TABLE a (x INT)"));
    assertEquals("CREATE INDEX i ON t " + (dialect() == SqlDialect.H2 ? "(status, next_attempt_at)"
        : "(next_attempt_at) WHERE status = 'pending'"), dialect().render("CREATE INDEX i ON t {{DUE_INDEX}}"));
    assertThrows(IllegalStateException.class, () -> dialect().render("x {{NOPE}} y"));
  }
}

package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.ClaimedDelivery;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.EventRecord;
import dev.webhooks.sender.store.SigningSecret;
import dev.webhooks.sender.store.StoredSubscription;
import dev.webhooks.sender.store.WebhookStoreException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the JDBC store adds to the store contract: publishing inside the caller's transaction,
 * idempotency and claiming across nodes, secrets sealed at rest, retention and notifications. On
 * a real H2 file database and on the machine's PostgreSQL.
 */
class JdbcWebhookStoreTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  static final Duration LEASE = Duration.ofSeconds(30);
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final EventCatalog CATALOG = EventCatalog.builder()
      .event("order.paid", "An order was paid", JsonNodeFactory.instance.objectNode())
      .build();

  @TempDir
  Path folder;
  private final List<UrlDataSource> schemas = new ArrayList<>();
  private final List<JdbcWebhookStore> stores = new ArrayList<>();

  @AfterEach
  void tearDown() throws SQLException {
    stores.forEach(JdbcWebhookStore::close);
    for (UrlDataSource ds : schemas) {
      TestDatabases.dropPostgresSchema(ds);
    }
  }

  private UrlDataSource postgres() {
    UrlDataSource ds = TestDatabases.postgres();
    schemas.add(ds);
    return ds;
  }

  private JdbcWebhookStore keep(JdbcWebhookStore store) {
    stores.add(store);
    return store;
  }

  private static StoredSubscription subscription(String tenant, String url) {
    Subscription s = Subscription.builder().id(UUID.randomUUID()).tenantId(tenant).url(URI.create(url))
        .filters(CATALOG.filters(List.of("*"))).createdAt(T0).updatedAt(T0).secretLastRotatedAt(T0).build();
    return new StoredSubscription(s, List.of(SigningSecret.current(SECRET)));
  }

  private static EventRecord event(String id, String tenant, String key) {
    return EventRecord.of(id, tenant, "order.paid", T0, ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8),
        key);
  }

  private static long count(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  // ---- publish inside the caller's transaction

  @Test
  void publishInTransaction_rolledBack_leavesNothingToSend() throws SQLException {
    DataSource ds = TestDatabases.h2(folder);
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(ds));
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      assertEquals(1, store.publish(c, event("msg_1", "t1", null)).deliveries());
      c.rollback();
    }
    assertTrue(store.claimDue(T0, 10, LEASE, Set.of()).isEmpty());
    assertEquals(0, count(ds, "SELECT COUNT(*) FROM webhook_event"));
    assertEquals(0, count(ds, "SELECT COUNT(*) FROM webhook_delivery"));
  }

  @Test
  void publishInTransaction_invisibleUntilCommit_thenClaimable() throws SQLException {
    DataSource ds = postgres();
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(ds));
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE app_order (id INT PRIMARY KEY)"); // the application's own change
        s.execute("INSERT INTO app_order VALUES (42)");
      }
      store.publish(c, event("msg_1", "t1", null));
      assertTrue(store.claimDue(T0, 10, LEASE, Set.of()).isEmpty(), "visible before the commit");
      c.commit();
    }
    List<ClaimedDelivery> claims = store.claimDue(T0, 10, LEASE, Set.of());
    assertEquals(1, claims.size());
    assertEquals("msg_1", claims.get(0).delivery().eventId());
    assertEquals(1, count(ds, "SELECT COUNT(*) FROM app_order"));
  }

  @Test
  void publishInTransaction_autoCommitConnection_refusedAndNothingWritten() throws SQLException {
    DataSource ds = TestDatabases.h2(folder);
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(ds));
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    try (Connection c = ds.getConnection()) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> store.publish(c, event("msg_1", "t1", null)));
      assertTrue(e.getMessage().contains("auto-commit"), e.getMessage());
    }
    assertEquals(0, count(ds, "SELECT COUNT(*) FROM webhook_event"));
  }

  @Test
  void publishInTransaction_databaseRefuses_storeExceptionAndTheCallerCanRollBack() throws SQLException {
    DataSource ds = postgres();
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(ds));
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    store.publish(event("msg_1", "t1", null));
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      // The same event id again: the primary key refuses it.
      assertThrows(WebhookStoreException.class, () -> store.publish(c, event("msg_1", "t1", null)));
      c.rollback();
    }
    assertEquals(1, count(ds, "SELECT COUNT(*) FROM webhook_delivery"));
  }

  // ---- several nodes

  @Test
  void deleteSubscription_duringAnUncommittedPublishToIt_waitsForIt_thenDeletesItsDeliveryToo() throws Exception {
    DataSource ds = postgres();
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(ds));
    StoredSubscription sub = subscription("t1", "https://a.example.com/");
    store.createSubscription(sub);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      assertEquals(1, store.publish(c, event("msg_1", "t1", null)).deliveries());
      Future<Boolean> delete = pool.submit(() -> store.deleteSubscription("t1", sub.subscription().id()));
      // Until the delete waits for the publish's lock on the subscription (or, were there none, is done).
      while (!delete.isDone() && count(ds, "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
          + "AND query LIKE 'DELETE FROM webhook_subscription %'") == 0) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      c.commit();
      assertTrue(delete.get(30, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
    assertEquals(0, count(ds, "SELECT COUNT(*) FROM webhook_delivery"), "no delivery outlives its subscription");
    assertTrue(store.claimDue(T0, 10, LEASE, Set.of()).isEmpty());
  }

  // ---- publishing in one statement (PostgreSQL, no key)

  /** A plan that fails the first {@code n} statements, each with {@code failure}, then nothing. */
  private static FlakyDataSource.Plan failFirstStatements(int n, FlakyDataSource.Failure failure) {
    AtomicInteger left = new AtomicInteger(n);
    return place -> place == FlakyDataSource.Place.STATEMENT && left.getAndDecrement() > 0 ? failure : null;
  }

  /** {@code plan}, counting the statements run (or failed) in {@code statements}. */
  private static FlakyDataSource.Plan counting(AtomicInteger statements, FlakyDataSource.Plan plan) {
    return place -> {
      if (place == FlakyDataSource.Place.STATEMENT) {
        statements.incrementAndGet();
      }
      return plan.at(place);
    };
  }

  /** A store on the machine's PostgreSQL over a data source that fails nowhere yet. */
  private record FlakyStore(UrlDataSource ds, FlakyDataSource flaky, JdbcWebhookStore store) {}

  /** {@link FlakyStore} with a subscription of tenant t1 to every event. */
  private FlakyStore flakyPostgresStore() {
    UrlDataSource ds = postgres();
    FlakyDataSource flaky = new FlakyDataSource(ds, place -> null);
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(flaky));
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    return new FlakyStore(ds, flaky, store);
  }

  @Test
  void publish_onPostgres_answerLostAfterTheStatementCommitted_succeedsOnce() throws Exception {
    FlakyStore f = flakyPostgresStore();
    f.store().createSubscription(subscription("t1", "https://b.example.com/"));
    // The statement ran and committed; its answer is lost with the connection. The check (a second
    // statement) finds it stored: no second try, which would have failed on the event's id.
    AtomicInteger statements = new AtomicInteger();
    f.flaky().plan(counting(statements, failFirstStatements(1, new FlakyDataSource.Failure("08006", true))));
    assertEquals(new PublishResult("msg_1", 2, false), f.store().publish(event("msg_1", "t1", null)));
    assertEquals(Map.of("statement after", 1), f.flaky().injected());
    assertEquals(2, statements.get(), "the publish, then the check");
    assertEquals(1, count(f.ds(), "SELECT COUNT(*) FROM webhook_event"));
    assertEquals(2, count(f.ds(), "SELECT COUNT(*) FROM webhook_delivery"));
  }

  @Test
  void publish_onPostgres_lostBeforeTheStatementRan_triedAgain_storedOnce() throws Exception {
    FlakyStore f = flakyPostgresStore();
    f.flaky().plan(failFirstStatements(1, new FlakyDataSource.Failure("08006", false)));
    assertEquals(new PublishResult("msg_1", 1, false), f.store().publish(event("msg_1", "t1", null)));
    assertEquals(1, count(f.ds(), "SELECT COUNT(*) FROM webhook_event"));
    assertEquals(1, count(f.ds(), "SELECT COUNT(*) FROM webhook_delivery"));
  }

  @Test
  void publish_onPostgres_noConnectionAtFirst_triedAgainWithoutACheck_storedOnce() throws Exception {
    FlakyStore f = flakyPostgresStore();
    AtomicInteger borrows = new AtomicInteger();
    AtomicInteger statements = new AtomicInteger();
    f.flaky().plan(counting(statements, place -> place == FlakyDataSource.Place.GET_CONNECTION
        && borrows.incrementAndGet() == 1 ? new FlakyDataSource.Failure("08001", false) : null));
    assertEquals(new PublishResult("msg_1", 1, false), f.store().publish(event("msg_1", "t1", null)));
    assertEquals(1, statements.get(), "nothing ran on the connection never borrowed: nothing to check");
    assertEquals(1, count(f.ds(), "SELECT COUNT(*) FROM webhook_event"));
  }

  @Test
  void publish_onPostgres_aPoolHandingOutConnectionsOutOfAutoCommit_publishesAndLeavesThemSo() throws Exception {
    UrlDataSource ds = postgres();
    // Each connection's auto-commit as it was given back.
    List<Boolean> givenBack = new ArrayList<>();
    DataSource manual = (DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
          Connection real = (Connection) method.invoke(ds, args);
          real.setAutoCommit(false);
          return java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
              (p, m, a) -> {
                if (m.getName().equals("close")) {
                  givenBack.add(real.getAutoCommit());
                }
                try {
                  return m.invoke(real, a);
                } catch (java.lang.reflect.InvocationTargetException e) {
                  throw e.getCause();
                }
              });
        });
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(manual));
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    givenBack.clear();
    assertEquals(new PublishResult("msg_1", 1, false), store.publish(event("msg_1", "t1", null)));
    assertEquals(List.of(false), givenBack, "one connection, given back out of auto-commit as it came");
    assertEquals(1, count(ds, "SELECT COUNT(*) FROM webhook_delivery"), "committed");
  }

  @Test
  void publish_onPostgres_anIdTakenByAnotherTenantsEvent_refusedNotMistakenForItself() throws Exception {
    UrlDataSource ds = postgres();
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(ds));
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    store.createSubscription(subscription("t2", "https://b.example.com/"));
    store.publish(event("msg_1", "t1", null));
    // Through the store's SPI only: the sender makes ids of 80 random bits.
    WebhookStoreException e = assertThrows(WebhookStoreException.class, () -> store.publish(event("msg_1", "t2", null)));
    assertEquals("webhooks store: publish failed (SQLState 23505)", e.getMessage());
    assertEquals(1, count(ds, "SELECT COUNT(*) FROM webhook_delivery"));
  }

  @Test
  void publish_onPostgres_failsWithoutEffect_notTransient_throwsAndLeavesNothing() throws Exception {
    FlakyStore f = flakyPostgresStore();
    f.flaky().plan(failFirstStatements(1, new FlakyDataSource.Failure("XX000", false)));
    WebhookStoreException e =
        assertThrows(WebhookStoreException.class, () -> f.store().publish(event("msg_1", "t1", null)));
    assertEquals("webhooks store: publish failed (SQLState XX000)", e.getMessage());
    assertEquals(0, count(f.ds(), "SELECT COUNT(*) FROM webhook_event"));
    assertEquals(0, count(f.ds(), "SELECT COUNT(*) FROM webhook_delivery"));
  }

  @Test
  void publish_onPostgres_answerLostAndTheDatabaseCannotBeAsked_saysTheOutcomeIsUnknown() throws Exception {
    FlakyStore f = flakyPostgresStore();
    // The publish and every check after it.
    f.flaky().plan(failFirstStatements(1 + Transactions.CHECK_TRIES, new FlakyDataSource.Failure("08006", true)));
    WebhookStoreException e =
        assertThrows(WebhookStoreException.class, () -> f.store().publish(event("msg_1", "t1", null)));
    assertEquals("webhooks store: publish failed (SQLState 08006), and whether it took effect is unknown",
        e.getMessage());
    assertEquals(Transactions.CHECK_TRIES, e.getCause().getSuppressed().length);
    assertEquals(1, count(f.ds(), "SELECT COUNT(*) FROM webhook_event"), "it had: the statement ran");
  }

  @Test
  void publish_onPostgres_nothingMatches_nothingKept_inOneStatement() throws Exception {
    UrlDataSource ds = postgres();
    AtomicInteger statements = new AtomicInteger();
    FlakyDataSource counting = new FlakyDataSource(ds, counting(statements, place -> null));
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(counting));
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    statements.set(0);
    assertEquals(new PublishResult("msg_1", 0, false), store.publish(event("msg_1", "t2", null)));
    assertEquals(1, statements.get());
    assertEquals(new PublishResult("msg_2", 1, false), store.publish(event("msg_2", "t1", null)));
    assertEquals(2, statements.get());
    assertEquals(1, count(ds, "SELECT COUNT(*) FROM webhook_event"));
    assertEquals(0, count(ds, "SELECT COUNT(*) FROM webhook_event WHERE id = 'msg_1'"));
  }

  @Test
  void idempotencyKey_racingAcrossNodes_exactlyOneEventWins() throws Exception {
    UrlDataSource ds = postgres();
    JdbcWebhookStore a = keep(JdbcWebhookStore.create(ds));
    JdbcWebhookStore b = keep(JdbcWebhookStore.create(ds));
    a.createSubscription(subscription("t1", "https://a.example.com/"));
    a.createSubscription(subscription("t1", "https://b.example.com/"));
    int racers = 8;
    CyclicBarrier start = new CyclicBarrier(racers);
    ExecutorService pool = Executors.newFixedThreadPool(racers);
    try {
      List<Future<PublishResult>> results = new ArrayList<>();
      for (int i = 0; i < racers; i++) {
        JdbcWebhookStore node = i % 2 == 0 ? a : b;
        String id = "msg_" + i;
        results.add(pool.submit(() -> {
          start.await(10, TimeUnit.SECONDS);
          return node.publish(event(id, "t1", "order-42"));
        }));
      }
      Set<String> ids = new HashSet<>();
      int firsts = 0;
      for (Future<PublishResult> f : results) {
        PublishResult r = f.get(30, TimeUnit.SECONDS);
        ids.add(r.eventId());
        firsts += r.duplicate() ? 0 : 1;
      }
      assertEquals(1, firsts);
      assertEquals(1, ids.size(), "every racer is answered with the winner's id");
      assertEquals(1, count(ds, "SELECT COUNT(*) FROM webhook_event"));
      assertEquals(2, count(ds, "SELECT COUNT(*) FROM webhook_delivery"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void claimDue_onPostgres_walksTheDueIndexAndPrimaryKeys_withOrWithoutStatistics() throws Exception {
    UrlDataSource ds = postgres();
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(ds));
    StoredSubscription sub = subscription("t1", "https://a.example.com/");
    store.createSubscription(sub);
    Instant now = Instant.now();
    // A new deployment: the tables are empty and have no statistics. The generic plan is the one a
    // connection caches after a few claims, and keeps once the tables have grown.
    assertClaimPlan(ds, now, "empty tables, never analysed", "force_generic_plan");
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      // What a store that has run for a while holds: 20,000 finished deliveries, 200 due ones.
      s.execute("INSERT INTO webhook_delivery (id, tenant_id, subscription_id, event_id, event_type, status, "
          + "attempt_count, created_at, next_attempt_at) SELECT gen_random_uuid(), 't1', '" + sub.subscription().id()
          + "', 'e' || g, 'order.paid', CASE WHEN g <= 20000 THEN 'delivered' ELSE 'pending' END, 1, now(), "
          + "CASE WHEN g <= 20000 THEN NULL ELSE now() - interval '1 minute' + g * interval '1 ms' END "
          + "FROM generate_series(1, 20200) g");
      s.execute("INSERT INTO webhook_event (id, tenant_id, type, created_at, payload) "
          + "SELECT 'e' || g, 't1', 'order.paid', now(), convert_to('{}', 'UTF8') FROM generate_series(20001, 20200) g");
    }
    assertClaimPlan(ds, now, "20,200 rows, never analysed", "force_custom_plan");
    assertClaimPlan(ds, now, "20,200 rows, never analysed", "force_generic_plan");
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("ANALYZE webhook_delivery, webhook_event, webhook_subscription");
    }
    assertClaimPlan(ds, now, "20,200 rows, analysed", "force_custom_plan");
    assertClaimPlan(ds, now, "20,200 rows, analysed", "force_generic_plan");
    List<ClaimedDelivery> claimed = store.claimDue(now, 100, LEASE, Set.of());
    assertEquals(100, claimed.size());
    assertEquals(claimed.stream().map(d -> d.delivery().nextAttemptAt().orElseThrow()).sorted().toList(),
        claimed.stream().map(d -> d.delivery().nextAttemptAt().orElseThrow()).toList(), "claimed in due order");
  }

  @Test
  void rowsFoundById_onPostgres_byTheirPrimaryKey_inTheGenericPlanOfANewDeployment() throws Exception {
    UrlDataSource ds = postgres();
    keep(JdbcWebhookStore.create(ds)); // the schema: empty tables, never analysed, as on a new deployment
    // Each statement that finds rows by id and checks another column, and the index that must find
    // them. In a generic plan (what a connection caches for a statement pgjdbc prepared on the server,
    // after a few runs, and keeps until the table is next analysed) a plain check on the tenant or
    // subscription took that column's index, which reads all the tenant's or subscription's rows at
    // every run once the table has grown.
    Map<String, String> expected = new java.util.LinkedHashMap<>();
    expected.put(Claims.POSTGRES_RECORD_SQL, "webhook_delivery using webhook_delivery_pkey");
    expected.put(JdbcWebhookStore.FIND_SUBSCRIPTION_SQL, "webhook_subscription using webhook_subscription_pkey");
    expected.put(JdbcWebhookStore.LOCK_SUBSCRIPTION_SQL, "webhook_subscription using webhook_subscription_pkey");
    expected.put(JdbcWebhookStore.DELETE_SUBSCRIPTION_SQL, "webhook_subscription using webhook_subscription_pkey");
    expected.put(JdbcWebhookStore.DISABLE_SUBSCRIPTION_SQL, "webhook_subscription using webhook_subscription_pkey");
    expected.put(Publishing.requireSubscriptionSql(SqlDialect.POSTGRESQL), "webhook_subscription using webhook_subscription_pkey");
    expected.put(JdbcWebhookStore.STORED_EVENT_SQL, "webhook_event using webhook_event_pkey");
    expected.put(JdbcWebhookStore.FIND_DELIVERY_SQL, "webhook_delivery using webhook_delivery_pkey");
    expected.put(JdbcWebhookStore.DELIVERY_ATTEMPTS_SQL, "webhook_delivery using webhook_delivery_pkey");
    expected.put(JdbcWebhookStore.rescheduleSql(JdbcWebhookStore.RETRY_DELIVERY_WHERE),
        "webhook_delivery using webhook_delivery_pkey");
    // Not by id, but by the subscription's index rather than all the tenant's deliveries.
    expected.put(JdbcWebhookStore.rescheduleSql(JdbcWebhookStore.RECOVER_FAILED_WHERE),
        "webhook_delivery using webhook_delivery_by_subscription");
    expected.put(JdbcWebhookStore.DeliveryLogQuery.of("t1", DeliveryQuery.builder().subscription(UUID.randomUUID())
        .status(DeliveryStatus.FAILED).build()).sql(), "webhook_delivery using webhook_delivery_by_subscription");
    try (Connection c = ds.getConnection()) {
      for (Map.Entry<String, String> e : expected.entrySet()) {
        List<String> nodes = explainGeneric(c, e.getKey());
        assertTrue(nodes.stream().anyMatch(n -> n.endsWith(" on " + e.getValue())),
            () -> "not " + e.getValue() + ": " + nodes + " for " + e.getKey());
        assertFalse(nodes.stream().anyMatch(n -> n.contains("by_tenant") || n.contains("tenant_url")
            || n.contains("webhook_event_idempotency") || (n.contains("by_subscription") && !e.getValue().contains("by_subscription"))),
            () -> "an index of the checked column: " + nodes + " for " + e.getKey());
      }
    }
  }

  /**
   * The generic plan's nodes (see {@link #planNodes}) of {@code sql} (JDBC's {@code ?} parameters,
   * their types inferred by the server), prepared on {@code c} and EXPLAINed with every parameter
   * NULL under {@code plan_cache_mode = force_generic_plan}.
   */
  private static List<String> explainGeneric(Connection c, String sql) throws Exception {
    StringBuilder numbered = new StringBuilder();
    int parameters = 0;
    for (char ch : sql.toCharArray()) {
      if (ch == '?') {
        numbered.append('$').append(++parameters);
      } else {
        numbered.append(ch);
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("PREPARE generic_probe AS " + numbered);
      try {
        s.execute("SET plan_cache_mode = force_generic_plan");
        try (ResultSet r = s.executeQuery("EXPLAIN (FORMAT JSON) EXECUTE generic_probe("
            + String.join(", ", java.util.Collections.nCopies(parameters, "NULL")) + ")")) {
          r.next();
          List<String> nodes = new ArrayList<>();
          planNodes(JSON.readTree(r.getString(1)).get(0).get("Plan"), nodes);
          return nodes;
        }
      } finally {
        s.execute("DEALLOCATE generic_probe");
        s.execute("RESET plan_cache_mode");
      }
    }
  }

  @Test
  void claimDue_onPostgres_thePlannerSettingsSentWithTheClaim_holdForItAlone() throws Exception {
    UrlDataSource ds = postgres();
    Transactions transactions = new Transactions(ds);
    // As claimDue sends them: the settings, then a statement, in one execution in auto-commit; then,
    // on the same connection, the settings as they are after it.
    List<String> seen = transactions.runAutoCommitted("probe", c -> {
      String before;
      try (Statement s = c.createStatement()) {
        before = setting(s, "enable_seqscan") + " " + setting(s, "jit");
      }
      String during;
      try (PreparedStatement p = c.prepareStatement(Claims.POSTGRES_CLAIM_PLANNER + ";\n"
          + "SELECT current_setting('enable_seqscan') || ' ' || current_setting('jit') WHERE ? = 1")) {
        p.setInt(1, 1);
        p.execute();
        assertTrue(p.getMoreResults());
        try (ResultSet r = p.getResultSet()) {
          r.next();
          during = r.getString(1);
        }
      }
      try (Statement s = c.createStatement()) {
        return List.of(before, during, setting(s, "enable_seqscan") + " " + setting(s, "jit"));
      }
    });
    assertEquals("off off", seen.get(1), "the settings hold for the statement sent with them");
    assertEquals(seen.get(0), seen.get(2), "and end with it");
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** Binds a statement's parameters. */
  private interface Binder {
    void bind(PreparedStatement p) throws SQLException;
  }

  /**
   * EXPLAINs the claim after its planner settings, in one transaction, as the store runs it (there
   * in the implicit transaction of the two sent together: {@link
   * #claimDue_onPostgres_thePlannerSettingsSentWithTheClaim_holdForItAlone}).
   */
  private static void assertClaimPlan(UrlDataSource ds, Instant now, String tables, String planCacheMode)
      throws Exception {
    String what = tables + ", " + planCacheMode + ": ";
    List<String> nodes;
    try (Connection c = ds.getConnection()) {
      String seqscan;
      String jit;
      try (Statement s = c.createStatement()) {
        seqscan = setting(s, "enable_seqscan"); // the server's, whatever it is configured with
        jit = setting(s, "jit");
      }
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute(Claims.POSTGRES_CLAIM_PLANNER);
        s.execute("SET LOCAL plan_cache_mode = " + planCacheMode);
        assertEquals("off", setting(s, "enable_seqscan"));
      }
      // A statement EXPLAINed with its values bound is planned for them (a custom plan, whatever the
      // setting); the plan a connection caches is planned without them.
      nodes = planCacheMode.equals("force_generic_plan") ? explainGeneric(c, Claims.postgresClaimSql(1))
          : explain(c, Claims.postgresClaimSql(1), what + "the claim", p -> {
            p.setString(1, "token");
            Rows.timestamp(p, 2, now.plus(LEASE));
            Rows.timestamp(p, 3, now);
            Rows.timestamp(p, 4, now);
            p.setObject(5, UUID.randomUUID());
            p.setInt(6, 100);
          });
      c.rollback();
      try (Statement s = c.createStatement()) {
        assertEquals(seqscan, setting(s, "enable_seqscan"), "the settings end with the claim's transaction");
        assertEquals(jit, setting(s, "jit"));
      }
    }
    assertFalse(nodes.stream().anyMatch(n -> n.startsWith("Seq Scan")), () -> what + "a claim scans a table: " + nodes);
    assertFalse(nodes.stream().anyMatch(n -> n.contains("Sort")), () -> what + "a claim sorts: " + nodes);
    assertTrue(nodes.contains("Index Scan on webhook_delivery using webhook_delivery_due"), () -> what + nodes);
    assertTrue(nodes.stream().anyMatch(n -> n.endsWith("using webhook_delivery_pkey")), () -> what + nodes);
    // The claimed rows' subscriptions and payloads, read by the same statement: by primary keys.
    assertTrue(nodes.stream().anyMatch(n -> n.endsWith("on webhook_subscription using webhook_subscription_pkey")),
        () -> what + "the subscriptions are not found by primary key: " + nodes);
    assertTrue(nodes.stream().anyMatch(n -> n.endsWith("on webhook_event using webhook_event_pkey")),
        () -> what + "the payloads are not found by primary key: " + nodes);
  }

  private static String setting(Statement s, String name) throws SQLException {
    try (ResultSet r = s.executeQuery("SELECT current_setting('" + name + "')")) {
      r.next();
      return r.getString(1);
    }
  }

  /** The plan's nodes (see {@link #planNodes}); fails if PostgreSQL would JIT-compile the statement. */
  private static List<String> explain(Connection c, String sql, String what, Binder binder) throws Exception {
    try (PreparedStatement p = c.prepareStatement("EXPLAIN (FORMAT JSON) " + sql)) {
      binder.bind(p);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        com.fasterxml.jackson.databind.JsonNode plan = JSON.readTree(r.getString(1)).get(0);
        assertFalse(plan.has("JIT"), () -> what + " is compiled: " + plan);
        List<String> nodes = new ArrayList<>();
        planNodes(plan.get("Plan"), nodes);
        return nodes;
      }
    }
  }

  /**
   * Each plan node as "type on relation using index" (the parts it has), depth first, init plans
   * included.
   */
  private static void planNodes(com.fasterxml.jackson.databind.JsonNode node, List<String> out) {
    String type = node.path("Node Type").asText();
    out.add(type + (node.has("Relation Name") ? " on " + node.get("Relation Name").asText() : "")
        + (node.has("Index Name") ? " using " + node.get("Index Name").asText() : ""));
    for (com.fasterxml.jackson.databind.JsonNode child : node.path("Plans")) {
      planNodes(child, out);
    }
  }

  @Test
  void claimDue_byManyNodesAtOnce_eachDeliveryToExactlyOne() throws Exception {
    UrlDataSource ds = postgres();
    List<JdbcWebhookStore> nodes = List.of(keep(JdbcWebhookStore.create(ds)), keep(JdbcWebhookStore.create(ds)),
        keep(JdbcWebhookStore.create(ds)));
    for (int i = 0; i < 5; i++) {
      nodes.get(0).createSubscription(subscription("t1", "https://h" + i + ".example.com/"));
    }
    for (int i = 0; i < 100; i++) {
      nodes.get(0).publish(event("msg_" + i, "t1", null)); // 500 deliveries
    }
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Callable<List<UUID>>> claimers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        JdbcWebhookStore node = nodes.get(i % nodes.size());
        claimers.add(() -> {
          List<UUID> mine = new ArrayList<>();
          for (List<ClaimedDelivery> batch = node.claimDue(T0, 7, LEASE, Set.of()); !batch.isEmpty();
              batch = node.claimDue(T0, 7, LEASE, Set.of())) {
            batch.forEach(c -> mine.add(c.delivery().id()));
          }
          return mine;
        });
      }
      List<UUID> all = new ArrayList<>();
      for (Future<List<UUID>> f : pool.invokeAll(claimers, 60, TimeUnit.SECONDS)) {
        all.addAll(f.get());
      }
      assertEquals(500, all.size());
      assertEquals(500, new HashSet<>(all).size(), "a delivery was claimed twice");
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void notifications_aCommitOnOneNode_wakesTheListenersOfAnother() throws Exception {
    UrlDataSource ds = postgres();
    JdbcWebhookStore listening = keep(JdbcWebhookStore.builder(ds).listenForNotifications(true).build());
    JdbcWebhookStore publishing = keep(JdbcWebhookStore.builder(ds).listenForNotifications(true).build());
    publishing.createSubscription(subscription("t1", "https://a.example.com/"));
    CountDownLatch connected = new CountDownLatch(1);
    CountDownLatch woken = new CountDownLatch(2);
    listening.addWorkListener(() -> {
      connected.countDown();
      woken.countDown();
    });
    // The listener wakes its workers once when it has connected: that one is not a notification.
    assertTrue(connected.await(30, TimeUnit.SECONDS), "the listener never connected");
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      publishing.publish(c, event("msg_1", "t1", null));
      c.rollback();
    }
    publishing.publish(event("msg_2", "t1", null));
    assertTrue(woken.await(30, TimeUnit.SECONDS), "no notification arrived after the commit");
  }

  @Test
  void notifications_publishesFromManyThreads_theLastWakeUpSeesEveryDelivery() throws Exception {
    UrlDataSource ds = postgres();
    JdbcWebhookStore listening = keep(JdbcWebhookStore.builder(ds).listenForNotifications(true).build());
    JdbcWebhookStore publishing = keep(JdbcWebhookStore.builder(ds).listenForNotifications(true).build());
    publishing.createSubscription(subscription("t1", "https://a.example.com/"));
    // What each wake-up finds: the listener runs its wake-ups one after another, so this only grows.
    java.util.concurrent.atomic.AtomicLong found = new java.util.concurrent.atomic.AtomicLong(-1);
    CountDownLatch connected = new CountDownLatch(1);
    listening.addWorkListener(() -> {
      try {
        found.set(count(ds, "SELECT COUNT(*) FROM webhook_delivery"));
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
      connected.countDown();
    });
    assertTrue(connected.await(30, TimeUnit.SECONDS), "the listener never connected");
    int threads = 4;
    int each = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            publishing.publish(event("msg_" + thread + "_" + i, "t1", null));
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // The store notifies after its commits, one NOTIFY covering the publishes committed before it:
    // the last publish too, so some wake-up comes after it and finds every delivery.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (found.get() < threads * each && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    assertEquals(threads * each, found.get(), "no wake-up after the last publish's commit");
  }

  @Test
  void notifications_onH2_refusedAtBuild() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> JdbcWebhookStore.builder(TestDatabases.h2(folder)).listenForNotifications(true).build());
    assertTrue(e.getMessage().contains("PostgreSQL"), e.getMessage());
  }

  // ---- secrets at rest

  private static final SecretKeySpec KEY = new SecretKeySpec(new byte[32], "AES");
  private static final SecretKeySpec OTHER_KEY = new SecretKeySpec(new byte[] {
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "AES");

  private static String storedSecrets(DataSource ds, UUID id) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT secrets FROM webhook_subscription WHERE id = ?")) {
      p.setObject(1, id);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getString(1);
      }
    }
  }

  @Test
  void secretsKey_theDatabaseNeverHoldsTheSecretInClear_andItReadsBack() throws SQLException {
    DataSource ds = TestDatabases.h2(folder);
    JdbcWebhookStore store = keep(JdbcWebhookStore.builder(ds).secretsKey(KEY).build());
    StoredSubscription s = subscription("t1", "https://a.example.com/");
    store.createSubscription(s);
    String column = storedSecrets(ds, s.subscription().id());
    assertTrue(column.startsWith("aesgcm1:"), column);
    assertFalse(column.contains(SECRET.substring(6, 20)));
    StoredSubscription read = store.findSubscription("t1", s.subscription().id()).orElseThrow();
    assertEquals(List.of(SigningSecret.current(SECRET)), read.secrets());
    // Rotated secrets are sealed too.
    StoredSubscription rotated = read.withSecrets(List.of(SigningSecret.current("whsec_" + "A".repeat(32)),
        SigningSecret.expiring(SECRET, T0.plusSeconds(3600))));
    assertTrue(store.updateSubscription(rotated));
    assertFalse(storedSecrets(ds, s.subscription().id()).contains("AAAAAAAA"));
    assertEquals(rotated.secrets(), store.findSubscription("t1", s.subscription().id()).orElseThrow().secrets());
  }

  @Test
  void secretsKey_rowsWrittenInClearBefore_areSealedWhenTheStoreStarts() throws SQLException {
    DataSource ds = TestDatabases.h2(folder);
    StoredSubscription s = subscription("t1", "https://a.example.com/");
    try (JdbcWebhookStore plain = JdbcWebhookStore.create(ds)) {
      plain.createSubscription(s);
    }
    assertTrue(storedSecrets(ds, s.subscription().id()).contains(SECRET));
    JdbcWebhookStore sealed = keep(JdbcWebhookStore.builder(ds).secretsKey(KEY).build());
    assertTrue(storedSecrets(ds, s.subscription().id()).startsWith("aesgcm1:"));
    assertEquals(SECRET, sealed.findSubscription("t1", s.subscription().id()).orElseThrow().secrets().get(0).secret());
  }

  @Test
  void secretsKey_missingWrongOrTampered_failsWithoutShowingTheSecret() throws SQLException {
    DataSource ds = TestDatabases.h2(folder);
    StoredSubscription s = subscription("t1", "https://a.example.com/");
    UUID id = s.subscription().id();
    try (JdbcWebhookStore sealed = JdbcWebhookStore.builder(ds).secretsKey(KEY).build()) {
      sealed.createSubscription(s);
    }
    List<Exception> failures = new ArrayList<>();
    try (JdbcWebhookStore noKey = JdbcWebhookStore.create(ds)) {
      failures.add(assertThrows(RuntimeException.class, () -> noKey.findSubscription("t1", id)));
    }
    try (JdbcWebhookStore wrongKey = JdbcWebhookStore.builder(ds).secretsKey(OTHER_KEY).build()) {
      failures.add(assertThrows(RuntimeException.class, () -> wrongKey.findSubscription("t1", id)));
    }
    String column = storedSecrets(ds, id);
    char last = column.charAt(column.length() - 3);
    try (Connection c = ds.getConnection();
        PreparedStatement p = c.prepareStatement("UPDATE webhook_subscription SET secrets = ? WHERE id = ?")) {
      p.setString(1, column.substring(0, column.length() - 3) + (last == 'A' ? 'B' : 'A') + column.substring(column.length() - 2));
      p.setObject(2, id);
      p.executeUpdate();
    }
    try (JdbcWebhookStore rightKey = JdbcWebhookStore.builder(ds).secretsKey(KEY).build()) {
      failures.add(assertThrows(RuntimeException.class, () -> rightKey.findSubscription("t1", id)));
    }
    for (Exception e : failures) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        assertFalse(String.valueOf(t.getMessage()).contains(SECRET.substring(6)), t.getMessage());
      }
    }
  }

  @Test
  void secretsKey_notAnAesKey_refused() {
    assertThrows(IllegalArgumentException.class,
        () -> JdbcWebhookStore.builder(TestDatabases.h2(folder)).secretsKey(new SecretKeySpec(new byte[32], "HmacSHA256")));
    assertThrows(IllegalArgumentException.class,
        () -> JdbcWebhookStore.builder(TestDatabases.h2(folder)).secretsKey(new SecretKeySpec(new byte[20], "AES")));
  }

  // ---- retention

  @Test
  void purge_removesFinishedDeliveriesAndTheirEvents_keepsWhatIsPendingOrRecent() throws SQLException {
    UrlDataSource ds = postgres();
    JdbcWebhookStore store = keep(JdbcWebhookStore.builder(ds).purgeBatchSize(2).build());
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    for (int i = 0; i < 5; i++) {
      store.publish(event("msg_old_" + i, "t1", null));
    }
    store.publish(EventRecord.of("msg_new", "t1", "order.paid", T0.plus(Duration.ofDays(40)), new byte[] {'{', '}'},
        null));
    // Four old ones delivered, one old one still pending, the new one delivered.
    List<ClaimedDelivery> claims = store.claimDue(T0.plus(Duration.ofDays(40)), 10, LEASE, Set.of());
    assertEquals(6, claims.size());
    for (ClaimedDelivery c : claims) {
      if (!c.delivery().eventId().equals("msg_old_4")) {
        store.recordAttempt(c, new AttemptRecord(c.delivery().id(), 1, T0, Duration.ofMillis(5), 200, "ok",
            Optional.empty()), DeliveryStatus.DELIVERED, null);
      }
    }
    JdbcWebhookStore.Purged purged = store.purgeFinishedBefore(T0.plus(Duration.ofDays(30)));
    assertEquals(new JdbcWebhookStore.Purged(4, 4), purged);
    assertEquals(2, count(ds, "SELECT COUNT(*) FROM webhook_delivery"));
    assertEquals(1, count(ds, "SELECT COUNT(*) FROM webhook_attempt"), "the new delivery's attempt");
    assertEquals(2, count(ds, "SELECT COUNT(*) FROM webhook_event"));
    assertEquals(2, store.listDeliveries("t1", DeliveryQuery.all()).items().size());
    assertEquals(new JdbcWebhookStore.Purged(0, 0), store.purgeFinishedBefore(T0.plus(Duration.ofDays(30))));
  }

  @Test
  void recordAttempt_onPostgres_aFailureOfASubscriptionAlreadyFailing_leavesItsRowUnwritten() throws Exception {
    UrlDataSource ds = postgres();
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(ds));
    StoredSubscription sub = subscription("t1", "https://a.example.com/");
    store.createSubscription(sub);
    store.publish(event("msg_1", "t1", null));
    store.publish(event("msg_2", "t1", null));
    List<ClaimedDelivery> claims = store.claimDue(T0, 2, LEASE, Set.of());
    store.recordAttempt(claims.get(0), new AttemptRecord(claims.get(0).delivery().id(), 1, T0, Duration.ofMillis(5),
        500, "", Optional.empty()), DeliveryStatus.PENDING, T0.plusSeconds(60));
    String xmin = "SELECT xmin::text::bigint FROM webhook_subscription WHERE id = '" + sub.subscription().id() + "'";
    long written = count(ds, xmin);
    // A dead endpoint's failures, recorded by every node: no new row version, so no row lock for
    // the recorders to queue on.
    store.recordAttempt(claims.get(1), new AttemptRecord(claims.get(1).delivery().id(), 1, T0.plusSeconds(1),
        Duration.ofMillis(5), 500, "", Optional.empty()), DeliveryStatus.PENDING, T0.plusSeconds(60));
    assertEquals(written, count(ds, xmin));
    assertEquals(Optional.of(T0), store.findSubscription("t1", sub.subscription().id()).orElseThrow().failingSince());
  }

  @Test
  void recordAttempts_onPostgres_eachSubscriptionWrittenOncePerCall_evenWhenALeaseWasLost() throws Exception {
    UrlDataSource ds = postgres();
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(ds));
    StoredSubscription a = subscription("t1", "https://a.example.com/");
    StoredSubscription b = subscription("t1", "https://b.example.com/");
    store.createSubscription(a);
    store.createSubscription(b);
    for (int i = 1; i <= 6; i++) {
      store.publish(event("msg_" + i, "t1", null));
    }
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      st.execute("CREATE TABLE subscription_writes (id UUID NOT NULL)");
      st.execute("CREATE FUNCTION count_subscription_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
          + "INSERT INTO subscription_writes VALUES (NEW.id); RETURN NEW; END $$");
      st.execute("CREATE TRIGGER count_writes AFTER UPDATE ON webhook_subscription FOR EACH ROW "
          + "EXECUTE FUNCTION count_subscription_write()");
    }
    List<ClaimedDelivery> claims = store.claimDue(T0, 12, LEASE, Set.of());
    assertEquals(12, claims.size());
    // Six outcomes of each subscription in one call, the last of each one second later than the one before.
    List<dev.webhooks.sender.store.AttemptOutcome> first = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ClaimedDelivery claim = claims.get(i);
      first.add(new dev.webhooks.sender.store.AttemptOutcome(claim, new AttemptRecord(claim.delivery().id(), 1,
          T0.plusSeconds(i), Duration.ofMillis(5), 200, "", Optional.empty()), DeliveryStatus.DELIVERED, null));
    }
    boolean[] kept = store.recordAttempts(first);
    assertArrayEquals(new boolean[] {true, true, true, true, true, true}, kept);
    Set<UUID> touched = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      touched.add(claims.get(i).delivery().subscriptionId());
    }
    assertEquals(touched.size(), count(ds, "SELECT COUNT(*) FROM subscription_writes"), "one write per subscription");

    // The same with a lost lease among them (an outcome given twice): the exact path, one write each still.
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      st.execute("DELETE FROM subscription_writes");
    }
    List<dev.webhooks.sender.store.AttemptOutcome> second = new ArrayList<>();
    for (int i = 6; i < 12; i++) {
      ClaimedDelivery claim = claims.get(i);
      second.add(new dev.webhooks.sender.store.AttemptOutcome(claim, new AttemptRecord(claim.delivery().id(), 1,
          T0.plusSeconds(i), Duration.ofMillis(5), 200, "", Optional.empty()), DeliveryStatus.DELIVERED, null));
    }
    second.add(second.get(0));
    kept = store.recordAttempts(second);
    assertArrayEquals(new boolean[] {true, true, true, true, true, true, false}, kept);
    Set<UUID> touchedAgain = new HashSet<>();
    for (int i = 6; i < 12; i++) {
      touchedAgain.add(claims.get(i).delivery().subscriptionId());
    }
    assertEquals(touchedAgain.size(), count(ds, "SELECT COUNT(*) FROM subscription_writes"));
    for (StoredSubscription s : List.of(a, b)) {
      Instant last = null;
      for (int i = 0; i < 12; i++) {
        if (claims.get(i).delivery().subscriptionId().equals(s.subscription().id())) {
          last = T0.plusSeconds(i).plusMillis(5);
        }
      }
      assertEquals(Optional.ofNullable(last), store.findSubscription("t1", s.subscription().id()).orElseThrow()
          .subscription().lastDeliveredAt());
    }
  }

  @Test
  void retention_purgesOnItsOwnThread_withTheInjectedClock() throws Exception {
    UrlDataSource ds = postgres();
    Instant later = T0.plus(Duration.ofDays(40));
    JdbcWebhookStore store = keep(JdbcWebhookStore.builder(ds).retention(Duration.ofDays(30))
        .purgeInterval(Duration.ofMillis(20)).clock(Clock.fixed(later, ZoneOffset.UTC)).build());
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    store.publish(event("msg_old", "t1", null));
    ClaimedDelivery c = store.claimDue(T0, 1, LEASE, Set.of()).get(0);
    store.recordAttempt(c, new AttemptRecord(c.delivery().id(), 1, T0, Duration.ofMillis(5), 410, "", Optional.of("gone")),
        DeliveryStatus.FAILED, null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (count(ds, "SELECT COUNT(*) FROM webhook_event") > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    assertEquals(0, count(ds, "SELECT COUNT(*) FROM webhook_delivery"));
    assertEquals(0, count(ds, "SELECT COUNT(*) FROM webhook_attempt"));
    assertEquals(0, count(ds, "SELECT COUNT(*) FROM webhook_event"));
  }

  // ---- values

  @Test
  void timestamps_keptToTheMicrosecond_payloadByteForByte() {
    JdbcWebhookStore store = keep(JdbcWebhookStore.create(TestDatabases.h2(folder)));
    store.createSubscription(subscription("t1", "https://a.example.com/"));
    Instant at = Instant.parse("2026-05-02T12:00:00.123456789Z");
    byte[] payload = "{\"name\":\"Zoë ☃\",\"n\":1}".getBytes(StandardCharsets.UTF_8);
    store.publish(EventRecord.of("msg_1", "t1", "order.paid", at, payload, null));
    ClaimedDelivery c = store.claimDue(at, 1, LEASE, Set.of()).get(0);
    assertEquals(Instant.parse("2026-05-02T12:00:00.123456Z"), c.delivery().createdAt());
    assertArrayEquals(payload, c.payload());
  }

  @Test
  void h2WithAWriteDelay_refusedBeforeAnythingIsCreated() throws SQLException {
    UrlDataSource delayed = new UrlDataSource("jdbc:h2:file:" + folder.resolve("delayed").toAbsolutePath()
        + ";DB_CLOSE_DELAY=0");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> JdbcWebhookStore.create(delayed));
    assertTrue(e.getMessage().contains("WRITE_DELAY=0"), e.getMessage());
    assertEquals(0, count(delayed, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME LIKE 'WEBHOOK%'"));
  }

  @Test
  void unreachableDatabase_specificStoreExceptionNamingTheOperation() {
    DataSource nowhere = new UrlDataSource("jdbc:postgresql://127.0.0.1:1/none?user=postgres&connectTimeout=2");
    WebhookStoreException e = assertThrows(WebhookStoreException.class, () -> JdbcWebhookStore.create(nowhere));
    assertTrue(e.getMessage().contains("schema"), e.getMessage());
  }
}

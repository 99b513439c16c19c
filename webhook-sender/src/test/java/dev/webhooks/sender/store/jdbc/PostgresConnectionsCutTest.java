package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.WebhookSender;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fault 2 of the reliability suite: PostgreSQL cuts every connection of the sender, again and
 * again, in the middle of a burst, as a database restart or a failover does. The server keeps
 * running (other work shares it); what is cut is every backend this test's pool opened, found by
 * its {@code application_name}: {@code pg_terminate_backend(pid)} for each, every 200 ms while
 * two threads publish {@value #EVENTS} events (each to one of {@value #TENANTS} tenants, one
 * subscription each) and the started sender, listening for notifications, delivers them.
 *
 * <p>The publishers behave as an application should: a publish that throws is published again with
 * the same idempotency key. It proves: the sender reconnects and resumes by itself (every event is
 * delivered and recorded delivered, lost: 0); no event is stored twice; every pair accepted twice
 * is explained by an attempt whose outcome could not be recorded (the connection was cut under
 * it). The figures printed: kills, backends cut, publishes that failed, duplicates.
 */
class PostgresConnectionsCutTest {
  static final int EVENTS = 3_000;
  static final int TENANTS = 10;
  static final int MIN_CUTS = 10;
  static final Duration CUT_EVERY = Duration.ofMillis(200);
  static final Duration WAIT = Duration.ofSeconds(90);

  UrlDataSource database;
  final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    if (database != null) {
      TestDatabases.dropPostgresSchema(database);
    }
  }

  <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  @Test
  void connectionsCutRepeatedlyMidBurst_senderReconnectsAndResumes_noneLost() throws Exception {
    database = TestDatabases.postgres();
    String application = "webhooks-cut-" + UUID.randomUUID().toString().substring(0, 8);
    PooledTestDataSource pool = closeLater(new PooledTestDataSource(
        database.url() + "&ApplicationName=" + application, SenderNodes.POOL_SIZE));
    CountingReceiver receiver = closeLater(CountingReceiver.start(Duration.ZERO, (path, id, arrival) -> 200));
    JdbcWebhookStore store = closeLater(JdbcWebhookStore.builder(pool).listenForNotifications(true).build());
    SenderNodes.Counts counts = new SenderNodes.Counts();
    // A 1 s timeout allows the shortest lease, 14 s: an outcome whose record was cut off is
    // attempted again after it.
    WebhookSender sender = closeLater(SenderNodes.sender(store).timeout(Duration.ofSeconds(1))
        .lease(Duration.ofSeconds(14)).listener(counts).build());
    for (int t = 0; t < TENANTS; t++) {
      sender.subscriptions().create(SenderNodes.tenant(t, TENANTS),
          SubscriptionSpec.builder().url(receiver.url(t)).events("*").build());
    }
    sender.start();

    // The cutter: every 200 ms, every backend of the pool, until the burst is published and at
    // least MIN_CUTS rounds were made.
    AtomicBoolean published = new AtomicBoolean();
    AtomicInteger rounds = new AtomicInteger();
    AtomicInteger backendsCut = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(3);
    Map<String, AtomicInteger> publishFailures = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    try {
      Future<?> cutter = threads.submit(() -> {
        try (Connection c = DriverManager.getConnection(TestDatabases.POSTGRES_URL);
            PreparedStatement p = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                + "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = ?")) {
          p.setString(1, application);
          while (!published.get() || rounds.get() < MIN_CUTS) {
            LockSupport.parkNanos(CUT_EVERY.toNanos());
            try (ResultSet r = p.executeQuery()) {
              r.next();
              backendsCut.addAndGet(r.getInt(1));
            }
            rounds.incrementAndGet();
          }
        }
        return null;
      });
      List<Future<Integer>> publishers = new ArrayList<>();
      for (int half = 0; half < 2; half++) {
        int first = half;
        publishers.add(threads.submit(() -> publishEvery(sender, first, 2, publishFailures)));
      }
      int publishedEvents = 0;
      for (Future<Integer> f : publishers) {
        publishedEvents += f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      }
      published.set(true);
      cutter.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(EVENTS, publishedEvents, "events accepted by publish");
    } finally {
      published.set(true);
      threads.shutdownNow();
    }
    long publishedAt = System.nanoTime();

    // Every event received, and every delivery recorded delivered (an outcome whose record was cut
    // off is recorded when the delivery is attempted again, after its lease).
    Connection check = closeLater(database.getConnection());
    boolean all = SenderNodes.awaitUntil(WAIT, () -> receiver.acceptedPairs() >= EVENTS
        && count(check, "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'delivered'") >= EVENTS);
    long allReceived = System.nanoTime();
    sender.close();

    int deliveries = 0;
    int notDelivered = 0;
    int attemptRows = 0;
    int unrecorded = 0;
    int unexplained = 0;
    String firstProblem = null;
    try (Connection c = database.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT d.event_id, s.url, d.status, COUNT(a.delivery_id) FROM webhook_delivery d "
            + "JOIN webhook_subscription s ON s.id = d.subscription_id "
            + "LEFT JOIN webhook_attempt a ON a.delivery_id = d.id GROUP BY d.id, s.url")) {
      while (r.next()) {
        deliveries++;
        String pair = CountingReceiver.pair(URI.create(r.getString(2)).getPath(), r.getString(1));
        if (!r.getString(3).equals("delivered")) {
          notDelivered++;
          firstProblem = firstProblem != null ? firstProblem : pair + " is " + r.getString(3);
        }
        int attempts = r.getInt(4);
        attemptRows += attempts;
        int lostOutcomes = Math.max(0, receiver.received(pair) - attempts);
        unrecorded += lostOutcomes;
        if (receiver.accepted(pair) - 1 > lostOutcomes) {
          unexplained++;
          firstProblem = firstProblem != null ? firstProblem
              : pair + " accepted " + receiver.accepted(pair) + " times, " + attempts + " attempts recorded";
        }
      }
    }
    int events = count(check, "SELECT COUNT(*) FROM webhook_event");
    int failedPublishes = publishFailures.values().stream().mapToInt(AtomicInteger::get).sum();
    System.out.printf("PostgresConnectionsCutTest: events=%d deliveries=%d delivered=%d lost=%d duplicated=%d "
            + "requests=%d attemptsRecorded=%d requestsWithoutRecordedOutcome=%d; cut rounds=%d backendsCut=%d "
            + "publishesFailed=%d %s (each published again with its key); published in %.2f s, all received and "
            + "recorded %.2f s later%n",
        events, deliveries, deliveries - notDelivered, EVENTS - receiver.acceptedPairs(), receiver.duplicates(),
        receiver.requests(), attemptRows, unrecorded, rounds.get(), backendsCut.get(), failedPublishes,
        publishFailures, (publishedAt - start) / 1e9, (allReceived - publishedAt) / 1e9);

    assertTrue(all, "accepted " + receiver.acceptedPairs() + " of " + EVENTS + ", " + (deliveries - notDelivered)
        + " recorded delivered, within " + WAIT + "; " + counts);
    assertTrue(backendsCut.get() >= MIN_CUTS, "backends cut: " + backendsCut.get());
    assertEquals(EVENTS, events, "events stored: one per idempotency key");
    assertEquals(EVENTS, deliveries, "one delivery per event");
    assertEquals(0, notDelivered, firstProblem);
    assertEquals(EVENTS, receiver.receivedPairs().size(), "pairs received, none unknown");
    assertEquals(0, receiver.overlaps(), () -> "one delivery attempted twice at once: " + receiver.firstOverlap());
    assertEquals(0, unexplained, firstProblem);
  }

  /** Publishes events first, first + step, …; one that throws is published again with its key. */
  static int publishEvery(WebhookSender sender, int first, int step, Map<String, AtomicInteger> failures) {
    int n = 0;
    for (int i = first; i < EVENTS; i += step) {
      for (int tries = 1; ; tries++) {
        try {
          sender.publish(SenderNodes.tenant(i, TENANTS), SenderNodes.TYPE, Map.of("n", i), "event-" + i);
          n++;
          break;
        } catch (RuntimeException e) {
          failures.computeIfAbsent(sqlState(e), k -> new AtomicInteger()).incrementAndGet();
          if (tries == 50) {
            throw e;
          }
        }
      }
    }
    return n;
  }

  static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException) {
        return String.valueOf(((SQLException) t).getSQLState());
      }
    }
    return e.getClass().getSimpleName();
  }

  static int count(Connection c, String sql) {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}

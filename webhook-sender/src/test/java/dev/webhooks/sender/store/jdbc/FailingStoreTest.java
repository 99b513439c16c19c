package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.TestClock;
import dev.webhooks.sender.WebhookSender;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault 3 of the reliability suite: a store whose database fails at random. The sender's
 * {@link JdbcWebhookStore} runs on a {@link FlakyDataSource}: each connection borrowed, statement
 * run, commit, rollback or auto-commit switch fails with probability {@value #FAILURE_RATE}, with a
 * transient, a connection-lost or an internal-error SQLState, on an H2 file and on PostgreSQL. One
 * thread publishes {@value #EVENTS} events, each to three endpoints, and drives dispatch with
 * {@link WebhookSender#dispatchDueNow()} and a {@link TestClock} one second a round, so that the
 * lease of a claim whose outcome could not be recorded runs out in a few rounds.
 *
 * <p>It proves: a publish either succeeds fully (one event and three deliveries more in the tables,
 * read on a connection that does not fail) or throws and leaves nothing behind (no row more); a
 * publish that threw, published again, is stored once; every event a publish accepted is delivered
 * to every endpoint and recorded delivered (lost: 0), with each pair accepted twice explained by an
 * attempt whose outcome could not be recorded.
 */
class FailingStoreTest {
  static final String TENANT = "tenant-flaky";
  static final int ENDPOINTS = 3;
  static final int EVENTS = 400;
  static final double FAILURE_RATE = 0.05;
  static final Duration LEASE = Duration.ofSeconds(14);
  static final int MAX_ROUNDS = 2_000;

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

  @Test
  void h2File_storeFailingAtRandom_publishAllOrNothing_noAcceptedEventLost() throws Exception {
    failingStore("h2", TestDatabases.h2(folder).url());
  }

  @Test
  void postgres_storeFailingAtRandom_publishAllOrNothing_noAcceptedEventLost() throws Exception {
    postgres = TestDatabases.postgres();
    failingStore("postgres", postgres.url());
  }

  void failingStore(String database, String url) throws Exception {
    PooledTestDataSource pool = closeLater(new PooledTestDataSource(url, 8));
    FlakyDataSource flaky = FlakyDataSource.random(pool, 20_260_501L);
    CountingReceiver receiver = closeLater(CountingReceiver.start(Duration.ZERO, (path, id, arrival) -> 200));
    TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    JdbcWebhookStore store = closeLater(JdbcWebhookStore.builder(flaky).clock(clock).build());
    WebhookSender sender = closeLater(SenderNodes.sender(store).clock(clock).timeout(Duration.ofSeconds(1))
        .lease(LEASE).build());
    for (int i = 0; i < ENDPOINTS; i++) {
      sender.subscriptions().create(TENANT, SubscriptionSpec.builder().url(receiver.url(i)).events("*").build());
    }
    Connection check = closeLater(pool.getConnection()); // never fails: the tables as they are

    flaky.failureRate(FAILURE_RATE);
    long start = System.nanoTime();
    int publishes = 0;
    int publishFailures = 0;
    int leftBehind = 0;
    int notFull = 0;
    int dispatchFailures = 0;
    List<String> accepted = new ArrayList<>();
    for (int n = 0; n < EVENTS; n++) {
      while (true) {
        int[] before = rows(check);
        publishes++;
        try {
          PublishResult r = sender.publish(TENANT, SenderNodes.TYPE, Map.of("n", n));
          int[] after = rows(check);
          if (r.deliveries() != ENDPOINTS || after[0] != before[0] + 1 || after[1] != before[1] + ENDPOINTS) {
            notFull++;
          }
          accepted.add(r.eventId());
          break;
        } catch (RuntimeException e) {
          publishFailures++;
          int[] after = rows(check);
          if (after[0] != before[0] || after[1] != before[1]) {
            leftBehind++;
          }
        }
      }
      if (n % 20 == 19) {
        dispatchFailures += round(sender, clock);
      }
    }
    int rounds = 0;
    while (rounds < MAX_ROUNDS && count(check, "SELECT COUNT(*) FROM webhook_delivery WHERE status = 'delivered'")
        < EVENTS * ENDPOINTS) {
      dispatchFailures += round(sender, clock);
      rounds++;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    flaky.failureRate(0);

    int lost = 0;
    for (String id : accepted) {
      for (int i = 0; i < ENDPOINTS; i++) {
        if (receiver.accepted(CountingReceiver.pair(CountingReceiver.path(i), id)) == 0) {
          lost++;
        }
      }
    }
    int deliveries = 0;
    int notDelivered = 0;
    int attemptRows = 0;
    int unrecorded = 0;
    int unexplained = 0;
    String firstProblem = null;
    try (Statement s = check.createStatement();
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
    System.out.printf("FailingStoreTest[%s]: events=%d deliveries=%d delivered=%d lost=%d duplicated=%d requests=%d "
            + "attemptsRecorded=%d requestsWithoutRecordedOutcome=%d; failure rate %.2f, failures injected=%d %s; "
            + "publishes=%d failed=%d (left something behind: %d; succeeded only in part: %d); dispatch rounds that "
            + "threw=%d; rounds after the burst=%d; %.2f s%n",
        database, events, deliveries, deliveries - notDelivered, lost, receiver.duplicates(), receiver.requests(),
        attemptRows, unrecorded, FAILURE_RATE, flaky.injectedTotal(), flaky.injected(), publishes, publishFailures,
        leftBehind, notFull, dispatchFailures, rounds, seconds);

    assertTrue(publishFailures > 0, "no publish failed: nothing was tested");
    assertEquals(0, leftBehind, "publishes that threw but left rows behind");
    assertEquals(0, notFull, "publishes that returned but did not store the event and its deliveries");
    assertEquals(EVENTS, events, "events stored: the accepted ones, once each");
    assertEquals(EVENTS * ENDPOINTS, deliveries);
    assertEquals(0, notDelivered, firstProblem);
    assertEquals(0, lost, "accepted events not delivered");
    assertEquals(0, receiver.overlaps(), () -> "one delivery attempted twice at once: " + receiver.firstOverlap());
    assertEquals(0, unexplained, firstProblem);
  }

  /** One dispatch round (which a failing store may cut short), then a second later. */
  static int round(WebhookSender sender, TestClock clock) {
    try {
      sender.dispatchDueNow();
      return 0;
    } catch (RuntimeException e) {
      return 1;
    } finally {
      clock.advance(Duration.ofSeconds(1));
    }
  }

  /** Events and deliveries in the tables. */
  static int[] rows(Connection c) throws SQLException {
    return new int[] {count(c, "SELECT COUNT(*) FROM webhook_event"), count(c, "SELECT COUNT(*) FROM webhook_delivery")};
  }

  static int count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getInt(1);
    }
  }
}

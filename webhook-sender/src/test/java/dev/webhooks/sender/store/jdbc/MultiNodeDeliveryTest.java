package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.WebhookSender;
import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Several sender nodes on one PostgreSQL database share the work safely: three nodes, two in this
 * JVM (each with its own store and connection pool, one listening for notifications, one polling)
 * and one in a child JVM (listening), publish 5,000 events between them, each to one of 10 tenants
 * with one subscription each ({@code *}): 5,000 deliveries to 10 loopback endpoints. The receiver
 * refuses the first request of about one pair in 20 with a 500, so retries are claimed across nodes
 * too.
 *
 * <p>It proves: every delivery arrives and is recorded delivered; no delivery is ever attempted by
 * two nodes at once (the receiver sees no overlapping requests of one pair, and the database holds
 * an attempt for every request the receiver got: a second claimant's attempt would have its record
 * refused and show up as a request without one); a pair accepted twice is only ever explained by
 * an attempt whose answer the sender never learned, a timeout or a lost outcome (none is lost
 * while every node stays up, and none times out on loopback unless the machine stalls); every node
 * delivered a share, and the nodes' own counts add up to exactly 5,000.
 */
class MultiNodeDeliveryTest {
  static final int EVENTS = 5_000;
  static final int TENANTS = 10;
  static final int NODES = 3;
  static final Duration WAIT = Duration.ofSeconds(60);

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

  /** The first request of about one pair in 20, chosen by the event id, is refused. */
  static int refuseSomeFirstAttempts(String path, String webhookId, int arrival) {
    return arrival == 1 && Math.floorMod(webhookId.hashCode(), 20) == 0 ? 500 : 200;
  }

  @Test
  void threeNodesOnePostgres_deliverEveryEvent_neverAttemptingOneDeliveryTwiceAtOnce() throws Exception {
    database = TestDatabases.postgres();
    CountingReceiver receiver = closeLater(CountingReceiver.start(Duration.ofMillis(1),
        MultiNodeDeliveryTest::refuseSomeFirstAttempts));

    // Node A listens for notifications; node B only polls (every 50 ms).
    JdbcWebhookStore storeA = closeLater(JdbcWebhookStore.builder(
        closeLater(new PooledTestDataSource(database.url(), SenderNodes.POOL_SIZE))).listenForNotifications(true).build());
    JdbcWebhookStore storeB = closeLater(JdbcWebhookStore.create(
        closeLater(new PooledTestDataSource(database.url(), SenderNodes.POOL_SIZE))));
    SenderNodes.Counts countsA = new SenderNodes.Counts();
    SenderNodes.Counts countsB = new SenderNodes.Counts();
    WebhookSender nodeA = closeLater(SenderNodes.sender(storeA).listener(countsA).build());
    WebhookSender nodeB = closeLater(SenderNodes.sender(storeB).listener(countsB).build());
    for (int t = 0; t < TENANTS; t++) {
      nodeA.subscriptions().create(SenderNodes.tenant(t, TENANTS),
          SubscriptionSpec.builder().url(receiver.url(t)).events("*").build());
    }

    long start = System.nanoTime();
    ChildJvm child = closeLater(ChildJvm.start("multi-node-C", SenderNodeMain.class, database.url(),
        String.valueOf(EVENTS), String.valueOf(NODES), "0", String.valueOf(TENANTS)));
    nodeA.start();
    nodeB.start();
    child.awaitLine(WAIT, "started"::equals);
    long childReady = System.nanoTime();

    // The three nodes publish their thirds at the same time.
    ExecutorService publishers = Executors.newFixedThreadPool(2);
    try {
      Future<Integer> byA = publishers.submit(() -> SenderNodeMain.publishShare(nodeA, EVENTS, NODES, 1, TENANTS));
      Future<Integer> byB = publishers.submit(() -> SenderNodeMain.publishShare(nodeB, EVENTS, NODES, 2, TENANTS));
      String byC = child.awaitLine(WAIT, l -> l.startsWith("published="));
      assertEquals(EVENTS, byA.get(60, TimeUnit.SECONDS) + byB.get(60, TimeUnit.SECONDS)
          + Integer.parseInt(byC.substring("published=".length())));
    } finally {
      publishers.shutdownNow();
    }

    boolean all = SenderNodes.awaitUntil(WAIT, () -> receiver.acceptedPairs() >= EVENTS);
    long allReceived = System.nanoTime();
    assertTrue(all, () -> "accepted " + receiver.acceptedPairs() + " of " + EVENTS + " within " + WAIT
        + "; A " + countsA + ", B " + countsB + "\n" + child.output());

    child.send("stop");
    assertEquals(0, child.awaitExit(Duration.ofSeconds(30)), child::output);
    nodeA.close();
    nodeB.close();
    String summaryC = child.awaitLine(Duration.ZERO, l -> l.startsWith("delivered="));
    int deliveredC = Integer.parseInt(summaryC.substring("delivered=".length(), summaryC.indexOf(' ')));

    // The database's account of every delivery: its pair, its status, its attempts (all, and
    // those that got an answer; a timed-out attempt is recorded without one).
    int deliveries = 0;
    int notDelivered = 0;
    int attemptRows = 0;
    int timedOut = 0;
    int outcomesLost = 0;
    int answersNeverGiven = 0;
    int unexplainedDuplicates = 0;
    String firstProblem = null;
    try (Connection c = database.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT d.event_id, s.url, d.status, COUNT(a.delivery_id), "
            + "COUNT(a.delivery_id) FILTER (WHERE a.http_status = 0) FROM webhook_delivery d "
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
        int unanswered = r.getInt(5);
        attemptRows += attempts;
        timedOut += unanswered;
        // A request with no attempt recorded for it: a node attempted and lost the outcome, which
        // is what a second claimant of the same delivery would cause (its record is refused).
        int lost = Math.max(0, receiver.received(pair) - attempts);
        outcomesLost += lost;
        answersNeverGiven += Math.max(0, attempts - unanswered - receiver.received(pair));
        // A second 2xx needs an attempt whose answer the sender never learned: lost, or timed out.
        if (receiver.accepted(pair) - 1 > lost + unanswered) {
          unexplainedDuplicates++;
          firstProblem = firstProblem != null ? firstProblem
              : pair + " accepted " + receiver.accepted(pair) + " times, " + attempts + " attempts recorded";
        }
      }
    }
    int events = count("SELECT COUNT(*) FROM webhook_event");
    double seconds = (allReceived - start) / 1e9;

    System.out.printf("MultiNodeDeliveryTest: events=%d deliveries=%d requests=%d attemptsRecorded=%d "
            + "timedOut=%d outcomesLost=%d duplicates=%d overlaps=%d delivered by A=%d B=%d C=%d "
            + "(attempts A=%d B=%d C=%s) childStartup=%.2fs publishToAllReceived=%.2fs total=%.2fs "
            + "(%.0f deliveries/s)%n",
        events, deliveries, receiver.requests(), attemptRows, timedOut, outcomesLost, receiver.duplicates(),
        receiver.overlaps(), countsA.delivered.get(), countsB.delivered.get(), deliveredC, countsA.attempts.get(),
        countsB.attempts.get(), summaryC.substring(summaryC.indexOf("attempts=") + "attempts=".length()),
        (childReady - start) / 1e9, (allReceived - childReady) / 1e9, seconds, EVENTS / seconds);

    assertEquals(EVENTS, events, "events stored");
    assertEquals(EVENTS, deliveries, "one delivery per event (one subscription per tenant)");
    assertEquals(EVENTS, receiver.receivedPairs().size(), "pairs received, none unknown");
    assertEquals(0, notDelivered, firstProblem);
    assertEquals(0, receiver.overlaps(), () -> "one delivery attempted twice at once: " + receiver.firstOverlap());
    // Every node stayed up: each request the receiver got has its attempt recorded; none was lost.
    assertEquals(0, outcomesLost, "requests with no attempt recorded although every node stayed up");
    assertEquals(0, answersNeverGiven, "attempts recorded with an answer the receiver never gave");
    assertEquals(0, unexplainedDuplicates, firstProblem);
    assertEquals(EVENTS, countsA.delivered.get() + countsB.delivered.get() + deliveredC, "deliveries counted by the nodes");
    assertTrue(countsA.delivered.get() > 0 && countsB.delivered.get() > 0 && deliveredC > 0,
        () -> "every node delivers a share: A " + countsA + ", B " + countsB + ", C " + summaryC);
  }

  int count(String sql) throws SQLException {
    try (Connection c = database.getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getInt(1);
    }
  }
}

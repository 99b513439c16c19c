package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.WebhookSender;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery survives the death of the sender's process, on an H2 file and on PostgreSQL. A child
 * JVM publishes a burst of events (half of them with {@code publish(connection, …)} in its own
 * transactions) to two loopback endpoints while its started sender delivers them, and is killed
 * with SIGKILL midway. A second child JVM commits {@value CrashingPublisherMain#OUTBOX_EVENTS}
 * outbox publishes and halts the instant after the last commit. Then a new sender, in this JVM, on
 * the same database, must deliver every remaining event.
 *
 * <p>It proves: every event whose commit a child reported is in the database (commit then
 * immediate process death loses nothing); every delivery of every stored event reaches the
 * receiver, which stays up across all three JVMs (lost deliveries: 0); nothing reaches it that was
 * never committed; and every pair accepted twice is explained, by the dead node's unfinished claim
 * (its answer was never recorded) or by an attempt recorded without an answer (a timeout). The
 * number of duplicates is printed, with the requests in flight at the kill.
 */
class CrashRecoveryTest {
  static final String TENANT = "tenant-crash";
  static final int ENDPOINTS = 2;
  /** The burst is killed once this many events are committed and this many deliveries arrived. */
  static final int KILL_AFTER_COMMITTED = 600;
  static final int KILL_AFTER_ACCEPTED = 200;
  static final Duration WAIT = Duration.ofSeconds(60);
  /**
   * The recovering node's clock runs a minute ahead. The dead node's claims hold leases of {@link
   * SenderNodes#LEASE} (18 s) from its last claim; to the new node they have already expired, so it
   * takes them over at once instead of after 18 s of wall-clock time. Deliveries due now are due to
   * it as well; only the signatures' timestamps move (the receiver here does not verify them).
   */
  static final Clock AHEAD = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1));

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
  void h2File_senderKilledMidBurst_newSenderDeliversEveryCommittedEvent() throws Exception {
    killMidBurstThenRecover("h2", TestDatabases.h2(folder).url());
  }

  @Test
  void postgres_senderKilledMidBurst_newSenderDeliversEveryCommittedEvent() throws Exception {
    postgres = TestDatabases.postgres();
    killMidBurstThenRecover("postgres", postgres.url());
  }

  void killMidBurstThenRecover(String label, String url) throws Exception {
    boolean isPostgres = url.startsWith("jdbc:postgresql:");
    // Requests are held 5 ms, so that the kill finds some in flight: answered here, never heard there.
    CountingReceiver receiver = closeLater(CountingReceiver.start(Duration.ofMillis(5), (path, id, arrival) -> 200));
    // The subscriptions first; then this JVM holds no connection while a child runs (an H2 file
    // database is open in one process at a time).
    try (PooledTestDataSource pool = new PooledTestDataSource(url, 2);
        JdbcWebhookStore store = JdbcWebhookStore.create(pool);
        WebhookSender setup = SenderNodes.sender(store).build()) {
      for (int i = 0; i < ENDPOINTS; i++) {
        setup.subscriptions().create(TENANT, SubscriptionSpec.builder().url(receiver.url(i)).events("*").build());
      }
    }

    // 1. A burst, killed midway: events committed, some delivered, some attempts in flight.
    long start = System.nanoTime();
    ChildJvm burst = closeLater(ChildJvm.start(label + "-burst", CrashingPublisherMain.class, url, "burst", TENANT));
    SenderNodes.awaitUntil(WAIT, () -> !burst.isAlive()
        || committed(burst).size() >= KILL_AFTER_COMMITTED && receiver.acceptedPairs() >= KILL_AFTER_ACCEPTED);
    assertTrue(burst.isAlive(), burst::output);
    assertTrue(committed(burst).size() >= KILL_AFTER_COMMITTED && receiver.acceptedPairs() >= KILL_AFTER_ACCEPTED,
        () -> "the burst did not get going within " + WAIT + ": " + receiver.acceptedPairs() + " accepted\n"
            + burst.output());
    int inFlightAtKill = receiver.inFlight();
    burst.kill();
    long killed = System.nanoTime();
    assertTrue(burst.line("burst done"::equals).isEmpty(), "killed in the middle of the burst");
    int acceptedBeforeRecovery = receiver.acceptedPairs();

    // 2. Outbox publishes committed, then the process dies at once.
    ChildJvm outbox = closeLater(ChildJvm.start(label + "-commit-then-halt", CrashingPublisherMain.class, url,
        "commit-then-halt", TENANT));
    assertEquals(0, outbox.awaitExit(WAIT), outbox::output);
    assertEquals(CrashingPublisherMain.OUTBOX_EVENTS, committed(outbox).size(), outbox::output);

    // 3. What survived: every event a child reported committed should be stored.
    PooledTestDataSource pool = closeLater(new PooledTestDataSource(url, SenderNodes.POOL_SIZE));
    List<String> burstCommits = committed(burst);
    List<String> outboxCommits = committed(outbox);
    Set<String> stored = eventIds(pool);
    long lostOfBurst = burstCommits.stream().filter(id -> !stored.contains(id)).count();
    long lostOfOutbox = outboxCommits.stream().filter(id -> !stored.contains(id)).count();
    int firstLostOfBurst = (int) burstCommits.stream().takeWhile(stored::contains).count() + 1;
    Map<String, Delivery> before = deliveries(pool);
    Set<String> leasedAtRestart = before.entrySet().stream().filter(e -> e.getValue().leased())
        .map(Map.Entry::getKey).collect(Collectors.toSet());
    long deliveredBeforeRecovery = before.values().stream().filter(d -> d.status().equals("delivered")).count();

    // 4. A new sender on the same database delivers what is left.
    SenderNodes.Counts counts = new SenderNodes.Counts();
    JdbcWebhookStore store = closeLater(JdbcWebhookStore.builder(pool).listenForNotifications(isPostgres).build());
    WebhookSender recovering = closeLater(SenderNodes.sender(store).clock(AHEAD).listener(counts).build());
    long recoveryStart = System.nanoTime();
    recovering.start();
    boolean all = SenderNodes.awaitUntil(WAIT, () -> before.keySet().stream().allMatch(p -> receiver.accepted(p) > 0));
    long recovered = System.nanoTime();
    recovering.close();

    Map<String, Delivery> after = deliveries(pool);
    Set<String> lost = new TreeSet<>();
    Set<String> duplicated = new TreeSet<>();
    Set<String> unexplained = new TreeSet<>();
    for (Map.Entry<String, Delivery> e : after.entrySet()) {
      String pair = e.getKey();
      int accepted = receiver.accepted(pair);
      if (accepted == 0) {
        lost.add(pair);
      } else if (accepted > 1) {
        duplicated.add(pair);
        // Explained by an answer the dead node never recorded (its claim was still leased), or a timeout.
        if (!leasedAtRestart.contains(pair) && e.getValue().unansweredAttempts() == 0) {
          unexplained.add(pair);
        }
      }
    }
    Set<String> phantoms = new TreeSet<>(receiver.receivedPairs());
    phantoms.removeAll(after.keySet());
    long notDelivered = after.values().stream().filter(d -> !d.status().equals("delivered")).count();

    System.out.printf("CrashRecoveryTest[%s]: committed burst=%d outbox=%d, missing after the kills burst=%d "
            + "outbox=%d; storedEvents=%d deliveries=%d deliveredBeforeKill=%d inFlightAtKill=%d leasedAtRestart=%d "
            + "deliveredByRecoveringNode=%d lost=%d duplicates=%d (pairs %d, unexplained %d) "
            + "phantoms=%d requests=%d killedAfter=%.2fs recoverySeconds=%.2f%n",
        label, burstCommits.size(), outboxCommits.size(), lostOfBurst, lostOfOutbox, stored.size(), after.size(),
        deliveredBeforeRecovery, inFlightAtKill, leasedAtRestart.size(), counts.delivered.get(), lost.size(),
        receiver.duplicates(), duplicated.size(), unexplained.size(), phantoms.size(), receiver.requests(),
        (killed - start) / 1e9, (recovered - recoveryStart) / 1e9);

    // Commit then immediate process death loses nothing.
    assertTrue(lostOfBurst + lostOfOutbox == 0, () -> "events reported committed are missing from the database "
        + "after the kills: " + lostOfBurst + " of the burst's " + burstCommits.size() + " (the first is commit #"
        + firstLostOfBurst + "), and " + lostOfOutbox + " of the " + outboxCommits.size()
        + " outbox commits made just before the halt");
    assertEquals(Set.of(), phantoms, "requests for events that are not stored");
    assertEquals(stored.size() * ENDPOINTS, after.size(), "one delivery per stored event and endpoint");
    assertTrue(all, () -> "not every delivery arrived within " + WAIT + "; e.g. " + lost.stream().limit(5).toList());
    assertEquals(Set.of(), lost, "deliveries lost");
    assertEquals(0, notDelivered, "deliveries not recorded delivered");
    assertEquals(Set.of(), unexplained, "pairs accepted twice with no lost outcome to explain it");
    assertEquals(after.size() - deliveredBeforeRecovery, counts.delivered.get(),
        "the recovering node delivered exactly what was left");
  }

  /** The event ids a child printed as committed. */
  static List<String> committed(ChildJvm child) {
    return child.lines().stream().filter(l -> l.startsWith("committed ")).map(l -> l.substring("committed ".length()))
        .toList();
  }

  static Set<String> eventIds(PooledTestDataSource pool) throws SQLException {
    Set<String> ids = new HashSet<>();
    try (Connection c = pool.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT id FROM webhook_event WHERE tenant_id = ?")) {
      p.setString(1, TENANT);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          ids.add(r.getString(1));
        }
      }
    }
    return ids;
  }

  /** A delivery as the database has it. */
  record Delivery(String status, boolean leased, int unansweredAttempts) {}

  /** Every delivery of the tenant, by pair. */
  static Map<String, Delivery> deliveries(PooledTestDataSource pool) throws SQLException {
    Map<String, Delivery> out = new HashMap<>();
    try (Connection c = pool.getConnection();
        PreparedStatement p = c.prepareStatement("SELECT d.event_id, s.url, d.status, d.lease_token, "
            + "(SELECT COUNT(*) FROM webhook_attempt a WHERE a.delivery_id = d.id AND a.http_status = 0) "
            + "FROM webhook_delivery d JOIN webhook_subscription s ON s.id = d.subscription_id "
            + "WHERE d.tenant_id = ?")) {
      p.setString(1, TENANT);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          out.put(CountingReceiver.pair(URI.create(r.getString(2)).getPath(), r.getString(1)),
              new Delivery(r.getString(3), r.getString(4) != null, r.getInt(5)));
        }
      }
    }
    return out;
  }
}

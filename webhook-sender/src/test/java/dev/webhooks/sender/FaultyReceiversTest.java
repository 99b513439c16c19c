package dev.webhooks.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.FaultyReceiver.Fault;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.InMemoryWebhookStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fault 1 of the reliability suite: receivers that misbehave. Seven endpoints get every event:
 * one healthy, and six that each play one fault on about 30% of attempts (a seeded draw per
 * request): answer 500, reset the connection, close it halfway through the response, hang after
 * the headers, trickle the body one byte a second, or (on every answer, 500 or 200) send a 1 GiB
 * body. No delivery's 8th or later attempt is faulted, so each fits in its retry budget of 10.
 *
 * <p>It proves: every delivery is delivered (lost: 0) and none is accepted twice; every request the
 * receiver got has its attempt recorded; the healthy endpoint's deliveries are all in while the
 * hanging and trickling endpoints still have some to go (they never waited behind them); no
 * thread is exhausted (the sender's threads stay within its pool, and none outlives close()); no
 * memory is (the receiver could write only what the socket buffers take of each 1 GiB body before
 * the sender stopped reading at its 2 KiB excerpt; the excerpts recorded are within the cap).
 */
class FaultyReceiversTest {
  static final String TENANT = "tenant-faulty";
  static final String TYPE = "order.created";
  static final int EVENTS = 60;
  static final int HEALTHY = 0;
  /** Endpoint i plays FAULTS[i] on about FAULT_RATE of its attempts. */
  static final Fault[] FAULTS = {Fault.NONE, Fault.ERROR_500, Fault.RESET, Fault.CLOSE_MID_RESPONSE,
      Fault.HANG_AFTER_HEADERS, Fault.TRICKLE, Fault.HUGE_BODY_500};
  static final int HANG = 4;
  static final int TRICKLE = 5;
  static final int HUGE = 6;
  static final double FAULT_RATE = 0.3;
  /** Attempts from this one on are never faulted: the retry budget (10 attempts) always suffices. */
  static final int FAULT_FREE_FROM = 8;
  static final int WORKERS = 32;
  static final Duration TIMEOUT = Duration.ofSeconds(1);
  static final Duration WAIT = Duration.ofSeconds(120);

  FaultyReceiver receiver;
  WebhookSender sender;

  @AfterEach
  void tearDown() throws Exception {
    if (sender != null) {
      sender.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  /** One seeded draw per request and endpoint: the fault pattern is the same from run to run. */
  static FaultyReceiver.Rule rule() {
    Random[] draws = new Random[FAULTS.length];
    for (int i = 0; i < draws.length; i++) {
      draws[i] = new Random(7919L * (i + 1));
    }
    return (endpoint, webhookId, arrival) -> {
      boolean fault;
      synchronized (draws[endpoint]) {
        fault = draws[endpoint].nextDouble() < FAULT_RATE;
      }
      if (endpoint == HUGE) {
        return fault && arrival < FAULT_FREE_FROM ? Fault.HUGE_BODY_500 : Fault.HUGE_BODY_200;
      }
      return fault && arrival < FAULT_FREE_FROM ? FAULTS[endpoint] : Fault.NONE;
    };
  }

  @Test
  void misbehavingReceivers_everyEventDelivered_healthyEndpointUnaffected_noThreadOrMemoryExhausted()
      throws Exception {
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
    System.gc();
    long heapBefore = Faults.usedHeap();

    receiver = FaultyReceiver.start(FAULTS.length, Duration.ZERO, HEALTHY, rule());
    InMemoryWebhookStore store = new InMemoryWebhookStore();
    sender = WebhookSender.builder()
        .catalog(EventCatalog.builder().event(TYPE, "An order was placed", null).build())
        .store(store)
        .urlPolicy(Faults.LOOPBACK)
        .timeout(TIMEOUT)
        .lease(Duration.ofSeconds(14))
        .workers(WORKERS)
        .pollInterval(Duration.ofMillis(50))
        .closeGrace(Duration.ofSeconds(5))
        // A short pause: the faulty endpoints fail several times in a row now and then.
        .circuitBreaker(5, Duration.ofMillis(200))
        .retryPolicy(RetryPolicy.schedule(List.of(Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofSeconds(1),
            Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1))))
        .build();
    Map<UUID, Integer> endpointOf = new HashMap<>();
    for (int i = 0; i < FAULTS.length; i++) {
      UUID id = sender.subscriptions().create(TENANT, SubscriptionSpec.builder().url(receiver.url(i)).events("*")
          .build()).subscription().id();
      endpointOf.put(id, i);
    }

    // Samples threads and heap while the run goes on.
    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicInteger peakSenderThreads = new AtomicInteger();
    AtomicLong peakHeap = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (sampling.get()) {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
          if (!before.contains(t) && !t.getName().startsWith("faulty-receiver-") && !t.getName().equals("sampler")) {
            n++;
          }
        }
        peakSenderThreads.accumulateAndGet(n, Math::max);
        peakHeap.accumulateAndGet(Faults.usedHeap(), Math::max);
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }, "sampler");
    sampler.setDaemon(true);
    sampler.start();

    long start = System.nanoTime();
    sender.start();
    for (int n = 0; n < EVENTS; n++) {
      assertEquals(FAULTS.length, sender.publish(TENANT, TYPE, Map.of("n", n)).deliveries());
    }
    // The healthy endpoint is done while the hanging and trickling ones still have work left.
    boolean healthyDone = Faults.awaitUntil(WAIT, () -> receiver.acceptedBy(HEALTHY) >= EVENTS);
    long healthyNanos = System.nanoTime() - start;
    int hangAcceptedThen = receiver.acceptedBy(HANG);
    int trickleAcceptedThen = receiver.acceptedBy(TRICKLE);
    int total = EVENTS * FAULTS.length;
    boolean allDone = Faults.awaitUntil(WAIT, () -> Faults.delivered(store, TENANT) >= total);
    long allNanos = System.nanoTime() - start;
    sampling.set(false);
    sampler.join();

    // The store's account: every delivery's status and attempts.
    int deliveries = 0;
    int notDelivered = 0;
    int attempts = 0;
    int maxAttempts = 0;
    int longestExcerpt = 0;
    int unrecorded = 0;
    int accepted = 0;
    List<String> problems = new ArrayList<>();
    for (DeliveryRecord d : Faults.allDeliveries(store, TENANT)) {
      deliveries++;
      int endpoint = endpointOf.get(d.subscriptionId());
      if (d.status() != DeliveryStatus.DELIVERED) {
        notDelivered++;
        problems.add(endpoint + " " + d.eventId() + " is " + d.status());
      }
      List<AttemptRecord> recorded = store.listAttempts(TENANT, d.id());
      attempts += recorded.size();
      maxAttempts = Math.max(maxAttempts, recorded.size());
      for (AttemptRecord a : recorded) {
        longestExcerpt = Math.max(longestExcerpt, a.responseExcerpt().length());
      }
      int received = receiver.received(endpoint, d.eventId());
      unrecorded += Math.max(0, received - recorded.size());
      accepted += Math.min(1, receiver.accepted(endpoint, d.eventId()));
    }
    int lost = total - accepted;
    System.gc();
    long heapAfter = Faults.usedHeap();

    System.out.printf("FaultyReceiversTest: events=%d deliveries=%d delivered=%d lost=%d duplicated=%d requests=%d "
            + "attempts=%d maxAttemptsOfOne=%d unrecordedRequests=%d overlaps=%d faults: %s; healthy endpoint "
            + "done in %.2f s (%d of its requests arrived during a hang, trickle or huge body; hang endpoint then "
            + "%d/%d, trickle %d/%d), all done in %.2f s; huge bodies: %d MiB written in all, at most %.1f MiB of one "
            + "1024 MiB body; longest excerpt %d chars; peak sender threads %d (workers %d); heap used after GC "
            + "%d MiB before, %d MiB after, peak %d MiB%n",
        EVENTS, deliveries, deliveries - notDelivered, lost, receiver.duplicates(), receiver.requests(), attempts,
        maxAttempts, unrecorded, receiver.overlaps(), receiver.faultCounts(), healthyNanos / 1e9,
        receiver.healthyDuringSlowFaults(), hangAcceptedThen, EVENTS, trickleAcceptedThen, EVENTS, allNanos / 1e9,
        receiver.hugeBytesTotal() / Faults.MIB, receiver.hugeBytesMax() / (double) Faults.MIB, longestExcerpt,
        peakSenderThreads.get(), WORKERS, heapBefore / Faults.MIB, heapAfter / Faults.MIB, peakHeap.get() / Faults.MIB);

    assertTrue(healthyDone, "the healthy endpoint got " + receiver.acceptedBy(HEALTHY) + " of " + EVENTS);
    assertTrue(allDone, () -> "delivered " + Faults.delivered(store, TENANT) + " of " + total + " within " + WAIT);
    assertEquals(total, deliveries, "one delivery per event and endpoint");
    assertEquals(0, notDelivered, () -> String.join("; ", problems));
    assertEquals(0, lost, "deliveries recorded delivered that the receiver never accepted");
    assertEquals(0, receiver.duplicates(), "deliveries accepted twice");
    assertEquals(0, receiver.overlaps(), () -> "one delivery attempted twice at once: " + receiver.firstOverlap());
    assertEquals(0, unrecorded, "requests the sender made without recording an attempt");
    assertEquals(receiver.requests(), attempts, "every attempt reached the receiver, and no other request did");
    for (int i = 1; i < FAULTS.length; i++) {
      Fault f = i == HUGE ? Fault.HUGE_BODY_500 : FAULTS[i];
      assertTrue(receiver.faults(f) > 0, "fault " + f + " was never played");
    }
    // Not waiting behind the faulty endpoints: the healthy one finished while they had work left.
    assertTrue(hangAcceptedThen < EVENTS && trickleAcceptedThen < EVENTS,
        "the hanging and trickling endpoints were done before the healthy one");
    // Memory: only what the socket buffers took of each 1 GiB body left the receiver.
    assertTrue(receiver.hugeBytesMax() < 64L * Faults.MIB, "a 1 GiB body was read to " + receiver.hugeBytesMax() + " bytes");
    assertTrue(longestExcerpt <= 2048, "excerpt of " + longestExcerpt + " chars");
    // Threads: the sender's stay within its pool (and a few of OkHttp's and its own loop).
    assertTrue(peakSenderThreads.get() <= WORKERS + 16, "peak of " + peakSenderThreads.get() + " sender threads");

    sender.close();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!before.contains(t) && t.getName().startsWith("webhooks-")) {
        t.join(5_000);
        assertFalse(t.isAlive(), () -> t.getName() + " still running after close()");
      }
    }
  }
}

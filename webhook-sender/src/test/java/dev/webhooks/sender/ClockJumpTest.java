package dev.webhooks.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.FaultyReceiver.Fault;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.InMemoryWebhookStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fault 4 of the reliability suite: the sender's clock jumps forward and back while deliveries
 * are in flight. A ticker moves the sender's {@link TestClock} 20 ms every 10 ms of real time, and
 * every 25 ticks jumps it, forward by 20 s to 2 min (past the 14 s lease, so that every claim in
 * flight looks expired) or back by 30 s to 5 min (so that retries and circuit pauses fall far in
 * the future); after {@value #JUMPS} jumps it runs 300 times faster than real time until
 * everything is delivered (again past the lease while a lane is still attempting). The receiver
 * holds each request 100 ms, so that attempts are in flight at every jump, and refuses the first
 * attempt of about a third of the deliveries, so that retries are scheduled across the jumps.
 *
 * <p>It proves: no delivery is stuck (all are delivered once the clock moves on); no delivery is
 * attempted twice in a row by the node without an outcome recorded in between (no request
 * overlaps another of the same delivery, and every request the receiver got has its attempt
 * recorded: a second attempt on a re-claim would have left the first without one); and none is
 * accepted twice.
 */
class ClockJumpTest {
  static final String TENANT = "tenant-clock";
  static final String TYPE = "order.created";
  static final int ENDPOINTS = 4;
  static final int EVENTS = 100;
  static final int JUMPS = 12;
  static final Duration LEASE = Duration.ofSeconds(14);
  static final Duration WAIT = Duration.ofSeconds(90);
  /** How far the clock moves every 10 ms once the jumps are over: 300 times real time. */
  static final Duration FAST = Duration.ofSeconds(3);

  FaultyReceiver receiver;
  WebhookSender sender;
  final AtomicBoolean ticking = new AtomicBoolean(true);
  Thread ticker;

  @AfterEach
  void tearDown() throws Exception {
    ticking.set(false);
    if (ticker != null) {
      ticker.join();
    }
    if (sender != null) {
      sender.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  /** The first attempt of about one delivery in three is refused. */
  static Fault refuseSomeFirstAttempts(int endpoint, String webhookId, int arrival) {
    return arrival == 1 && Math.floorMod((endpoint + " " + webhookId).hashCode(), 3) == 0 ? Fault.ERROR_500 : Fault.NONE;
  }

  @Test
  void clockJumpsForwardAndBack_noDeliveryStuck_noneAttemptedTwiceWithoutAnOutcome() throws Exception {
    receiver = FaultyReceiver.start(ENDPOINTS, Duration.ofMillis(100), -1, ClockJumpTest::refuseSomeFirstAttempts);
    TestClock clock = new TestClock(Instant.parse("2030-01-01T00:00:00Z"));
    InMemoryWebhookStore store = new InMemoryWebhookStore();
    sender = WebhookSender.builder()
        .catalog(EventCatalog.builder().event(TYPE, "An order was placed", null).build())
        .store(store)
        .clock(clock)
        .urlPolicy(Faults.LOOPBACK)
        .timeout(Duration.ofSeconds(1))
        .lease(LEASE)
        .pollInterval(Duration.ofMillis(20))
        .closeGrace(Duration.ofSeconds(5))
        .retryPolicy(RetryPolicy.schedule(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
            Duration.ofSeconds(8), Duration.ofSeconds(16), Duration.ofSeconds(32), Duration.ofMinutes(1),
            Duration.ofMinutes(2), Duration.ofMinutes(5))))
        .build();
    Map<UUID, Integer> endpointOf = new HashMap<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      endpointOf.put(sender.subscriptions().create(TENANT, SubscriptionSpec.builder().url(receiver.url(i))
          .events("*").build()).subscription().id(), i);
    }

    AtomicInteger forward = new AtomicInteger();
    AtomicInteger back = new AtomicInteger();
    AtomicLong jumpedForward = new AtomicLong();
    AtomicLong jumpedBack = new AtomicLong();
    ticker = new Thread(() -> {
      Random random = new Random(42);
      for (int tick = 1; ticking.get(); tick++) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        int jumps = forward.get() + back.get();
        if (jumps >= JUMPS) {
          clock.advance(FAST); // past the lease within a lane
        } else if (tick % 25 != 0) {
          clock.advance(Duration.ofMillis(20));
        } else if (jumps % 2 == 0) {
          long s = 20 + random.nextInt(101);
          clock.advance(Duration.ofSeconds(s));
          forward.incrementAndGet();
          jumpedForward.addAndGet(s);
        } else {
          long s = 30 + random.nextInt(271);
          clock.advance(Duration.ofSeconds(-s));
          back.incrementAndGet();
          jumpedBack.addAndGet(s);
        }
      }
    }, "clock-ticker");
    ticker.setDaemon(true);

    long start = System.nanoTime();
    sender.start();
    for (int n = 0; n < EVENTS; n++) {
      sender.publish(TENANT, TYPE, Map.of("n", n));
    }
    ticker.start();
    int total = EVENTS * ENDPOINTS;
    boolean allDone = Faults.awaitUntil(WAIT, () -> Faults.delivered(store, TENANT) >= total);
    double seconds = (System.nanoTime() - start) / 1e9;
    ticking.set(false);
    ticker.join();
    sender.close();

    int deliveries = 0;
    int notDelivered = 0;
    int attempts = 0;
    int unrecorded = 0;
    int accepted = 0;
    String firstProblem = null;
    for (DeliveryRecord d : Faults.allDeliveries(store, TENANT)) {
      deliveries++;
      int endpoint = endpointOf.get(d.subscriptionId());
      int recorded = store.listAttempts(TENANT, d.id()).size();
      int received = receiver.received(endpoint, d.eventId());
      attempts += recorded;
      accepted += Math.min(1, receiver.accepted(endpoint, d.eventId()));
      if (received > recorded) {
        unrecorded += received - recorded;
        firstProblem = firstProblem != null ? firstProblem
            : "endpoint " + endpoint + " event " + d.eventId() + ": " + received + " requests, " + recorded
                + " attempts recorded";
      }
      if (d.status() != DeliveryStatus.DELIVERED) {
        notDelivered++;
        firstProblem = firstProblem != null ? firstProblem : "endpoint " + endpoint + " event " + d.eventId()
            + " is " + d.status() + ", next attempt " + d.nextAttemptAt().orElse(null) + ", clock " + clock.instant();
      }
    }
    System.out.printf("ClockJumpTest: events=%d deliveries=%d delivered=%d lost=%d duplicated=%d requests=%d "
            + "attempts=%d unrecordedRequests=%d overlaps=%d; clock jumps: %d forward (%d s in all), %d back "
            + "(%d s in all), then %dx real time; done in %.2f s%n",
        EVENTS, deliveries, deliveries - notDelivered, total - accepted, receiver.duplicates(), receiver.requests(),
        attempts, unrecorded, receiver.overlaps(), forward.get(), jumpedForward.get(), back.get(), jumpedBack.get(),
        FAST.toMillis() / 10, seconds);

    assertTrue(allDone, "delivered " + Faults.delivered(store, TENANT) + " of " + total + " within " + WAIT + "; " + firstProblem);
    assertEquals(JUMPS, forward.get() + back.get(), "jumps made");
    assertEquals(total, deliveries);
    assertEquals(0, notDelivered, firstProblem);
    assertEquals(total, accepted, "deliveries the receiver accepted");
    assertEquals(0, receiver.overlaps(), () -> "one delivery attempted twice at once: " + receiver.firstOverlap());
    assertEquals(0, unrecorded, firstProblem);
    assertEquals(0, receiver.duplicates(), "deliveries accepted twice");
  }
}

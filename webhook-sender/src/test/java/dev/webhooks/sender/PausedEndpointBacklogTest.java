package dev.webhooks.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.InMemoryWebhookStore;
import dev.webhooks.sender.store.WebhookStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Regression: the backlog of an endpoint whose circuit is open was claimed and put back over and
 * over. Of each claimed batch, the lanes took a few (each then put back until the circuit's end)
 * and the rest went back due at once, to be claimed again by the next batch, and again: about
 * seven releases, each a transaction of its own, per delivery and pause. With PostgreSQL, 2
 * endpoints failing out of 100 (2%) brought the healthy endpoints' throughput from 1,333 to about
 * 110 deliveries a second within two minutes of SustainedLoadTest. A paused endpoint's claims now
 * all go back until its pause ends, once.
 */
class PausedEndpointBacklogTest {
  static final String TENANT = "tenant-paused";
  static final String TYPE = "order.created";
  static final int BACKLOG = 500;
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

  FaultyReceiver receiver;
  WebhookSender sender;

  @AfterEach
  void tearDown() {
    if (sender != null) {
      sender.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  @Test
  void openCircuit_backlogPutBackUntilItsEnd_onceEach() throws Exception {
    receiver = FaultyReceiver.start(1, Duration.ZERO, -1, (endpoint, id, arrival) -> FaultyReceiver.Fault.ERROR_500);
    TestClock clock = new TestClock(T0);
    InMemoryWebhookStore memory = new InMemoryWebhookStore();
    AtomicInteger releases = new AtomicInteger();
    WebhookStore store = (WebhookStore) Proxy.newProxyInstance(WebhookStore.class.getClassLoader(),
        new Class<?>[] {WebhookStore.class}, (proxy, method, args) -> {
          if (method.getName().equals("release")) {
            releases.incrementAndGet();
          }
          try {
            return method.invoke(memory, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    sender = WebhookSender.builder()
        .catalog(EventCatalog.builder().event(TYPE, "An order was placed", null).build())
        .store(store)
        .clock(clock)
        .urlPolicy(Faults.LOOPBACK)
        .circuitBreaker(3, Duration.ofMinutes(1))
        .maxConcurrencyPerSubscription(1) // one attempt at a time: exactly three open the circuit
        .retryPolicy(RetryPolicy.schedule(List.of(Duration.ofSeconds(1))).newBuilder().maxAttempts(50).build())
        .build();
    sender.subscriptions().create(TENANT, SubscriptionSpec.builder().url(receiver.url(0)).events("*").build());
    for (int n = 0; n < BACKLOG; n++) {
      sender.publish(TENANT, TYPE, Map.of("n", n));
    }

    // Three attempts fail and open the circuit for a minute; the rest of the backlog waits for it.
    sender.dispatchDueNow();
    assertEquals(3, receiver.requests(), "attempts before the circuit opened");
    List<DeliveryRecord> all = Faults.allDeliveries(memory, TENANT);
    assertEquals(BACKLOG - 3, all.stream().filter(d -> d.attemptCount() == 0
        && d.nextAttemptAt().orElseThrow().equals(T0.plusSeconds(60))).count(), "deliveries waiting for the probe");
    int firstPause = releases.get();

    // A minute on, one probe goes and fails: the circuit opens for two minutes, and the backlog
    // waits again; a few seconds after that, the second probe goes.
    clock.advance(Duration.ofSeconds(61));
    sender.dispatchDueNow();
    assertEquals(4, receiver.requests(), "the probe");
    for (int s = 0; s < 130; s += 10) {
      clock.advance(Duration.ofSeconds(10));
      sender.dispatchDueNow();
    }
    assertEquals(5, receiver.requests(), "the second probe");
    int total = releases.get();
    System.out.printf("PausedEndpointBacklogTest: backlog=%d releases: first pause %d, all three pauses %d%n",
        BACKLOG, firstPause, total);

    // Each waiting delivery went back once a pause, and a batch's worth more (what was claimed before
    // the circuit opened); it used to be about seven times each.
    assertTrue(firstPause <= BACKLOG + 100, "releases in the first pause: " + firstPause);
    assertTrue(total <= 3 * (BACKLOG + 100), "releases in three pauses: " + total);
    assertEquals(0, Faults.allDeliveries(memory, TENANT).stream()
        .filter(d -> d.status() != DeliveryStatus.PENDING).count(), "none given up: pauses are not attempts");
  }
}

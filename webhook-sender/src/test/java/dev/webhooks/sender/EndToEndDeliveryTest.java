package dev.webhooks.sender;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.verifier.VerifiedWebhook;
import dev.webhooks.verifier.WebhookVerifier;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Publish to verified receipt at volume, over real HTTP on loopback, with background workers and
 * the system clock: 1,000 events fanned out to 20 endpoints, a third of which refuse every event
 * twice before accepting it. Every request is verified by our {@link WebhookVerifier} and by the
 * reference {@code com.standardwebhooks} library (which checks timestamps against the system clock).
 */
class EndToEndDeliveryTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final UrlPolicy LOOPBACK = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build();
  static final String TENANT = "tenant-e2e";
  static final String TYPE = "order.created";
  static final int ENDPOINTS = 20;
  static final int EVENTS = 1_000;
  /** Refusals before a flaky endpoint accepts an event. */
  static final int REFUSALS = 2;
  static final Duration WAIT = Duration.ofSeconds(40);

  /**
   * {@code com.standardwebhooks.Webhook#verify(String, Map)}, called through a method handle: javac
   * cannot pick that overload here without seeing its sibling's {@code java.net.http.HttpHeaders},
   * which the patched test module does not read (webhook-verifier's pom adds the reads for its own
   * tests; reflection needs no reads).
   */
  static final MethodHandle REFERENCE_VERIFY;

  static {
    try {
      REFERENCE_VERIFY = MethodHandles.publicLookup().findVirtual(Webhook.class, "verify",
          MethodType.methodType(void.class, String.class, Map.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Endpoints 0, 3, …, 18 (7 of 20) refuse each event twice, then accept it. */
  static boolean flaky(int endpoint) {
    return endpoint % 3 == 0;
  }

  /** Requests each (endpoint, event) pair should take. */
  static int expectedRequests(int endpoint) {
    return flaky(endpoint) ? REFUSALS + 1 : 1;
  }

  LoopbackReceiver receiver;
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

  /** What the receiver saw; filled on the server's connection threads. */
  static final class Receipts {
    final WebhookVerifier[] ours = new WebhookVerifier[ENDPOINTS];
    final Webhook[] reference = new Webhook[ENDPOINTS];
    /** Valid requests per "endpoint event-id". */
    final Map<String, AtomicInteger> arrivals = new ConcurrentHashMap<>();
    /** Requests answered 2xx per "endpoint event-id". */
    final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
    /** The payload's data.n per event id, as first seen; a different n later is a mismatch. */
    final Map<String, Integer> payloads = new ConcurrentHashMap<>();
    final AtomicInteger valid = new AtomicInteger();
    final AtomicInteger invalid = new AtomicInteger();
    final AtomicInteger mismatches = new AtomicInteger();
    final AtomicReference<String> firstProblem = new AtomicReference<>();
    /** A control on the first valid request: does each verifier refuse it with one body byte changed? */
    final AtomicReference<String> control = new AtomicReference<>();

    String tamperedRefusals(int endpoint, Map<String, List<String>> headers, byte[] body) {
      byte[] tampered = body.clone();
      tampered[tampered.length / 2] ^= 1;
      String result = "";
      try {
        ours[endpoint].verify(headers, tampered);
        result += "ours accepted; ";
      } catch (RuntimeException expected) {
        result += "ours refused; ";
      }
      try {
        REFERENCE_VERIFY.invoke(reference[endpoint], new String(tampered, UTF_8), headers);
        result += "reference accepted";
      } catch (Error e) {
        throw e;
      } catch (Throwable expected) {
        result += "reference refused";
      }
      return result;
    }

    MockResponse answer(int endpoint, RecordedRequest request) {
      Map<String, List<String>> headers = LoopbackReceiver.headers(request);
      byte[] body = LoopbackReceiver.body(request);
      String id;
      JsonNode json;
      try {
        VerifiedWebhook hook = ours[endpoint].verify(headers, body);
        REFERENCE_VERIFY.invoke(reference[endpoint], new String(body, UTF_8), headers);
        id = hook.id().orElseThrow();
        json = hook.json();
      } catch (Error e) {
        throw e;
      } catch (Throwable e) { // ours throws unchecked, the reference library a checked exception
        invalid.incrementAndGet();
        firstProblem.compareAndSet(null, "endpoint " + endpoint + ": " + e);
        return LoopbackReceiver.BAD_REQUEST;
      }
      valid.incrementAndGet();
      if (control.get() == null) {
        control.compareAndSet(null, tamperedRefusals(endpoint, headers, body));
      }
      Integer n = json.at("/data/n").isInt() ? json.at("/data/n").asInt() : null;
      Integer first = n == null ? null : payloads.putIfAbsent(id, n);
      if (n == null || (first != null && !first.equals(n)) || !id.equals(json.path("id").asText())
          || !TYPE.equals(json.path("type").asText()) || !"POST".equals(request.getMethod())) {
        mismatches.incrementAndGet();
        firstProblem.compareAndSet(null, "endpoint " + endpoint + ": unexpected envelope for " + id);
      }
      String key = endpoint + " " + id;
      int seen = arrivals.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      if (flaky(endpoint) && seen <= REFUSALS) {
        return LoopbackReceiver.SERVER_ERROR;
      }
      accepted.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      return LoopbackReceiver.OK;
    }
  }

  @Test
  void thousandEventsToTwentyEndpoints_allVerifiedAndDelivered_noneLost_noDuplicates() throws Exception {
    Receipts receipts = new Receipts();
    receiver = LoopbackReceiver.start(ENDPOINTS, receipts::answer);

    CountDownLatch delivered = new CountDownLatch(ENDPOINTS * EVENTS);
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger givenUp = new AtomicInteger();
    EventCatalog catalog = EventCatalog.builder()
        .event(TYPE, "An order was placed", JSON.readTree("{\"n\":0}"))
        .event("order.cancelled", "An order was cancelled", JSON.readTree("{\"n\":0}"))
        .build();
    // Every delivery stays in the log (20,000, beyond the in-memory store's default of 10,000): the
    // test reads each endpoint's whole log at the end.
    sender = WebhookSender.builder().catalog(catalog).urlPolicy(LOOPBACK).clock(Clock.systemUTC())
        .store(new dev.webhooks.sender.store.InMemoryWebhookStore(Integer.MAX_VALUE))
        // Fast retries: the flaky endpoints' events are attempted at about 0, +50 ms and +150 ms.
        .retryPolicy(RetryPolicy.schedule(List.of(Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600))))
        // Retries fall due while workers are busy or idle; poll often so that the tail is short.
        .pollInterval(Duration.ofMillis(50))
        // The flaky endpoints fail every event's first two attempts by design, so they fail many
        // times in a row and a probe is usually a first attempt: a circuit breaker would pause them
        // ever longer. This test is about signatures, retries and counts, so the breaker is off.
        .circuitBreaker(Integer.MAX_VALUE, Duration.ofSeconds(1))
        .listener(new DeliveryListener() {
          @Override
          public void onAttempt(DeliveryRecord delivery, AttemptRecord attempt) {
            attempts.incrementAndGet();
          }

          @Override
          public void onDelivered(DeliveryRecord delivery) {
            delivered.countDown();
          }

          @Override
          public void onGivenUp(DeliveryRecord delivery) {
            givenUp.incrementAndGet();
          }
        })
        .build();

    // Mixed filters that all match order.created: exact, prefix wildcard, everything.
    List<UUID> subscriptions = new ArrayList<>();
    for (int i = 0; i < ENDPOINTS; i++) {
      String filter = i % 2 == 0 ? TYPE : i % 4 == 1 ? "order.*" : "*";
      CreatedSubscription c = sender.subscriptions().create(TENANT,
          SubscriptionSpec.builder().url(receiver.url(i)).events(filter).description("endpoint " + i).build());
      receipts.ours[i] = WebhookVerifier.builder().secret(c.secret()).clock(Clock.systemUTC()).build();
      receipts.reference[i] = new Webhook(c.secret());
      subscriptions.add(c.subscription().id());
    }

    long start = System.nanoTime();
    sender.start();
    Map<String, Integer> published = new ConcurrentHashMap<>();
    for (int n = 0; n < EVENTS; n++) {
      PublishResult r = sender.publish(TENANT, TYPE, Map.of("n", n, "order", "ord_" + n));
      assertEquals(ENDPOINTS, r.deliveries());
      published.put(r.eventId(), n);
    }
    boolean done = delivered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(done, () -> "not all delivered within " + WAIT + ": " + delivered.getCount() + " left; receipts "
        + receipts.valid + " valid, " + receipts.invalid + " invalid; " + receipts.firstProblem.get());

    // Every request verified, by both libraries, and carried the envelope that was published.
    assertEquals(0, receipts.invalid.get(), () -> "invalid requests; first: " + receipts.firstProblem.get());
    assertEquals(0, receipts.mismatches.get(), () -> "mismatched envelopes; first: " + receipts.firstProblem.get());
    assertEquals(EVENTS, published.size(), "event ids are unique");
    published.forEach((id, n) -> assertEquals(n, receipts.payloads.get(id), () -> "payload of " + id));

    assertEquals("ours refused; reference refused", receipts.control.get(), "both verifiers refuse a tampered body");

    // Every (endpoint, event) pair: arrived, accepted exactly once, after exactly the designed refusals.
    // A duplicate is a request beyond those: the sender attempting again after a 2xx it lost.
    int lost = 0;
    int duplicates = 0;
    int wrongCounts = 0;
    for (int i = 0; i < ENDPOINTS; i++) {
      for (String id : published.keySet()) {
        String key = i + " " + id;
        AtomicInteger seen = receipts.arrivals.get(key);
        AtomicInteger ok = receipts.accepted.get(key);
        if (ok == null) {
          lost++;
          continue;
        }
        duplicates += Math.max(0, seen.get() - expectedRequests(i));
        if (seen.get() != expectedRequests(i) || ok.get() != 1) {
          wrongCounts++;
        }
      }
    }
    assertEquals(ENDPOINTS * EVENTS, receipts.arrivals.size(), "pairs received, no unknown ones");
    int designed = 0;
    for (int i = 0; i < ENDPOINTS; i++) {
      designed += EVENTS * expectedRequests(i);
    }
    int requests = receiver.requestCount();

    System.out.printf("EndToEndDeliveryTest: events=%d deliveries=%d requests=%d (designed %d) invalid=%d "
            + "lost=%d duplicates=%d attempts=%d seconds=%.2f (%.0f requests/s)%n",
        EVENTS, ENDPOINTS * EVENTS, requests, designed, receipts.invalid.get(), lost, duplicates, attempts.get(),
        seconds, requests / seconds);

    assertEquals(0, lost, "pairs never accepted");
    assertEquals(0, duplicates, "requests beyond the designed refusals and the one acceptance");
    assertEquals(0, wrongCounts, "pairs with other than 3 (flaky) or 1 (healthy) requests");
    assertEquals(designed, requests);
    assertEquals(designed, receipts.valid.get());
    assertEquals(0, givenUp.get());

    // The delivery log agrees: all delivered, with 3 attempts to a flaky endpoint and 1 to a healthy one.
    for (DeliveryStatus other : List.of(DeliveryStatus.PENDING, DeliveryStatus.FAILED)) {
      Page<DeliveryRecord> none = sender.deliveries().list(TENANT, DeliveryQuery.builder().status(other).build());
      assertTrue(none.items().isEmpty(), () -> other + ": " + none.items());
    }
    for (int i = 0; i < ENDPOINTS; i++) {
      List<DeliveryRecord> log = deliveredTo(subscriptions.get(i));
      assertEquals(EVENTS, log.size(), "delivered to endpoint " + i);
      for (DeliveryRecord d : log) {
        assertEquals(expectedRequests(i), d.attemptCount(), () -> "attempts of " + d);
        assertEquals(Optional.of(200), d.lastHttpStatus());
        assertTrue(d.deliveredAt().isPresent());
        assertTrue(published.containsKey(d.eventId()));
      }
      // A sample of each endpoint's attempt lists: 500, 500, 200 or just 200.
      List<Integer> expected = flaky(i) ? List.of(500, 500, 200) : List.of(200);
      for (DeliveryRecord d : List.of(log.get(0), log.get(log.size() / 2), log.get(log.size() - 1))) {
        List<Integer> statuses = sender.deliveries().attempts(TENANT, d.id()).stream()
            .map(AttemptRecord::httpStatus).toList();
        assertEquals(expected, statuses, () -> "attempts of " + d.id());
      }
    }
  }

  /** Every DELIVERED delivery of one subscription, paging through the log. */
  List<DeliveryRecord> deliveredTo(UUID subscription) {
    List<DeliveryRecord> all = new ArrayList<>();
    PageRequest page = new PageRequest(1, PageRequest.MAX_PER_PAGE);
    while (true) {
      Page<DeliveryRecord> p = sender.deliveries().list(TENANT, DeliveryQuery.builder()
          .subscription(subscription).status(DeliveryStatus.DELIVERED).page(page).build());
      all.addAll(p.items());
      if (!p.hasMore()) {
        return all;
      }
      page = p.next();
    }
  }
}

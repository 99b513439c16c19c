package dev.webhooks.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.verifier.VerifiedWebhook;
import dev.webhooks.verifier.WebhookVerifier;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Publish to delivery against a real HTTP server on loopback, with a clock the test moves. */
class WebhookSenderTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();
  static final UrlPolicy LOCAL = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build();

  final TestClock clock = new TestClock(T0);
  final List<String> heard = Collections.synchronizedList(new ArrayList<>());
  MockWebServer server;
  WebhookSender sender;

  @BeforeEach
  void setUp() throws Exception {
    server = new MockWebServer();
    server.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    EventCatalog catalog = EventCatalog.builder()
        .event("lookup.completed", "A lookup finished", JSON.readTree("{\"email\":\"jane@example.com\"}"))
        .event("apikey.created", "An API key was created", JSON.readTree("{\"key_id\":\"k_1\"}"))
        .build();
    sender = WebhookSender.builder().catalog(catalog).urlPolicy(LOCAL).retryPolicy(RetryPolicy.shortForTests())
        .clock(clock).timeout(Duration.ofMillis(500)).listener(new DeliveryListener() {
          @Override
          public void onDelivered(DeliveryRecord d) {
            heard.add("delivered " + d.eventId());
          }

          @Override
          public void onGivenUp(DeliveryRecord d) {
            heard.add("given up " + d.eventId());
          }

          @Override
          public void onSubscriptionDisabled(Subscription s, DisabledReason reason) {
            heard.add("disabled " + reason);
          }
        }).build();
  }

  @AfterEach
  void tearDown() throws Exception {
    sender.close();
    server.close();
  }

  String url() {
    return "http://127.0.0.1:" + server.getPort() + "/hook";
  }

  CreatedSubscription subscribe(String... events) {
    return sender.subscriptions().create("t1", SubscriptionSpec.builder().url(url()).events(events)
        .header("Authorization", "Bearer receiver-token").build());
  }

  VerifiedWebhook verify(RecordedRequest r, String secret) {
    Map<String, List<String>> headers = new java.util.LinkedHashMap<>();
    for (String name : r.getHeaders().names()) {
      headers.put(name, r.getHeaders().values(name));
    }
    return WebhookVerifier.builder().secret(secret).clock(clock).build().verify(headers, r.getBody().toByteArray());
  }

  RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
    assertTrue(r != null, "no request arrived");
    return r;
  }

  DeliveryRecord onlyDelivery() {
    List<DeliveryRecord> all = sender.deliveries().list("t1", DeliveryQuery.all()).items();
    assertEquals(1, all.size());
    return all.get(0);
  }

  @Test
  void success_signedEnvelopeWithHeaders_delivered() throws Exception {
    CreatedSubscription c = subscribe("lookup.completed");
    server.enqueue(new MockResponse.Builder().code(204).build());
    PublishResult p = sender.publish("t1", "lookup.completed", Map.of("email", "jane@example.com"));
    assertEquals(1, p.deliveries());
    assertEquals(1, sender.dispatchDueNow());

    RecordedRequest r = take();
    assertEquals("POST", r.getMethod());
    VerifiedWebhook hook = verify(r, c.secret());
    assertEquals(p.eventId(), hook.id().orElseThrow());
    assertEquals("lookup.completed", hook.json().get("type").asText());
    assertEquals("jane@example.com", hook.json().at("/data/email").asText());
    assertEquals("application/json", r.getHeaders().get("content-type"));
    assertEquals(WebhookSender.USER_AGENT, r.getHeaders().get("user-agent"));
    assertEquals("Bearer receiver-token", r.getHeaders().get("Authorization"));

    DeliveryRecord d = onlyDelivery();
    assertEquals(DeliveryStatus.DELIVERED, d.status());
    assertEquals(Optional.of(204), d.lastHttpStatus());
    assertEquals(List.of("delivered " + p.eventId()), heard);
    assertTrue(sender.subscriptions().get("t1", c.subscription().id()).lastDeliveredAt().isPresent());
  }

  @Test
  void serverError_retriedOnSchedule_eachAttemptSignedAnewWithTheSameId() throws Exception {
    CreatedSubscription c = subscribe("*");
    server.enqueue(new MockResponse.Builder().code(500).body("boom").build());
    server.enqueue(new MockResponse.Builder().code(200).build());
    PublishResult p = sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    DeliveryRecord after1 = onlyDelivery();
    assertEquals(DeliveryStatus.PENDING, after1.status());
    assertEquals(Optional.of(T0.plusSeconds(1)), after1.nextAttemptAt());
    assertEquals(0, sender.dispatchDueNow()); // not due yet

    clock.advance(Duration.ofSeconds(1));
    assertEquals(1, sender.dispatchDueNow());
    RecordedRequest first = take();
    RecordedRequest second = take();
    assertEquals(first.getHeaders().get("webhook-id"), second.getHeaders().get("webhook-id"));
    assertNotEquals(first.getHeaders().get("webhook-timestamp"), second.getHeaders().get("webhook-timestamp"));
    assertEquals(p.eventId(), verify(second, c.secret()).id().orElseThrow());

    List<AttemptRecord> attempts = sender.deliveries().attempts("t1", after1.id());
    assertEquals(2, attempts.size());
    assertEquals(500, attempts.get(0).httpStatus());
    assertEquals("boom", attempts.get(0).responseExcerpt());
    assertEquals(200, attempts.get(1).httpStatus());
    assertEquals(DeliveryStatus.DELIVERED, onlyDelivery().status());
  }

  @Test
  void clientErrorEveryTime_givenUpAfterThePolicysAttempts() {
    subscribe("*");
    for (int i = 0; i < 5; i++) {
      server.enqueue(new MockResponse.Builder().code(400).build());
    }
    PublishResult p = sender.publish("t1", "lookup.completed", Map.of());
    for (int i = 0; i < 5; i++) {
      sender.dispatchDueNow();
      clock.advance(Duration.ofSeconds(8));
    }
    DeliveryRecord d = onlyDelivery();
    assertEquals(DeliveryStatus.FAILED, d.status());
    assertEquals(5, d.attemptCount());
    assertEquals(5, server.getRequestCount());
    assertEquals(List.of("given up " + p.eventId()), heard);
  }

  @Test
  void gone_disablesTheSubscription_keepsLaterEventsFromBeingSent() {
    CreatedSubscription c = subscribe("*");
    server.enqueue(new MockResponse.Builder().code(410).build());
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    assertEquals(DeliveryStatus.FAILED, onlyDelivery().status());
    Subscription s = sender.subscriptions().get("t1", c.subscription().id());
    assertFalse(s.enabled());
    assertEquals(Optional.of(DisabledReason.ENDPOINT_GONE), s.disabledReason());
    assertTrue(heard.contains("disabled ENDPOINT_GONE"));
    assertEquals(0, sender.publish("t1", "lookup.completed", Map.of()).deliveries());
  }

  @Test
  void tooManyRequests_retryAfterHonoured() {
    subscribe("*");
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "3").build());
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    // The schedule says 1 s; the receiver asked for 3 s.
    assertEquals(Optional.of(T0.plusSeconds(3)), onlyDelivery().nextAttemptAt());
  }

  @Test
  void timeout_recordedAndRetried() {
    subscribe("*");
    server.enqueue(new MockResponse.Builder().code(200).headersDelay(2, TimeUnit.SECONDS).build());
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    DeliveryRecord d = onlyDelivery();
    assertEquals(DeliveryStatus.PENDING, d.status());
    assertTrue(d.lastError().orElseThrow().contains("timeout"), d.lastError().toString());
    assertEquals(0, sender.deliveries().attempts("t1", d.id()).get(0).httpStatus());
  }

  @Test
  void connectionReset_recordedAndRetried() {
    subscribe("*");
    server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
    server.enqueue(new MockResponse.Builder().code(200).build());
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    DeliveryRecord d = onlyDelivery();
    assertEquals(DeliveryStatus.PENDING, d.status());
    assertEquals(Optional.empty(), d.lastHttpStatus());
    assertTrue(d.lastError().isPresent());
    clock.advance(Duration.ofSeconds(1));
    sender.dispatchDueNow();
    assertEquals(DeliveryStatus.DELIVERED, onlyDelivery().status());
    assertEquals(2, sender.deliveries().attempts("t1", d.id()).size());
  }

  @Test
  void redirect_notFollowed() throws Exception {
    subscribe("*");
    server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "http://169.254.169.254/latest/").build());
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    assertEquals(1, server.getRequestCount());
    DeliveryRecord d = onlyDelivery();
    assertEquals(DeliveryStatus.PENDING, d.status());
    assertEquals(Optional.of(302), d.lastHttpStatus());
    assertTrue(d.lastError().orElseThrow().contains("redirect not followed"));
  }

  @Test
  void rotatedSecret_bothSecretsSignDuringTheGrace() throws Exception {
    CreatedSubscription c = subscribe("*");
    CreatedSubscription rotated = sender.subscriptions().rotateSecret("t1", c.subscription().id(), Duration.ofHours(1));
    server.enqueue(new MockResponse.Builder().code(200).build());
    server.enqueue(new MockResponse.Builder().code(200).build());
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    RecordedRequest during = take();
    assertEquals(2, during.getHeaders().get("webhook-signature").split(" ").length);
    verify(during, c.secret());
    verify(during, rotated.secret());

    clock.advance(Duration.ofHours(1));
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    RecordedRequest after = take();
    assertEquals(1, after.getHeaders().get("webhook-signature").split(" ").length);
    verify(after, rotated.secret());
  }

  @Test
  void testEvent_marked_andSentWhateverTheFilters() throws Exception {
    CreatedSubscription c = subscribe("apikey.created");
    server.enqueue(new MockResponse.Builder().code(200).build());
    sender.subscriptions().sendTest("t1", c.subscription().id(), "lookup.completed");
    sender.dispatchDueNow();
    VerifiedWebhook hook = verify(take(), c.secret());
    assertTrue(hook.json().get("test").asBoolean());
    assertEquals("jane@example.com", hook.json().at("/data/email").asText());
  }

  @Test
  void publish_onlyMatchingEnabledSubscriptions_andIdempotent() {
    subscribe("apikey.created");
    assertEquals(0, sender.publish("t1", "lookup.completed", Map.of()).deliveries());
    PublishResult first = sender.publish("t1", "apikey.created", Map.of(), "key-1");
    PublishResult again = sender.publish("t1", "apikey.created", Map.of(), "key-1");
    assertTrue(again.duplicate());
    assertEquals(first.eventId(), again.eventId());
    assertEquals(ErrorCode.INVALID_EVENTS,
        assertThrows(WebhookValidationException.class, () -> sender.publish("t1", "nope.never", Map.of())).code());
    assertThrows(IllegalArgumentException.class, () -> sender.publish("t1", "apikey.created", Map.of(), "bad key"));
  }

  @Test
  void manualRetry_ofAFailedDelivery_delivers() {
    subscribe("*");
    server.enqueue(new MockResponse.Builder().code(410).build());
    server.enqueue(new MockResponse.Builder().code(200).build());
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    DeliveryRecord failed = onlyDelivery();
    assertEquals(DeliveryStatus.FAILED, failed.status());
    Subscription s = sender.subscriptions().enable("t1", failed.subscriptionId());
    assertTrue(s.enabled());
    assertEquals(DeliveryStatus.PENDING, sender.deliveries().retry("t1", failed.id()).status());
    sender.dispatchDueNow();
    assertEquals(DeliveryStatus.DELIVERED, onlyDelivery().status());
  }

  @Test
  void builder_refusesAVerifyOnlySchemeAndAMissingCatalog() {
    assertThrows(IllegalArgumentException.class,
        () -> WebhookSender.builder().signatureScheme(dev.webhooks.core.signature.SignatureScheme.slack()));
    assertThrows(IllegalStateException.class, () -> WebhookSender.builder().build());
  }

  @Test
  void circuitBreaker_pausesAFailingEndpoint_withoutCountingAttempts_thenProbes() {
    sender.close();
    // One attempt at a time to the endpoint, so that the breaker's count is exact: with several in
    // flight, those already admitted still go out when the threshold is reached.
    sender = WebhookSender.builder().catalog(sender.catalog()).urlPolicy(LOCAL).clock(clock)
        .retryPolicy(RetryPolicy.shortForTests()).circuitBreaker(3, Duration.ofSeconds(30))
        .maxConcurrencyPerSubscription(1).build();
    subscribe("*");
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().code(503).build());
    }
    for (int i = 0; i < 5; i++) {
      sender.publish("t1", "lookup.completed", Map.of());
    }
    sender.dispatchDueNow();
    // Three failures open the circuit: the other two deliveries wait, with no attempt made.
    assertEquals(3, server.getRequestCount());
    List<DeliveryRecord> waiting = sender.deliveries().list("t1", DeliveryQuery.all()).items().stream()
        .filter(d -> d.attemptCount() == 0).toList();
    assertEquals(2, waiting.size());
    assertTrue(waiting.stream().allMatch(d -> d.nextAttemptAt().orElseThrow().equals(T0.plusSeconds(30))));

    for (int i = 0; i < 5; i++) {
      server.enqueue(new MockResponse.Builder().code(200).build());
    }
    clock.advance(Duration.ofSeconds(30));
    sender.dispatchDueNow();
    // The probe succeeds, the circuit closes, and everything due goes out.
    assertEquals(8, server.getRequestCount());
    assertEquals(5, sender.deliveries().list("t1",
        DeliveryQuery.builder().status(DeliveryStatus.DELIVERED).build()).items().size());
  }

  @Test
  void failingForTheWholeWindow_disablesTheSubscription_andReEnablingStartsAfresh() {
    sender.close();
    sender = WebhookSender.builder().catalog(sender.catalog()).urlPolicy(LOCAL).clock(clock)
        .retryPolicy(RetryPolicy.schedule(List.of(Duration.ofMinutes(30), Duration.ofMinutes(30), Duration.ofMinutes(30))))
        .disableAfter(Duration.ofHours(1)).circuitBreaker(100, Duration.ofSeconds(1))
        .listener(new DeliveryListener() {
          @Override
          public void onSubscriptionDisabled(Subscription s, DisabledReason reason) {
            heard.add("disabled " + reason);
          }
        }).build();
    CreatedSubscription c = subscribe("*");
    for (int i = 0; i < 4; i++) {
      server.enqueue(new MockResponse.Builder().code(500).build());
    }
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();                       // fails at T0: failing since T0
    clock.advance(Duration.ofMinutes(30));
    sender.dispatchDueNow();                       // fails at T0+30m
    assertTrue(sender.subscriptions().get("t1", c.subscription().id()).enabled());
    clock.advance(Duration.ofMinutes(30));
    sender.dispatchDueNow();                       // fails at T0+60m: the window is over
    Subscription s = sender.subscriptions().get("t1", c.subscription().id());
    assertFalse(s.enabled());
    assertEquals(Optional.of(DisabledReason.FAILING), s.disabledReason());
    assertEquals(List.of("disabled FAILING"), heard);
    assertEquals(DeliveryStatus.PENDING, onlyDelivery().status()); // kept for when it comes back

    sender.subscriptions().enable("t1", c.subscription().id());
    clock.advance(Duration.ofMinutes(30));
    sender.dispatchDueNow();                       // fails again, but the window starts anew
    assertTrue(sender.subscriptions().get("t1", c.subscription().id()).enabled());
  }

  @Test
  void retryPolicyPerSubscription_overridesTheDefault() {
    sender.close();
    sender = WebhookSender.builder().catalog(sender.catalog()).urlPolicy(LOCAL).clock(clock)
        .retryPolicy(RetryPolicy.shortForTests())
        .retryPolicyPerSubscription(s -> "none".equals(s.metadata().get("retries"))
            ? RetryPolicy.schedule(List.of()) : null)
        .build();
    sender.subscriptions().create("t1", SubscriptionSpec.builder().url(url()).events("*").metadata("retries", "none").build());
    sender.subscriptions().create("t1", SubscriptionSpec.builder().url(url() + "/2").events("*").build());
    server.enqueue(new MockResponse.Builder().code(500).build());
    server.enqueue(new MockResponse.Builder().code(500).build());
    sender.publish("t1", "lookup.completed", Map.of());
    sender.dispatchDueNow();
    List<DeliveryRecord> all = sender.deliveries().list("t1", DeliveryQuery.all()).items();
    assertEquals(1, all.stream().filter(d -> d.status() == DeliveryStatus.FAILED).count());
    assertEquals(1, all.stream().filter(d -> d.status() == DeliveryStatus.PENDING).count());
  }

  @Test
  void close_inFlightAttemptsFinish_unattemptedClaimsGoBackAtOnce_nothingLost() throws Exception {
    sender.close();
    dev.webhooks.sender.store.InMemoryWebhookStore store = new dev.webhooks.sender.store.InMemoryWebhookStore();
    // Real time here: the workers run in the background. Four slots and one lane per endpoint: all
    // four deliveries are claimed into one lane, and three of them wait behind the first.
    sender = WebhookSender.builder().catalog(sender.catalog()).urlPolicy(LOCAL).store(store)
        .retryPolicy(RetryPolicy.shortForTests()).workers(4).maxConcurrencyPerSubscription(1).build();
    subscribe("*");
    server.enqueue(new MockResponse.Builder().code(200).headersDelay(300, TimeUnit.MILLISECONDS).build());
    for (int i = 0; i < 4; i++) {
      sender.publish("t1", "lookup.completed", Map.of());
    }
    sender.start();
    take(); // the first attempt is in flight
    sender.close();

    List<DeliveryRecord> all = sender.deliveries().list("t1", DeliveryQuery.all()).items();
    assertEquals(4, all.size());
    assertEquals(1, all.stream().filter(d -> d.status() == DeliveryStatus.DELIVERED).count());
    // The three not attempted are pending and claimable now, not after their lease expires.
    assertEquals(3, store.claimDue(Instant.now(), 10, Duration.ofSeconds(60), Set.of()).size());
    assertEquals(1, server.getRequestCount());
  }
}

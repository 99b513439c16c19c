package dev.webhooks.sender.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.Page;
import dev.webhooks.sender.PageRequest;
import dev.webhooks.sender.PublishResult;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link WebhookStore} must have. Each implementation's test extends this
 * class, in this package (surefire opens a package to JUnit only where a test class sits), and says
 * how to make a fresh, empty store.
 */
abstract class WebhookStoreContract {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  static final Duration LEASE = Duration.ofSeconds(30);
  static final EventCatalog CATALOG = EventCatalog.builder()
      .event("lookup.completed", "A lookup finished", JsonNodeFactory.instance.objectNode())
      .event("apikey.created", "An API key was created", JsonNodeFactory.instance.objectNode())
      .event("survey.response.created", "A survey response arrived", JsonNodeFactory.instance.objectNode())
      .build();

  WebhookStore store;
  private int events;


  /** A new, empty store. */
  abstract WebhookStore newStore();

  /** Removes what {@link #newStore} made, after the store is closed. The default does nothing. */
  void dropStore() throws Exception {}

  @BeforeEach
  void setUp() {
    store = newStore();
  }

  @AfterEach
  void tearDown() throws Exception {
    store.close();
    dropStore();
  }

  StoredSubscription subscription(String tenant, String url, String... filters) {
    Subscription s = Subscription.builder().id(UUID.randomUUID()).tenantId(tenant).url(URI.create(url))
        .filters(CATALOG.filters(List.of(filters))).createdAt(T0).updatedAt(T0).secretLastRotatedAt(T0).build();
    return new StoredSubscription(s, List.of(SigningSecret.current("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));
  }

  /** Creates a subscription and returns it as stored (at version 1). */
  StoredSubscription created(String tenant, String url, String... filters) {
    StoredSubscription s = subscription(tenant, url, filters);
    store.createSubscription(s);
    return store.findSubscription(tenant, s.subscription().id()).orElseThrow();
  }

  PublishResult publish(String tenant, String type, Instant at) {
    String id = "msg_" + (++events);
    return store.publish(EventRecord.of(id, tenant, type, at, ("{\"id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8), null));
  }

  AttemptRecord attempt(ClaimedDelivery c, Instant at, int status) {
    return new AttemptRecord(c.delivery().id(), c.delivery().attemptCount() + 1, at, Duration.ofMillis(20), status,
        "", status / 100 == 2 ? Optional.empty() : Optional.of("HTTP " + status));
  }

  // ---- subscriptions

  @Test
  void subscriptions_createFindListUpdateDelete() {
    StoredSubscription a = created("t1", "https://a.example.com/hook", "lookup.completed");
    StoredSubscription b = created("t1", "https://b.example.com/hook", "*");
    assertEquals(a, store.findSubscription("t1", a.subscription().id()).orElseThrow());
    assertEquals(List.of(a.subscription(), b.subscription()), store.listSubscriptions("t1", PageRequest.first()).items());

    StoredSubscription changed = a.with(a.subscription().toBuilder().url(URI.create("https://c.example.com/x"))
        .description("moved").updatedAt(T0.plusSeconds(5)).build());
    assertTrue(store.updateSubscription(changed));
    assertEquals(changed.withVersion(2), store.findSubscription("t1", a.subscription().id()).orElseThrow());
    // The old URL is free again.
    created("t1", "https://a.example.com/hook", "*");

    assertTrue(store.deleteSubscription("t1", b.subscription().id()));
    assertFalse(store.deleteSubscription("t1", b.subscription().id()));
    assertTrue(store.findSubscription("t1", b.subscription().id()).isEmpty());
  }

  @Test
  void subscriptions_sameUrlInOneTenant_duplicateWebhook() {
    created("t1", "https://a.example.com/hook", "*");
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> created("t1", "https://a.example.com/hook", "lookup.completed"));
    assertEquals(ErrorCode.DUPLICATE_WEBHOOK, e.code());
    assertEquals("url", e.field().orElseThrow());
    created("t2", "https://a.example.com/hook", "*"); // another tenant may
  }

  @Test
  void subscriptions_updateToAnotherSubscriptionsUrl_duplicateWebhook_andNothingChanges() {
    StoredSubscription a = created("t1", "https://a.example.com/hook", "*");
    created("t1", "https://b.example.com/hook", "*");
    StoredSubscription clash = a.with(a.subscription().toBuilder().url(URI.create("https://b.example.com/hook")).build());
    assertEquals(ErrorCode.DUPLICATE_WEBHOOK,
        assertThrows(WebhookValidationException.class, () -> store.updateSubscription(clash)).code());
    assertEquals(a, store.findSubscription("t1", a.subscription().id()).orElseThrow());
  }

  @Test
  void subscriptions_otherTenant_notFound() {
    StoredSubscription a = created("t1", "https://a.example.com/hook", "*");
    UUID id = a.subscription().id();
    assertTrue(store.findSubscription("t2", id).isEmpty());
    assertFalse(store.deleteSubscription("t2", id));
    assertTrue(store.listSubscriptions("t2", PageRequest.first()).items().isEmpty());
    StoredSubscription stolen = a.with(a.subscription().toBuilder().tenantId("t2").build());
    assertEquals(ErrorCode.NOT_FOUND,
        assertThrows(WebhookValidationException.class, () -> store.updateSubscription(stolen)).code());
    assertFalse(store.disableSubscription("t2", id, DisabledReason.MANUAL, T0));
    assertEquals(a, store.findSubscription("t1", id).orElseThrow(), "nothing changed");
  }

  @Test
  void subscriptions_paged() {
    for (int i = 0; i < 5; i++) {
      created("t1", "https://h" + i + ".example.com/", "*");
    }
    Page<Subscription> p1 = store.listSubscriptions("t1", new PageRequest(1, 2));
    Page<Subscription> p3 = store.listSubscriptions("t1", new PageRequest(3, 2));
    assertEquals(2, p1.items().size());
    assertTrue(p1.hasMore());
    assertEquals(1, p3.items().size());
    assertFalse(p3.hasMore());
    assertEquals("https://h4.example.com/", p3.items().get(0).url().toString());
  }

  // ---- publishing

  @Test
  void publish_fansOutToMatchingEnabledSubscriptionsOfTheTenantOnly() {
    StoredSubscription exact = created("t1", "https://a.example.com/", "lookup.completed");
    StoredSubscription all = created("t1", "https://b.example.com/", "*");
    created("t1", "https://c.example.com/", "apikey.created");
    StoredSubscription prefix = created("t1", "https://d.example.com/", "survey.*");
    StoredSubscription off = created("t1", "https://e.example.com/", "*");
    assertTrue(store.updateSubscription(off.with(off.subscription().toBuilder().enabled(false).build())));
    created("t2", "https://a.example.com/", "*");

    assertEquals(2, publish("t1", "lookup.completed", T0).deliveries());
    assertEquals(2, publish("t1", "survey.response.created", T0).deliveries());
    Set<UUID> targets = store.listDeliveries("t1", DeliveryQuery.all()).items().stream()
        .map(DeliveryRecord::subscriptionId).collect(Collectors.toSet());
    assertEquals(Set.of(exact.subscription().id(), all.subscription().id(), prefix.subscription().id()), targets);
    assertEquals(0, publish("t3", "lookup.completed", T0).deliveries());
  }

  @Test
  void publish_sameIdempotencyKey_returnsTheFirstEventAndCreatesNothing() {
    created("t1", "https://a.example.com/", "*");
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    PublishResult first = store.publish(EventRecord.of("msg_a", "t1", "lookup.completed", T0, body, "order-42"));
    PublishResult again = store.publish(EventRecord.of("msg_b", "t1", "lookup.completed", T0, body, "order-42"));
    assertEquals(new PublishResult("msg_a", 1, false), first);
    assertEquals(new PublishResult("msg_a", 0, true), again);
    assertEquals(1, store.listDeliveries("t1", DeliveryQuery.all()).items().size());
    // Keys are per tenant.
    assertFalse(store.publish(EventRecord.of("msg_c", "t2", "lookup.completed", T0, body, "order-42")).duplicate());
  }

  @Test
  void publish_testEvent_goesToItsOneSubscriptionWhateverItsFilters() {
    StoredSubscription a = created("t1", "https://a.example.com/", "apikey.created");
    created("t1", "https://b.example.com/", "*");
    PublishResult r = store.publish(EventRecord.forOneSubscription("msg_t", "t1", "lookup.completed", T0,
        "{}".getBytes(StandardCharsets.UTF_8), a.subscription().id()));
    assertEquals(1, r.deliveries());
    assertEquals(a.subscription().id(), store.listDeliveries("t1", DeliveryQuery.all()).items().get(0).subscriptionId());
    assertEquals(ErrorCode.NOT_FOUND, assertThrows(WebhookValidationException.class,
        () -> store.publish(EventRecord.forOneSubscription("msg_u", "t2", "lookup.completed", T0,
            "{}".getBytes(StandardCharsets.UTF_8), a.subscription().id()))).code());
  }

  // ---- claiming

  @Test
  void claimDue_onlyDueOnesOldestFirst_upToTheLimit_eachOnce() {
    created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0.plusSeconds(2));
    publish("t1", "lookup.completed", T0.plusSeconds(1));
    publish("t1", "lookup.completed", T0.plusSeconds(60));
    List<ClaimedDelivery> first = store.claimDue(T0.plusSeconds(10), 1, LEASE, Set.of());
    assertEquals(1, first.size());
    assertEquals(T0.plusSeconds(1), first.get(0).delivery().createdAt());
    List<ClaimedDelivery> rest = store.claimDue(T0.plusSeconds(10), 10, LEASE, Set.of());
    assertEquals(1, rest.size());
    assertEquals(T0.plusSeconds(2), rest.get(0).delivery().createdAt());
    assertTrue(store.claimDue(T0.plusSeconds(10), 10, LEASE, Set.of()).isEmpty());
    assertEquals("{\"id\":\"msg_1\"}", new String(rest.get(0).payload(), StandardCharsets.UTF_8));
  }

  @Test
  void claim_carriesTheSubscriptionWithItsSecrets() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    ClaimedDelivery c = store.claimDue(T0, 10, LEASE, Set.of()).get(0);
    assertEquals(a, c.subscription());
    assertEquals(T0.plus(LEASE), c.leaseExpiresAt());
  }

  @Test
  void expiredLease_claimedAgain_andTheStaleHolderCannotReport() {
    created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    ClaimedDelivery stale = store.claimDue(T0, 10, LEASE, Set.of()).get(0);
    assertTrue(store.claimDue(T0.plusSeconds(29), 10, LEASE, Set.of()).isEmpty());
    ClaimedDelivery fresh = store.claimDue(T0.plusSeconds(30), 10, LEASE, Set.of()).get(0);
    assertEquals(stale.delivery().id(), fresh.delivery().id());
    assertNotEquals(stale.leaseToken(), fresh.leaseToken());
    assertFalse(store.recordAttempt(stale, attempt(stale, T0, 200), DeliveryStatus.DELIVERED, null));
    assertTrue(store.recordAttempt(fresh, attempt(fresh, T0.plusSeconds(30), 200), DeliveryStatus.DELIVERED, null));
    assertEquals(1, store.listAttempts("t1", fresh.delivery().id()).size());
  }

  @Test
  void recordAttempt_pending_dueAgainAtTheNextTime_withAttemptCounted() {
    created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    ClaimedDelivery c = store.claimDue(T0, 10, LEASE, Set.of()).get(0);
    assertTrue(store.recordAttempt(c, attempt(c, T0, 503), DeliveryStatus.PENDING, T0.plusSeconds(5)));
    DeliveryRecord r = store.findDelivery("t1", c.delivery().id()).orElseThrow();
    assertEquals(DeliveryStatus.PENDING, r.status());
    assertEquals(1, r.attemptCount());
    assertEquals(Optional.of(503), r.lastHttpStatus());
    assertEquals(Optional.of("HTTP 503"), r.lastError());
    assertTrue(store.claimDue(T0.plusSeconds(4), 10, LEASE, Set.of()).isEmpty());
    ClaimedDelivery again = store.claimDue(T0.plusSeconds(5), 10, LEASE, Set.of()).get(0);
    assertEquals(1, again.delivery().attemptCount());
  }

  @Test
  void recordAttempt_delivered_setsDeliveredAtAndTheSubscriptionsLastDeliveredAt() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    ClaimedDelivery c = store.claimDue(T0, 10, LEASE, Set.of()).get(0);
    store.recordAttempt(c, attempt(c, T0, 204), DeliveryStatus.DELIVERED, null);
    DeliveryRecord r = store.findDelivery("t1", c.delivery().id()).orElseThrow();
    assertEquals(DeliveryStatus.DELIVERED, r.status());
    assertEquals(Optional.of(T0.plusMillis(20)), r.deliveredAt());
    assertEquals(Optional.empty(), r.nextAttemptAt());
    assertEquals(Optional.of(T0.plusMillis(20)),
        store.findSubscription("t1", a.subscription().id()).orElseThrow().subscription().lastDeliveredAt());
    assertTrue(store.claimDue(T0.plusSeconds(600), 10, LEASE, Set.of()).isEmpty());
  }

  @Test
  void recordAttempts_manyAtOnce_eachAsRecordAttemptWouldInOrder() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    StoredSubscription b = created("t1", "https://b.example.com/", "*");
    StoredSubscription c = created("t1", "https://c.example.com/", "*");
    for (int i = 0; i < 3; i++) {
      publish("t1", "lookup.completed", T0);
    }
    List<ClaimedDelivery> claims = store.claimDue(T0, 20, LEASE, Set.of());
    assertEquals(9, claims.size());
    List<ClaimedDelivery> ofA = claims.stream().filter(x -> x.subscription().equals(a)).toList();
    List<ClaimedDelivery> ofB = claims.stream().filter(x -> x.subscription().equals(b)).toList();
    List<ClaimedDelivery> ofC = claims.stream().filter(x -> x.subscription().equals(c)).toList();
    // A deleted delivery's claim cannot report: c's third is retried (its claim stays valid), and
    // an outcome given twice for one claim counts once.
    boolean[] kept = store.recordAttempts(List.of(
        // a: fails, then succeeds, then fails again: failing since the last failure.
        new AttemptOutcome(ofA.get(0), attempt(ofA.get(0), T0.plusSeconds(1), 500), DeliveryStatus.PENDING,
            T0.plusSeconds(60)),
        new AttemptOutcome(ofA.get(1), attempt(ofA.get(1), T0.plusSeconds(2), 200), DeliveryStatus.DELIVERED, null),
        new AttemptOutcome(ofA.get(2), attempt(ofA.get(2), T0.plusSeconds(3), 503), DeliveryStatus.FAILED, null),
        // b: fails twice: failing since the first.
        new AttemptOutcome(ofB.get(0), attempt(ofB.get(0), T0.plusSeconds(4), 500), DeliveryStatus.PENDING,
            T0.plusSeconds(60)),
        new AttemptOutcome(ofB.get(1), attempt(ofB.get(1), T0.plusSeconds(5), 500), DeliveryStatus.PENDING,
            T0.plusSeconds(60)),
        // c: two successes, the later one last delivered; the same claim again is not kept.
        new AttemptOutcome(ofC.get(1), attempt(ofC.get(1), T0.plusSeconds(7), 200), DeliveryStatus.DELIVERED, null),
        new AttemptOutcome(ofC.get(0), attempt(ofC.get(0), T0.plusSeconds(6), 200), DeliveryStatus.DELIVERED, null),
        new AttemptOutcome(ofC.get(0), attempt(ofC.get(0), T0.plusSeconds(8), 500), DeliveryStatus.FAILED, null)));
    assertEquals("[true, true, true, true, true, true, true, false]", java.util.Arrays.toString(kept));

    StoredSubscription a2 = store.findSubscription("t1", a.subscription().id()).orElseThrow();
    assertEquals(Optional.of(T0.plusSeconds(3)), a2.failingSince());
    assertEquals(Optional.of(T0.plusSeconds(2).plusMillis(20)), a2.subscription().lastDeliveredAt());
    StoredSubscription b2 = store.findSubscription("t1", b.subscription().id()).orElseThrow();
    assertEquals(Optional.of(T0.plusSeconds(4)), b2.failingSince());
    assertEquals(Optional.empty(), b2.subscription().lastDeliveredAt());
    StoredSubscription c2 = store.findSubscription("t1", c.subscription().id()).orElseThrow();
    assertEquals(Optional.empty(), c2.failingSince());
    assertEquals(Optional.of(T0.plusSeconds(7).plusMillis(20)), c2.subscription().lastDeliveredAt());

    assertEquals(DeliveryStatus.PENDING, store.findDelivery("t1", ofA.get(0).delivery().id()).orElseThrow().status());
    assertEquals(DeliveryStatus.DELIVERED, store.findDelivery("t1", ofA.get(1).delivery().id()).orElseThrow().status());
    assertEquals(DeliveryStatus.FAILED, store.findDelivery("t1", ofA.get(2).delivery().id()).orElseThrow().status());
    DeliveryRecord once = store.findDelivery("t1", ofC.get(0).delivery().id()).orElseThrow();
    assertEquals(DeliveryStatus.DELIVERED, once.status());
    assertEquals(1, once.attemptCount());
    assertEquals(1, store.listAttempts("t1", ofC.get(0).delivery().id()).size());
    // c's third delivery was not reported: still claimed, claimable once its lease runs out.
    assertTrue(store.claimDue(T0.plusSeconds(29), 20, LEASE, Set.of()).isEmpty());
    List<ClaimedDelivery> again = store.claimDue(T0.plusSeconds(60), 20, LEASE, Set.of());
    assertEquals(Set.of(ofA.get(0).delivery().id(), ofB.get(0).delivery().id(), ofB.get(1).delivery().id(),
        ofB.get(2).delivery().id(), ofC.get(2).delivery().id()),
        again.stream().map(x -> x.delivery().id()).collect(Collectors.toSet()));
  }

  @Test
  void claimDue_afterTheSubscriptionChanged_carriesItsNewUrlSecretAndHealth() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    ClaimedDelivery first = store.claimDue(T0, 10, LEASE, Set.of()).get(0);
    assertEquals("https://a.example.com/", first.subscription().subscription().url().toString());
    assertEquals(Optional.empty(), first.subscription().failingSince());
    store.recordAttempt(first, attempt(first, T0.plusSeconds(1), 500), DeliveryStatus.PENDING, T0.plusSeconds(60));

    // Health alone changed (no new version): the next claim sees the failure run.
    publish("t1", "lookup.completed", T0.plusSeconds(2));
    ClaimedDelivery second = store.claimDue(T0.plusSeconds(2), 10, LEASE, Set.of()).get(0);
    assertEquals(Optional.of(T0.plusSeconds(1)), second.subscription().failingSince());
    store.recordAttempt(second, attempt(second, T0.plusSeconds(3), 200), DeliveryStatus.DELIVERED, null);

    // A new URL and secret: the next claim carries them, and the success's health.
    StoredSubscription now = store.findSubscription("t1", a.subscription().id()).orElseThrow();
    assertTrue(store.updateSubscription(new StoredSubscription(
        now.subscription().toBuilder().url(java.net.URI.create("https://b.example.com/")).updatedAt(T0.plusSeconds(4))
            .build(), List.of(SigningSecret.current("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")), now.failingSince(),
        now.version())));
    ClaimedDelivery third = store.claimDue(T0.plusSeconds(60), 10, LEASE, Set.of()).get(0);
    assertEquals(first.delivery().id(), third.delivery().id());
    assertEquals("https://b.example.com/", third.subscription().subscription().url().toString());
    assertEquals(List.of("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"),
        third.subscription().secrets().stream().map(SigningSecret::secret).toList());
    assertEquals(Optional.empty(), third.subscription().failingSince());
    assertEquals(Optional.of(T0.plusSeconds(3).plusMillis(20)), third.subscription().subscription().lastDeliveredAt());
  }

  @Test
  void recordAttempts_laterCalls_keepAnEarlierFailureRun_andNeverMoveTheLastDeliveryBack() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    StoredSubscription b = created("t1", "https://b.example.com/", "*");
    for (int i = 0; i < 3; i++) {
      publish("t1", "lookup.completed", T0);
    }
    List<ClaimedDelivery> claims = store.claimDue(T0, 20, LEASE, Set.of());
    List<ClaimedDelivery> ofA = claims.stream().filter(x -> x.subscription().equals(a)).toList();
    List<ClaimedDelivery> ofB = claims.stream().filter(x -> x.subscription().equals(b)).toList();
    // First call: a fails, b is delivered at T0+10s.
    store.recordAttempts(List.of(
        new AttemptOutcome(ofA.get(0), attempt(ofA.get(0), T0.plusSeconds(1), 500), DeliveryStatus.PENDING,
            T0.plusSeconds(60)),
        new AttemptOutcome(ofB.get(0), attempt(ofB.get(0), T0.plusSeconds(10), 200), DeliveryStatus.DELIVERED, null)));
    // Second call: a fails again (its run started at the first failure); b is delivered with an
    // earlier end than the first (an attempt that started earlier and took longer to report).
    store.recordAttempts(List.of(
        new AttemptOutcome(ofA.get(1), attempt(ofA.get(1), T0.plusSeconds(2), 500), DeliveryStatus.PENDING,
            T0.plusSeconds(60)),
        new AttemptOutcome(ofB.get(1), attempt(ofB.get(1), T0.plusSeconds(5), 200), DeliveryStatus.DELIVERED, null)));
    StoredSubscription a2 = store.findSubscription("t1", a.subscription().id()).orElseThrow();
    assertEquals(Optional.of(T0.plusSeconds(1)), a2.failingSince());
    assertEquals(Optional.empty(), a2.subscription().lastDeliveredAt());
    StoredSubscription b2 = store.findSubscription("t1", b.subscription().id()).orElseThrow();
    assertEquals(Optional.empty(), b2.failingSince());
    assertEquals(Optional.of(T0.plusSeconds(10).plusMillis(20)), b2.subscription().lastDeliveredAt());
    // Third call: a is delivered, which ends its run; b fails, which starts one.
    store.recordAttempts(List.of(
        new AttemptOutcome(ofA.get(2), attempt(ofA.get(2), T0.plusSeconds(20), 200), DeliveryStatus.DELIVERED, null),
        new AttemptOutcome(ofB.get(2), attempt(ofB.get(2), T0.plusSeconds(21), 500), DeliveryStatus.PENDING,
            T0.plusSeconds(60))));
    StoredSubscription a3 = store.findSubscription("t1", a.subscription().id()).orElseThrow();
    assertEquals(Optional.empty(), a3.failingSince());
    assertEquals(Optional.of(T0.plusSeconds(20).plusMillis(20)), a3.subscription().lastDeliveredAt());
    StoredSubscription b3 = store.findSubscription("t1", b.subscription().id()).orElseThrow();
    assertEquals(Optional.of(T0.plusSeconds(21)), b3.failingSince());
    assertEquals(Optional.of(T0.plusSeconds(10).plusMillis(20)), b3.subscription().lastDeliveredAt());
  }

  @Test
  void recordAttempts_aLostLeaseAmongOthers_answersFalseForItAlone() {
    created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    publish("t1", "lookup.completed", T0.plusMillis(1)); // due later: claimed second (ties have no order)
    List<ClaimedDelivery> first = store.claimDue(T0, 1, LEASE, Set.of());
    ClaimedDelivery taken = store.claimDue(T0.plus(LEASE), 1, LEASE, Set.of()).get(0); // first's lease ran out
    assertEquals(first.get(0).delivery().id(), taken.delivery().id());
    ClaimedDelivery other = store.claimDue(T0.plus(LEASE), 1, LEASE, Set.of()).get(0);
    boolean[] kept = store.recordAttempts(List.of(
        new AttemptOutcome(first.get(0), attempt(first.get(0), T0, 200), DeliveryStatus.DELIVERED, null),
        new AttemptOutcome(other, attempt(other, T0.plus(LEASE), 200), DeliveryStatus.DELIVERED, null)));
    assertEquals("[false, true]", java.util.Arrays.toString(kept));
    assertEquals(0, store.listAttempts("t1", taken.delivery().id()).size());
    assertEquals(1, store.listAttempts("t1", other.delivery().id()).size());
    assertEquals(0, store.recordAttempts(List.of()).length);
  }

  @Test
  void release_dueAgainAtTheGivenTimeWithoutAnAttempt() {
    created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    ClaimedDelivery c = store.claimDue(T0, 10, LEASE, Set.of()).get(0);
    store.release(c, T0.plusSeconds(2));
    assertTrue(store.claimDue(T0.plusSeconds(1), 10, LEASE, Set.of()).isEmpty());
    ClaimedDelivery again = store.claimDue(T0.plusSeconds(2), 10, LEASE, Set.of()).get(0);
    assertEquals(0, again.delivery().attemptCount());
    assertTrue(store.listAttempts("t1", c.delivery().id()).isEmpty());
    store.release(c, T0); // a stale claim changes nothing
    assertTrue(store.claimDue(T0.plusSeconds(2), 10, LEASE, Set.of()).isEmpty());
  }

  @Test
  void releaseAll_eachDueAgainAtTheGivenTime_aLostLeaseLeftWithItsNewHolder() {
    created("t1", "https://a.example.com/", "*");
    for (int i = 0; i < 3; i++) {
      publish("t1", "lookup.completed", T0);
    }
    List<ClaimedDelivery> first = store.claimDue(T0, 10, LEASE, Set.of());
    assertEquals(3, first.size());
    // The last one's lease is lost: given back and claimed again by another.
    store.release(first.get(2), T0);
    ClaimedDelivery retaken = store.claimDue(T0, 10, LEASE, Set.of()).get(0);
    assertEquals(first.get(2).delivery().id(), retaken.delivery().id());

    store.releaseAll(first, T0.plusSeconds(2));
    store.releaseAll(List.of(), T0); // nothing to do
    assertTrue(store.claimDue(T0.plusSeconds(1), 10, LEASE, Set.of()).isEmpty());
    List<ClaimedDelivery> again = store.claimDue(T0.plusSeconds(2), 10, LEASE, Set.of());
    assertEquals(Set.of(first.get(0).delivery().id(), first.get(1).delivery().id()),
        again.stream().map(c -> c.delivery().id()).collect(java.util.stream.Collectors.toSet()));
    for (ClaimedDelivery c : again) {
      assertEquals(0, c.delivery().attemptCount());
    }
    // The new holder still holds it: its outcome is recorded.
    assertTrue(store.recordAttempt(retaken, attempt(retaken, T0, 200), DeliveryStatus.DELIVERED, null));
  }

  @Test
  void disabledSubscription_deliveriesKeptButNotClaimed_untilReEnabled() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    assertTrue(store.disableSubscription("t1", a.subscription().id(), DisabledReason.FAILING, T0));
    assertFalse(store.disableSubscription("t1", a.subscription().id(), DisabledReason.FAILING, T0));
    Subscription disabled = store.findSubscription("t1", a.subscription().id()).orElseThrow().subscription();
    assertEquals(Optional.of(DisabledReason.FAILING), disabled.disabledReason());
    assertTrue(store.claimDue(T0.plusSeconds(60), 10, LEASE, Set.of()).isEmpty());
    assertEquals(1, store.listDeliveries("t1", DeliveryQuery.builder().status(DeliveryStatus.PENDING).build()).items().size());

    StoredSubscription current = store.findSubscription("t1", a.subscription().id()).orElseThrow();
    assertTrue(store.updateSubscription(current.with(disabled.toBuilder().enabled(true).disabledReason(null).build())));
    assertEquals(1, store.claimDue(T0.plusSeconds(60), 10, LEASE, Set.of()).size());
  }

  @Test
  void updateSubscription_fromAStaleCopy_changesNothing() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    // The dispatcher disables it (a 410) after the management API read it.
    assertTrue(store.disableSubscription("t1", a.subscription().id(), DisabledReason.ENDPOINT_GONE, T0));
    StoredSubscription stale = a.with(a.subscription().toBuilder().description("edited").build());
    assertFalse(store.updateSubscription(stale));
    StoredSubscription now = store.findSubscription("t1", a.subscription().id()).orElseThrow();
    assertEquals(Optional.of(DisabledReason.ENDPOINT_GONE), now.subscription().disabledReason());
    assertEquals(3, store.findSubscription("t1", a.subscription().id()).map(s -> {
      store.updateSubscription(s.with(s.subscription().toBuilder().description("edited").build()));
      return store.findSubscription("t1", a.subscription().id()).orElseThrow().version();
    }).orElseThrow());
  }

  @Test
  void updateSubscription_keepsWhatTheStoreMaintains_andReEnablingClearsTheFailureRun() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    publish("t1", "lookup.completed", T0);
    List<ClaimedDelivery> claims = store.claimDue(T0, 2, LEASE, Set.of());
    store.recordAttempt(claims.get(0), attempt(claims.get(0), T0, 200), DeliveryStatus.DELIVERED, null);
    store.recordAttempt(claims.get(1), attempt(claims.get(1), T0.plusSeconds(1), 500), DeliveryStatus.PENDING,
        T0.plusSeconds(60));
    // A copy read before those attempts does not erase their effects.
    assertTrue(store.updateSubscription(a.with(a.subscription().toBuilder().description("x").build())));
    StoredSubscription s = store.findSubscription("t1", a.subscription().id()).orElseThrow();
    assertEquals(Optional.of(T0.plusMillis(20)), s.subscription().lastDeliveredAt());
    assertEquals(Optional.of(T0.plusSeconds(1)), s.failingSince());

    assertTrue(store.disableSubscription("t1", a.subscription().id(), DisabledReason.MANUAL, T0));
    StoredSubscription off = store.findSubscription("t1", a.subscription().id()).orElseThrow();
    assertTrue(store.updateSubscription(off.with(off.subscription().toBuilder().enabled(true).disabledReason(null).build())));
    assertEquals(Optional.empty(), store.findSubscription("t1", a.subscription().id()).orElseThrow().failingSince());
  }

  @Test
  void retryDelivery_whileClaimed_winsOverAFailedOutcome() {
    created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    ClaimedDelivery c = store.claimDue(T0, 10, LEASE, Set.of()).get(0);
    assertTrue(store.retryDelivery("t1", c.delivery().id(), T0.plusSeconds(1)));
    assertTrue(store.recordAttempt(c, attempt(c, T0, 500), DeliveryStatus.FAILED, null));
    DeliveryRecord r = store.findDelivery("t1", c.delivery().id()).orElseThrow();
    assertEquals(DeliveryStatus.PENDING, r.status());
    assertEquals(Optional.of(T0.plusSeconds(1)), r.nextAttemptAt());
    assertEquals(1, store.claimDue(T0.plusSeconds(1), 10, LEASE, Set.of()).size());
  }

  @Test
  void claimDue_skipsTheGivenSubscriptions_withoutLosingTheirTurn() {
    StoredSubscription busy = created("t1", "https://a.example.com/", "lookup.completed");
    created("t1", "https://b.example.com/", "apikey.created");
    for (int i = 0; i < 5; i++) {
      publish("t1", "lookup.completed", T0);
    }
    publish("t1", "apikey.created", T0.plusSeconds(1));
    List<ClaimedDelivery> claims = store.claimDue(T0.plusSeconds(1), 2, LEASE, Set.of(busy.subscription().id()));
    assertEquals(1, claims.size());
    assertEquals("apikey.created", claims.get(0).delivery().eventType());
    assertEquals(2, store.claimDue(T0.plusSeconds(1), 2, LEASE, Set.of()).size());
  }

  @Test
  void deleteSubscription_removesItsDeliveries_andAClaimInFlightCannotReport() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    created("t1", "https://b.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    List<ClaimedDelivery> claims = store.claimDue(T0, 10, LEASE, Set.of());
    ClaimedDelivery ofA = claims.stream().filter(c -> c.subscription().equals(a)).findFirst().orElseThrow();
    assertTrue(store.deleteSubscription("t1", a.subscription().id()));
    assertFalse(store.recordAttempt(ofA, attempt(ofA, T0, 200), DeliveryStatus.DELIVERED, null));
    assertTrue(store.findDelivery("t1", ofA.delivery().id()).isEmpty());
    assertEquals(1, store.listDeliveries("t1", DeliveryQuery.all()).items().size());
  }

  /** Regression: the due queue orders by due time, which finished deliveries do not have. */
  @Test
  void disableRetryDelete_withFinishedDeliveries_succeed() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    publish("t1", "lookup.completed", T0);
    publish("t1", "lookup.completed", T0);
    List<ClaimedDelivery> claims = store.claimDue(T0, 2, LEASE, Set.of());
    store.recordAttempt(claims.get(0), attempt(claims.get(0), T0, 200), DeliveryStatus.DELIVERED, null);
    store.recordAttempt(claims.get(1), attempt(claims.get(1), T0, 500), DeliveryStatus.FAILED, null);
    UUID id = a.subscription().id();
    assertTrue(store.disableSubscription("t1", id, DisabledReason.MANUAL, T0));
    assertTrue(store.retryDelivery("t1", claims.get(0).delivery().id(), T0));
    assertEquals(1, store.recoverFailed("t1", id, T0, T0));
    assertTrue(store.claimDue(T0, 10, LEASE, Set.of()).isEmpty());
    assertTrue(store.deleteSubscription("t1", id));
    assertTrue(store.listDeliveries("t1", DeliveryQuery.all()).items().isEmpty());
  }

  // ---- the delivery log

  @Test
  void listDeliveries_filtersNewestFirstAndPages() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    created("t1", "https://b.example.com/", "apikey.created");
    for (int i = 0; i < 5; i++) {
      publish("t1", "lookup.completed", T0.plusSeconds(i));
    }
    publish("t1", "apikey.created", T0.plusSeconds(10));
    ClaimedDelivery c = store.claimDue(T0, 1, LEASE, Set.of()).get(0);
    store.recordAttempt(c, attempt(c, T0, 500), DeliveryStatus.FAILED, null);

    assertEquals(7, store.listDeliveries("t1", DeliveryQuery.all()).items().size());
    List<DeliveryRecord> ofA = store.listDeliveries("t1",
        DeliveryQuery.builder().subscription(a.subscription().id()).build()).items();
    assertEquals(6, ofA.size());
    assertEquals(T0.plusSeconds(10), ofA.get(0).createdAt()); // newest first
    assertEquals(1, store.listDeliveries("t1", DeliveryQuery.builder().status(DeliveryStatus.FAILED).build()).items().size());
    assertEquals(2, store.listDeliveries("t1", DeliveryQuery.builder().eventType("apikey.created").build()).items().size());
    assertEquals(2, store.listDeliveries("t1", DeliveryQuery.builder().subscription(a.subscription().id())
        .from(T0.plusSeconds(1)).to(T0.plusSeconds(3)).build()).items().size());
    Page<DeliveryRecord> page2 = store.listDeliveries("t1", DeliveryQuery.builder().page(new PageRequest(2, 3)).build());
    assertEquals(3, page2.items().size());
    assertTrue(page2.hasMore());
    assertFalse(store.listDeliveries("t1", DeliveryQuery.builder().page(new PageRequest(3, 3)).build()).hasMore());
    assertTrue(store.listDeliveries("t2", DeliveryQuery.all()).items().isEmpty());
    assertTrue(store.listDeliveries("t2", DeliveryQuery.builder().subscription(a.subscription().id()).build())
        .items().isEmpty());
    assertTrue(store.findDelivery("t2", c.delivery().id()).isEmpty());
    assertTrue(store.listAttempts("t2", c.delivery().id()).isEmpty());
  }

  @Test
  void retryDelivery_failedBecomesPendingAndClaimable() {
    created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    ClaimedDelivery c = store.claimDue(T0, 10, LEASE, Set.of()).get(0);
    store.recordAttempt(c, attempt(c, T0, 500), DeliveryStatus.FAILED, null);
    assertFalse(store.retryDelivery("t2", c.delivery().id(), T0));
    assertTrue(store.retryDelivery("t1", c.delivery().id(), T0.plusSeconds(1)));
    ClaimedDelivery again = store.claimDue(T0.plusSeconds(1), 10, LEASE, Set.of()).get(0);
    assertEquals(1, again.delivery().attemptCount());
  }

  @Test
  void recoverFailed_onlyThatSubscriptionsFailuresSinceTheTime() {
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    created("t1", "https://b.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    publish("t1", "lookup.completed", T0.plusSeconds(100));
    for (ClaimedDelivery c : store.claimDue(T0.plusSeconds(100), 10, LEASE, Set.of())) {
      store.recordAttempt(c, attempt(c, T0.plusSeconds(100), 500), DeliveryStatus.FAILED, null);
    }
    assertEquals(1, store.recoverFailed("t1", a.subscription().id(), T0.plusSeconds(50), T0.plusSeconds(200)));
    List<ClaimedDelivery> again = store.claimDue(T0.plusSeconds(200), 10, LEASE, Set.of());
    assertEquals(1, again.size());
    assertEquals(a.subscription().id(), again.get(0).delivery().subscriptionId());
    assertEquals(0, store.recoverFailed("t2", a.subscription().id(), T0, T0));
  }
}

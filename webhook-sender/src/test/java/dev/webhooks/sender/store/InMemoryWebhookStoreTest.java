package dev.webhooks.sender.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.Page;
import dev.webhooks.sender.PageRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The store contract, on the in-memory store; and what its compact fan-outs (deliveries that
 * nobody touched yet have no object of their own, and share most of their id) must not change.
 */
class InMemoryWebhookStoreTest extends WebhookStoreContract {
  @Override
  WebhookStore newStore() {
    return new InMemoryWebhookStore();
  }

  private List<DeliveryRecord> all(String tenant) {
    List<DeliveryRecord> out = new ArrayList<>();
    for (int page = 1; ; page++) {
      Page<DeliveryRecord> p = store.listDeliveries(tenant,
          DeliveryQuery.builder().page(new PageRequest(page, PageRequest.MAX_PER_PAGE)).build());
      out.addAll(p.items());
      if (!p.hasMore()) {
        return out;
      }
    }
  }

  @Test
  void manyFanOuts_everyDeliveryFoundByItsIdOnly_claimedOnce_andDeletedWithItsSubscription() {
    List<StoredSubscription> subs = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      subs.add(created("t1", "https://s" + i + ".example.com/", "*"));
    }
    created("t2", "https://other.example.com/", "*");
    for (int e = 0; e < 20; e++) {
      assertEquals(30, publish("t1", "lookup.completed", T0.plusSeconds(e)).deliveries());
    }
    publish("t2", "lookup.completed", T0);
    List<DeliveryRecord> listed = all("t1");
    assertEquals(600, listed.size());
    Set<UUID> ids = new HashSet<>();
    for (DeliveryRecord r : listed) {
      assertTrue(ids.add(r.id()));
      assertEquals(4, r.id().version());
      assertEquals(2, r.id().variant());
      assertEquals(r, store.findDelivery("t1", r.id()).orElseThrow());
      assertTrue(store.findDelivery("t2", r.id()).isEmpty());
      UUID beyond = new UUID(r.id().getMostSignificantBits(), r.id().getLeastSignificantBits() + 1000);
      assertTrue(store.findDelivery("t1", beyond).isEmpty());
      UUID otherBits = new UUID(r.id().getMostSignificantBits(), r.id().getLeastSignificantBits() ^ (1L << 40));
      assertTrue(store.findDelivery("t1", otherBits).isEmpty());
    }

    UUID gone = subs.get(7).subscription().id();
    assertTrue(store.deleteSubscription("t1", gone));
    for (DeliveryRecord r : listed) {
      assertEquals(!r.subscriptionId().equals(gone), store.findDelivery("t1", r.id()).isPresent());
    }
    assertEquals(580, all("t1").size());

    UUID skipped = subs.get(3).subscription().id();
    Set<UUID> claimed = new HashSet<>();
    for (ClaimedDelivery c : store.claimDue(T0.plusSeconds(60), 1000, LEASE, Set.of(skipped))) {
      assertTrue(claimed.add(c.delivery().id()));
      assertTrue(!c.delivery().subscriptionId().equals(skipped) && !c.delivery().subscriptionId().equals(gone));
    }
    assertEquals(560 + 1, claimed.size()); // and t2's one
    List<ClaimedDelivery> rest = store.claimDue(T0.plusSeconds(60), 1000, LEASE, Set.of());
    assertEquals(20, rest.size());
    rest.forEach(c -> assertEquals(skipped, c.delivery().subscriptionId()));
    assertEquals(T0, rest.get(0).delivery().createdAt()); // oldest first
  }

  @Test
  void anUntouchedDeliveryRetriedLater_leavesItsFanOutsTurn_andIsClaimedAtItsNewTime() {
    created("t1", "https://a.example.com/", "*");
    created("t1", "https://b.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    publish("t1", "lookup.completed", T0.plusSeconds(5));
    DeliveryRecord later = all("t1").get(3); // of the first event
    assertEquals(T0, later.createdAt());
    assertTrue(store.retryDelivery("t1", later.id(), T0.plusSeconds(20)));

    List<ClaimedDelivery> now = store.claimDue(T0.plusSeconds(10), 10, LEASE, Set.of());
    assertEquals(3, now.size());
    assertEquals(List.of(T0, T0.plusSeconds(5), T0.plusSeconds(5)),
        now.stream().map(c -> c.delivery().createdAt()).toList());
    List<ClaimedDelivery> then = store.claimDue(T0.plusSeconds(20), 10, LEASE, Set.of()); // before the first claims expire
    assertEquals(1, then.size());
    assertEquals(later.id(), then.get(0).delivery().id());
    assertTrue(store.recordAttempt(then.get(0), attempt(then.get(0), T0.plusSeconds(20), 200),
        DeliveryStatus.DELIVERED, null));
    assertEquals(DeliveryStatus.DELIVERED, store.findDelivery("t1", later.id()).orElseThrow().status());
    assertEquals(1, store.listAttempts("t1", later.id()).size());
  }

  // ---- the bounded delivery log

  /** Claims every due delivery and records each outcome, in claim (event) order. */
  private List<UUID> claimAndRecord(DeliveryStatus status, Instant at) {
    List<UUID> ids = new ArrayList<>();
    for (ClaimedDelivery c : store.claimDue(at, 1000, LEASE, Set.of())) {
      assertTrue(store.recordAttempt(c, attempt(c, at, status == DeliveryStatus.DELIVERED ? 200 : 500), status, null));
      ids.add(c.delivery().id());
    }
    return ids;
  }

  @Test
  void deliveredBeyondTheLimit_droppedOldestFirst_withTheirAttempts_givenUpAndPendingOnesKept() {
    store = new InMemoryWebhookStore(2);
    StoredSubscription a = created("t1", "https://a.example.com/", "*");
    for (int e = 0; e < 5; e++) {
      publish("t1", "lookup.completed", T0.plusSeconds(e));
    }
    List<DeliveryStatus> outcomes = List.of(DeliveryStatus.DELIVERED, DeliveryStatus.FAILED,
        DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED);
    List<UUID> ids = new ArrayList<>();
    for (ClaimedDelivery c : store.claimDue(T0.plusSeconds(10), 4, LEASE, Set.of())) {
      DeliveryStatus status = outcomes.get(ids.size());
      assertTrue(store.recordAttempt(c, attempt(c, T0.plusSeconds(10), status == DeliveryStatus.DELIVERED ? 200 : 410),
          status, null));
      ids.add(c.delivery().id());
    }
    // Three delivered, two kept: the first went, with its attempt. The given-up one stays (for
    // recover), and so does the fifth, pending.
    assertTrue(store.findDelivery("t1", ids.get(0)).isEmpty());
    assertEquals(List.of(), store.listAttempts("t1", ids.get(0)));
    for (UUID kept : ids.subList(1, 4)) {
      assertEquals(1, store.listAttempts("t1", kept).size());
    }
    assertEquals(DeliveryStatus.FAILED, store.findDelivery("t1", ids.get(1)).orElseThrow().status());
    List<DeliveryRecord> listed = all("t1");
    assertEquals(4, listed.size());
    assertEquals(1, listed.stream().filter(r -> r.status() == DeliveryStatus.PENDING).count());
    assertTrue(store.toString().contains("deliveries=4"), store::toString);
    assertEquals(1, store.recoverFailed("t1", a.subscription().id(), T0, T0.plusSeconds(20)), "the given-up one");
  }

  @Test
  void aDeliveryRetriedByHand_keptWhilePending_andCountedFromItsNewDelivery() {
    store = new InMemoryWebhookStore(1);
    created("t1", "https://a.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    UUID retried = claimAndRecord(DeliveryStatus.DELIVERED, T0).get(0);
    assertTrue(store.retryDelivery("t1", retried, T0.plusSeconds(1)));
    publish("t1", "lookup.completed", T0.plusSeconds(2));
    List<ClaimedDelivery> both = store.claimDue(T0.plusSeconds(3), 10, LEASE, Set.of());
    assertEquals(2, both.size());
    ClaimedDelivery again = both.get(0); // due first: the retry
    ClaimedDelivery second = both.get(1);
    assertEquals(retried, again.delivery().id());
    // The second delivered: the retried one's first entry comes off the queue, but it is claimed.
    assertTrue(store.recordAttempt(second, attempt(second, T0.plusSeconds(3), 200), DeliveryStatus.DELIVERED, null));
    assertEquals(DeliveryStatus.PENDING, store.findDelivery("t1", retried).orElseThrow().status());
    // Delivered again, it is the newest: the second is dropped, the retried one kept with both attempts.
    assertTrue(store.recordAttempt(again, attempt(again, T0.plusSeconds(3), 200), DeliveryStatus.DELIVERED, null));
    assertTrue(store.findDelivery("t1", second.delivery().id()).isEmpty());
    assertEquals(2, store.listAttempts("t1", retried).size());
    // And it goes when the next is delivered.
    publish("t1", "lookup.completed", T0.plusSeconds(4));
    UUID third = claimAndRecord(DeliveryStatus.DELIVERED, T0.plusSeconds(4)).get(0);
    assertTrue(store.findDelivery("t1", retried).isEmpty());
    assertEquals(DeliveryStatus.DELIVERED, store.findDelivery("t1", third).orElseThrow().status());
  }

  @Test
  void keepFinishedZero_aDeliveryLeavesTheLogOnceDelivered_andItsFanOutWithTheLast() {
    store = new InMemoryWebhookStore(0);
    created("t1", "https://a.example.com/", "*");
    created("t1", "https://b.example.com/", "*");
    publish("t1", "lookup.completed", T0);
    List<ClaimedDelivery> claims = store.claimDue(T0, 10, LEASE, Set.of());
    assertEquals(2, claims.size());
    assertTrue(store.recordAttempt(claims.get(0), attempt(claims.get(0), T0, 200), DeliveryStatus.DELIVERED, null));
    assertEquals(1, all("t1").size());
    assertTrue(store.recordAttempt(claims.get(1), attempt(claims.get(1), T0, 200), DeliveryStatus.DELIVERED, null));
    assertEquals(List.of(), all("t1"));
    assertTrue(store.toString().contains("deliveries=0"), store::toString);
    // Recording again for a dropped delivery: its lease is gone with it.
    assertFalse(store.recordAttempt(claims.get(1), attempt(claims.get(1), T0, 200), DeliveryStatus.DELIVERED, null));
  }

  @Test
  void manyFinishedAcrossFanOuts_theLogStaysAtItsLimit_andListsTheNewestFirst() {
    store = new InMemoryWebhookStore(50);
    created("t1", "https://a.example.com/", "*");
    for (int round = 0; round < 20; round++) {
      for (int e = 0; e < 30; e++) {
        publish("t1", "lookup.completed", T0.plusSeconds(round));
      }
      claimAndRecord(DeliveryStatus.DELIVERED, T0.plusSeconds(round));
    }
    List<DeliveryRecord> listed = all("t1");
    assertEquals(50, listed.size());
    assertEquals(T0.plusSeconds(19), listed.get(0).createdAt());
    assertEquals(T0.plusSeconds(18), listed.get(49).createdAt());
  }

  @Test
  void keepFinishedNegative_refused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new InMemoryWebhookStore(-1));
    assertEquals("keepFinished must be 0 or more: -1", e.getMessage());
  }
}

package dev.webhooks.sender.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.Page;
import dev.webhooks.sender.PageRequest;
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
}

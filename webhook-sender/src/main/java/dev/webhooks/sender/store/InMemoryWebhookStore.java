package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.EventFilterIndex;
import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.Page;
import dev.webhooks.sender.PageRequest;
import dev.webhooks.sender.PublishResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The default store: everything in this process's memory, lost on restart. Fast, and right for
 * tests and for applications that accept losing pending deliveries when they stop; use a JDBC
 * store where they must survive. Thread-safe: one lock makes every method atomic.
 *
 * <pre>{@code
 * WebhookSender sender = WebhookSender.builder().catalog(catalog).store(new InMemoryWebhookStore()).build();
 * }</pre>
 */
public final class InMemoryWebhookStore implements WebhookStore {
  private final Map<String, Tenant> tenants = new HashMap<>();
  private final Map<UUID, Delivery> deliveries = new HashMap<>();
  /** Pending, unleased deliveries of enabled subscriptions, by due time. */
  private final TreeSet<Delivery> due = new TreeSet<>(Delivery.BY_DUE);
  /** Claimed deliveries, by lease expiry. */
  private final TreeSet<Delivery> leased = new TreeSet<>(Delivery.BY_LEASE);
  private long leaseCounter;

  /** An empty store. */
  public InMemoryWebhookStore() {}

  /** A tenant's subscriptions, in creation order, with the indexes that make fan-out cheap. */
  private static final class Tenant {
    final Map<UUID, StoredSubscription> subscriptions = new LinkedHashMap<>();
    final Map<String, UUID> byUrl = new HashMap<>();
    final EventFilterIndex<UUID> index = new EventFilterIndex<>();
    final Map<String, String> idempotency = new HashMap<>();
    /** Every delivery of the tenant, in creation order (listed newest first). */
    final List<Delivery> deliveries = new ArrayList<>();
    /** Pending deliveries held back while their subscription is disabled. */
    final Map<UUID, List<Delivery>> parked = new HashMap<>();
  }

  /** Mutable state of one delivery; guarded by the store's lock. */
  private static final class Delivery {
    static final java.util.Comparator<Delivery> BY_DUE =
        java.util.Comparator.comparing((Delivery d) -> d.record.nextAttemptAt().orElseThrow())
            .thenComparing(d -> d.record.id());
    static final java.util.Comparator<Delivery> BY_LEASE =
        java.util.Comparator.comparing((Delivery d) -> d.leaseExpiresAt).thenComparing(d -> d.record.id());

    DeliveryRecord record;
    final byte[] payload;
    final List<AttemptRecord> attempts = new ArrayList<>(1);
    String leaseToken;
    Instant leaseExpiresAt;
    /** A manual retry asked for while claimed: it wins over the claimant's outcome. */
    Instant retryRequestedAt;

    Delivery(DeliveryRecord record, byte[] payload) {
      this.record = record;
      this.payload = payload;
    }
  }

  // ---- subscriptions

  @Override
  public synchronized void createSubscription(StoredSubscription stored) {
    Subscription s = requireNonNull(stored, "subscription == null").subscription();
    Tenant t = tenants.computeIfAbsent(s.tenantId(), k -> new Tenant());
    if (t.subscriptions.containsKey(s.id())) {
      throw new IllegalArgumentException("subscription " + s.id() + " already exists");
    }
    requireUniqueUrl(t, s);
    t.subscriptions.put(s.id(), stored.withVersion(1));
    t.byUrl.put(s.url().toString(), s.id());
    t.index.put(s.id(), s.filters());
  }

  @Override
  public synchronized Optional<StoredSubscription> findSubscription(String tenantId, UUID id) {
    Tenant t = tenants.get(tenantId);
    return t == null ? Optional.empty() : Optional.ofNullable(t.subscriptions.get(id));
  }

  @Override
  public synchronized Page<Subscription> listSubscriptions(String tenantId, PageRequest page) {
    Tenant t = tenants.get(tenantId);
    List<Subscription> all = new ArrayList<>();
    if (t != null) {
      t.subscriptions.values().forEach(s -> all.add(s.subscription()));
    }
    return slice(all, page);
  }

  @Override
  public synchronized boolean updateSubscription(StoredSubscription stored) {
    Subscription requested = requireNonNull(stored, "subscription == null").subscription();
    Tenant t = tenants.get(requested.tenantId());
    StoredSubscription previous = t == null ? null : t.subscriptions.get(requested.id());
    if (previous == null) {
      throw notFound("subscription");
    }
    if (previous.version() != stored.version()) {
      return false;
    }
    Subscription old = previous.subscription();
    // What the store maintains itself is never taken from the caller's copy.
    Subscription s = requested.toBuilder().lastDeliveredAt(old.lastDeliveredAt().orElse(null)).build();
    boolean reEnabled = s.enabled() && !old.enabled();
    if (!old.url().equals(s.url())) {
      requireUniqueUrl(t, s);
      t.byUrl.remove(old.url().toString());
      t.byUrl.put(s.url().toString(), s.id());
    }
    t.subscriptions.put(s.id(), new StoredSubscription(s, stored.secrets(),
        reEnabled ? Optional.empty() : previous.failingSince(), previous.version() + 1));
    t.index.put(s.id(), s.filters());
    if (old.enabled() && !s.enabled()) {
      park(t, s.id());
    } else if (reEnabled) {
      unpark(t, s.id());
    }
    return true;
  }

  @Override
  public synchronized boolean deleteSubscription(String tenantId, UUID id) {
    Tenant t = tenants.get(tenantId);
    StoredSubscription removed = t == null ? null : t.subscriptions.remove(id);
    if (removed == null) {
      return false;
    }
    t.byUrl.remove(removed.subscription().url().toString());
    t.index.remove(id);
    t.parked.remove(id);
    t.deliveries.removeIf(d -> {
      if (!d.record.subscriptionId().equals(id)) {
        return false;
      }
      removeFromDue(d);
      if (d.leaseToken != null) {
        leased.remove(d);
      }
      deliveries.remove(d.record.id());
      return true;
    });
    return true;
  }

  @Override
  public synchronized boolean disableSubscription(String tenantId, UUID id, DisabledReason reason, Instant at) {
    requireNonNull(reason, "reason == null");
    requireNonNull(at, "at == null");
    Tenant t = tenants.get(tenantId);
    StoredSubscription stored = t == null ? null : t.subscriptions.get(id);
    if (stored == null || !stored.subscription().enabled()) {
      return false;
    }
    Subscription disabled = stored.subscription().toBuilder().enabled(false).disabledReason(reason).updatedAt(at).build();
    t.subscriptions.put(id, stored.with(disabled).withVersion(stored.version() + 1));
    park(t, id);
    return true;
  }

  private void requireUniqueUrl(Tenant t, Subscription s) {
    UUID other = t.byUrl.get(s.url().toString());
    if (other != null && !other.equals(s.id())) {
      throw new WebhookValidationException(ErrorCode.DUPLICATE_WEBHOOK, "url",
          "a webhook with this URL already exists (" + other + ")");
    }
  }

  /** Moves a disabled subscription's due deliveries aside, so claims never scan past them. */
  private void park(Tenant t, UUID subscription) {
    List<Delivery> held = t.parked.computeIfAbsent(subscription, k -> new ArrayList<>());
    for (Delivery d : t.deliveries) {
      if (d.record.subscriptionId().equals(subscription) && removeFromDue(d)) {
        held.add(d);
      }
    }
  }

  private void unpark(Tenant t, UUID subscription) {
    List<Delivery> held = t.parked.remove(subscription);
    if (held != null) {
      due.addAll(held);
    }
  }

  // ---- publishing

  @Override
  public synchronized PublishResult publish(EventRecord event) {
    requireNonNull(event, "event == null");
    Tenant t = tenants.computeIfAbsent(event.tenantId(), k -> new Tenant());
    if (event.idempotencyKey().isPresent()) {
      String first = t.idempotency.get(event.idempotencyKey().get());
      if (first != null) {
        return new PublishResult(first, 0, true);
      }
    }
    List<UUID> targets = new ArrayList<>();
    if (event.onlySubscription().isPresent()) {
      UUID only = event.onlySubscription().get();
      if (!t.subscriptions.containsKey(only)) {
        throw notFound("subscription");
      }
      targets.add(only);
    } else {
      for (UUID id : t.index.match(event.type())) {
        if (t.subscriptions.get(id).subscription().enabled()) {
          targets.add(id);
        }
      }
    }
    for (UUID target : targets) {
      Delivery d = new Delivery(DeliveryRecord.pending(UUID.randomUUID(), event.tenantId(), target, event.id(),
          event.type(), event.createdAt()), event.payload());
      deliveries.put(d.record.id(), d);
      t.deliveries.add(d);
      // Fan-out targets enabled subscriptions only; a test event goes even to a disabled one:
      // that is how one checks a repaired endpoint before enabling it.
      due.add(d);
    }
    event.idempotencyKey().ifPresent(k -> t.idempotency.put(k, event.id()));
    return new PublishResult(event.id(), targets.size(), false);
  }

  // ---- dispatching

  @Override
  public synchronized List<ClaimedDelivery> claimDue(Instant now, int limit, Duration lease, Set<UUID> skip) {
    requireNonNull(now, "now == null");
    requireNonNull(lease, "lease == null");
    requireNonNull(skip, "skip == null");
    if (limit < 1) {
      throw new IllegalArgumentException("limit < 1");
    }
    // Leases that expired return to the queue first: their holder died or hung.
    while (!leased.isEmpty() && !leased.first().leaseExpiresAt.isAfter(now)) {
      Delivery d = leased.pollFirst();
      d.leaseToken = null;
      d.leaseExpiresAt = null;
      requeue(d);
    }
    List<ClaimedDelivery> out = new ArrayList<>(Math.min(limit, 64));
    List<Delivery> taken = new ArrayList<>();
    for (Delivery d : due) {
      if (taken.size() >= limit || d.record.nextAttemptAt().orElseThrow().isAfter(now)) {
        break;
      }
      if (!skip.contains(d.record.subscriptionId())) {
        taken.add(d);
      }
    }
    for (Delivery d : taken) {
      due.remove(d);
      StoredSubscription sub = tenants.get(d.record.tenantId()).subscriptions.get(d.record.subscriptionId());
      d.leaseToken = Long.toString(++leaseCounter);
      d.leaseExpiresAt = now.plus(lease);
      leased.add(d);
      out.add(new ClaimedDelivery(d.record, sub, d.payload, d.leaseToken, d.leaseExpiresAt));
    }
    return out;
  }

  @Override
  public synchronized boolean recordAttempt(
      ClaimedDelivery claim, AttemptRecord attempt, DeliveryStatus status, Instant nextAttemptAt) {
    requireNonNull(claim, "claim == null");
    requireNonNull(attempt, "attempt == null");
    requireNonNull(status, "status == null");
    if (status == DeliveryStatus.PENDING) {
      requireNonNull(nextAttemptAt, "nextAttemptAt == null for a pending delivery");
    }
    Delivery d = held(claim);
    if (d == null) {
      return false;
    }
    leased.remove(d);
    d.leaseToken = null;
    d.leaseExpiresAt = null;
    if (d.retryRequestedAt != null && status != DeliveryStatus.DELIVERED) {
      status = DeliveryStatus.PENDING;
      nextAttemptAt = d.retryRequestedAt;
    }
    d.retryRequestedAt = null;
    d.attempts.add(attempt);
    Instant end = attempt.startedAt().plus(attempt.duration());
    DeliveryRecord r = d.record;
    d.record = new DeliveryRecord(r.id(), r.tenantId(), r.subscriptionId(), r.eventId(), r.eventType(), status,
        r.attemptCount() + 1, r.createdAt(),
        status == DeliveryStatus.PENDING ? Optional.of(nextAttemptAt) : Optional.empty(),
        status == DeliveryStatus.DELIVERED ? Optional.of(end) : r.deliveredAt(),
        attempt.httpStatus() > 0 ? Optional.of(attempt.httpStatus()) : r.lastHttpStatus(),
        attempt.error());
    Tenant t = tenants.get(r.tenantId());
    StoredSubscription sub = t.subscriptions.get(r.subscriptionId());
    if (status == DeliveryStatus.DELIVERED) {
      t.subscriptions.put(r.subscriptionId(),
          sub.with(sub.subscription().toBuilder().lastDeliveredAt(end).build()).withFailingSince(Optional.empty()));
    } else if (sub.failingSince().isEmpty()) {
      t.subscriptions.put(r.subscriptionId(), sub.withFailingSince(Optional.of(attempt.startedAt())));
    }
    if (status == DeliveryStatus.PENDING) {
      requeue(d);
    }
    return true;
  }

  @Override
  public synchronized void release(ClaimedDelivery claim, Instant dueAt) {
    requireNonNull(dueAt, "dueAt == null");
    Delivery d = held(requireNonNull(claim, "claim == null"));
    if (d != null) {
      leased.remove(d);
      d.leaseToken = null;
      d.leaseExpiresAt = null;
      Instant at = d.retryRequestedAt != null && d.retryRequestedAt.isBefore(dueAt) ? d.retryRequestedAt : dueAt;
      d.retryRequestedAt = null;
      d.record = d.record.pendingAt(at);
      requeue(d);
    }
  }

  /**
   * Removes {@code d} from the due queue if it is there. Only a pending, unleased delivery can be:
   * the queue's comparator needs a due time, which other deliveries do not have.
   */
  private boolean removeFromDue(Delivery d) {
    return d.record.status() == DeliveryStatus.PENDING && d.leaseToken == null && due.remove(d);
  }

  /** The delivery if {@code claim} still holds its lease. */
  private Delivery held(ClaimedDelivery claim) {
    Delivery d = deliveries.get(claim.delivery().id());
    return d != null && claim.leaseToken().equals(d.leaseToken) ? d : null;
  }

  /** Back into the due queue, or parked if its subscription is disabled now. */
  private void requeue(Delivery d) {
    if (d.record.status() != DeliveryStatus.PENDING) {
      return;
    }
    Tenant t = tenants.get(d.record.tenantId());
    StoredSubscription sub = t.subscriptions.get(d.record.subscriptionId());
    if (sub != null && sub.subscription().enabled()) {
      due.add(d);
    } else if (sub != null) {
      t.parked.computeIfAbsent(d.record.subscriptionId(), k -> new ArrayList<>()).add(d);
    }
  }

  // ---- the delivery log

  @Override
  public synchronized Page<DeliveryRecord> listDeliveries(String tenantId, DeliveryQuery query) {
    requireNonNull(query, "query == null");
    Tenant t = tenants.get(tenantId);
    List<DeliveryRecord> matching = new ArrayList<>();
    if (t != null) {
      long skip = query.page().offset();
      int want = query.page().perPage() + 1; // one more tells whether a next page exists
      for (int i = t.deliveries.size() - 1; i >= 0 && matching.size() < want; i--) {
        DeliveryRecord r = t.deliveries.get(i).record;
        if (matches(r, query) && skip-- <= 0) {
          matching.add(r);
        }
      }
    }
    boolean more = matching.size() > query.page().perPage();
    return new Page<>(more ? matching.subList(0, query.page().perPage()) : matching, query.page(), more);
  }

  private static boolean matches(DeliveryRecord r, DeliveryQuery q) {
    return q.subscription().map(r.subscriptionId()::equals).orElse(true)
        && q.eventType().map(r.eventType()::equals).orElse(true)
        && q.status().map(s -> s == r.status()).orElse(true)
        && q.from().map(f -> !r.createdAt().isBefore(f)).orElse(true)
        && q.to().map(to -> r.createdAt().isBefore(to)).orElse(true);
  }

  @Override
  public synchronized Optional<DeliveryRecord> findDelivery(String tenantId, UUID deliveryId) {
    Delivery d = deliveries.get(deliveryId);
    return d != null && d.record.tenantId().equals(tenantId) ? Optional.of(d.record) : Optional.empty();
  }

  @Override
  public synchronized List<AttemptRecord> listAttempts(String tenantId, UUID deliveryId) {
    Delivery d = deliveries.get(deliveryId);
    return d != null && d.record.tenantId().equals(tenantId) ? List.copyOf(d.attempts) : List.of();
  }

  @Override
  public synchronized boolean retryDelivery(String tenantId, UUID deliveryId, Instant at) {
    requireNonNull(at, "at == null");
    Delivery d = deliveries.get(deliveryId);
    if (d == null || !d.record.tenantId().equals(tenantId)) {
      return false;
    }
    reschedule(d, at);
    return true;
  }

  @Override
  public synchronized int recoverFailed(String tenantId, UUID subscriptionId, Instant since, Instant at) {
    requireNonNull(since, "since == null");
    requireNonNull(at, "at == null");
    Tenant t = tenants.get(tenantId);
    int n = 0;
    if (t != null) {
      for (Delivery d : t.deliveries) {
        DeliveryRecord r = d.record;
        if (r.subscriptionId().equals(subscriptionId) && r.status() == DeliveryStatus.FAILED
            && !r.createdAt().isBefore(since)) {
          reschedule(d, at);
          n++;
        }
      }
    }
    return n;
  }

  /** Pending again at {@code at}; a claimed delivery keeps its claim, and the request outlives its outcome. */
  private void reschedule(Delivery d, Instant at) {
    removeFromDue(d);
    Tenant t = tenants.get(d.record.tenantId());
    List<Delivery> held = t.parked.get(d.record.subscriptionId());
    if (held != null) {
      held.remove(d);
    }
    d.record = d.record.pendingAt(at);
    if (d.leaseToken == null) {
      requeue(d);
    } else {
      d.retryRequestedAt = at;
    }
  }

  private static <T> Page<T> slice(List<T> all, PageRequest page) {
    int from = (int) Math.min(all.size(), page.offset());
    int to = Math.min(all.size(), from + page.perPage());
    return new Page<>(all.subList(from, to), page, to < all.size());
  }

  private static WebhookValidationException notFound(String what) {
    return new WebhookValidationException(ErrorCode.NOT_FOUND, null, what + " not found");
  }

  @Override
  public synchronized String toString() {
    return "InMemoryWebhookStore[tenants=" + tenants.size() + ", deliveries=" + deliveries.size()
        + ", due=" + due.size() + ", leased=" + leased.size() + "]";
  }
}

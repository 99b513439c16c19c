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
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
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
 *
 * <p>A publish keeps its deliveries together, shared by the whole fan-out: one array of their
 * subscriptions, one payload, and ids drawn once per fan-out (92 random bits shared by its
 * deliveries; the last 32 bits number them). A delivery that was never claimed nor otherwise
 * touched costs a few bytes of heap and no object of its own, so that a large fan-out is stored
 * in a few milliseconds and a large backlog stays cheap for the garbage collector. A delivery
 * gets its own record once it is claimed, retried, parked or attempted.
 *
 * <p>The delivery log keeps at most the {@value #DEFAULT_KEEP_FINISHED} most recently delivered
 * deliveries by default ({@link #InMemoryWebhookStore(int)} sets another number), with their
 * attempts; the oldest is dropped as the next one is delivered, and its event's payload once none
 * of the event's deliveries remains (the event's idempotency key stays). Pending deliveries are
 * never dropped, nor given-up ones: those stay until retried or recovered, or until their
 * subscription is deleted. Each delivered delivery kept costs about 600 bytes besides its payload,
 * which its fan-out shares; kept without a bound, they made young collections copy them again and
 * again (half the collector's time per delivery in the end-to-end benchmark), and the heap grow for
 * as long as the process sent. A delivery retried by hand and delivered again counts from then.
 */
public final class InMemoryWebhookStore implements WebhookStore {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The default of {@link #InMemoryWebhookStore(int)}: delivered deliveries kept for the delivery log. */
  public static final int DEFAULT_KEEP_FINISHED = 10_000;

  private final int keepFinished;
  /**
   * Delivered deliveries, in the order they were delivered, for dropping beyond keepFinished. A
   * delivery retried by hand and delivered again is queued again; its earlier entry is passed over.
   */
  private final ArrayDeque<Delivery> finished = new ArrayDeque<>();
  private final Map<String, Tenant> tenants = new HashMap<>();
  /** Every fan-out that still has deliveries, by the most significant bits of their ids. */
  private final Map<Long, FanOut> fanOuts = new HashMap<>();
  private long deliveryCount;
  /** Fan-outs that still have untouched deliveries (pending, unleased, due at the event's time), by due time. */
  private final TreeSet<FanOut> fresh = new TreeSet<>(FanOut.BY_DUE);
  /** Touched pending, unleased deliveries of enabled subscriptions, by due time. */
  private final TreeSet<Delivery> due = new TreeSet<>(Delivery.BY_DUE);
  /** Claimed deliveries, by lease expiry. */
  private final TreeSet<Delivery> leased = new TreeSet<>(Delivery.BY_LEASE);
  private long leaseCounter;
  private long fanOutCounter;

  /** An empty store whose delivery log keeps the last {@value #DEFAULT_KEEP_FINISHED} delivered deliveries. */
  public InMemoryWebhookStore() {
    this(DEFAULT_KEEP_FINISHED);
  }

  /**
   * An empty store whose delivery log keeps the last {@code keepFinished} delivered deliveries:
   * {@code 0} keeps none (a delivery leaves the log once delivered), {@link Integer#MAX_VALUE} keeps
   * them all for as long as the store lives. Given-up deliveries are kept whatever the number, for
   * {@code recover} and retries by hand.
   *
   * <pre>{@code
   * WebhookStore store = new InMemoryWebhookStore(100_000);   // a longer delivery log
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code keepFinished} is negative
   */
  public InMemoryWebhookStore(int keepFinished) {
    if (keepFinished < 0) {
      throw new IllegalArgumentException("keepFinished must be 0 or more: " + keepFinished);
    }
    this.keepFinished = keepFinished;
  }

  /** A tenant's subscriptions, in creation order, with the indexes that make fan-out cheap. */
  private static final class Tenant {
    final Map<UUID, StoredSubscription> subscriptions = new LinkedHashMap<>();
    final Map<String, UUID> byUrl = new HashMap<>();
    final EventFilterIndex<UUID> index = new EventFilterIndex<>();
    final Map<String, String> idempotency = new HashMap<>();
    /** Every fan-out of the tenant that still has deliveries, in creation order (listed newest first). */
    final List<FanOut> fanOuts = new ArrayList<>();
    /** Pending deliveries held back while their subscription is disabled. */
    final Map<UUID, List<Delivery>> parked = new HashMap<>();
    /** Fan-outs in {@link #fanOuts} with no delivery left: removed together once they are half. */
    int emptyFanOuts;
  }

  /**
   * The deliveries of one published event, index by index: delivery {@code i} goes to {@code
   * subscriptions[i]} and its id is {@code (msb, lsbHigh | i)}. Until it is touched ({@code
   * touched[i]} null) a delivery is pending, unleased, never attempted and due at the event's
   * time; then {@code touched[i]} holds its state, or {@link #REMOVED}.
   */
  private static final class FanOut {
    static final Comparator<FanOut> BY_DUE =
        Comparator.comparing((FanOut f) -> f.createdAt).thenComparingLong(f -> f.seq);

    final long seq;
    final String tenantId;
    final String eventId;
    final String eventType;
    final Instant createdAt;
    final byte[] payload;
    final UUID[] subscriptions;
    final long msb;
    final long lsbHigh;
    /** Allocated when the first delivery is touched. */
    Delivery[] touched;
    int untouched;
    int live;
    /** No untouched delivery before this index. */
    int cursor;

    FanOut(long seq, EventRecord event, UUID[] subscriptions, long msb, long lsbHigh) {
      this.seq = seq;
      this.tenantId = event.tenantId();
      this.eventId = event.id();
      this.eventType = event.type();
      this.createdAt = event.createdAt();
      this.payload = event.payload();
      this.subscriptions = subscriptions;
      this.msb = msb;
      this.lsbHigh = lsbHigh;
      this.untouched = subscriptions.length;
      this.live = subscriptions.length;
    }

    int size() {
      return subscriptions.length;
    }

    UUID id(int i) {
      return new UUID(msb, lsbHigh | i);
    }

    Delivery touched(int i) {
      return touched == null ? null : touched[i];
    }

    /** Delivery {@code i} as it is while untouched. */
    DeliveryRecord untouchedRecord(int i) {
      return DeliveryRecord.pending(id(i), tenantId, subscriptions[i], eventId, eventType, createdAt);
    }
  }

  /** Mutable state of one touched delivery; guarded by the store's lock. */
  private static final class Delivery {
    static final Comparator<Delivery> BY_DUE =
        Comparator.comparing((Delivery d) -> d.record.nextAttemptAt().orElseThrow())
            .thenComparing(d -> d.record.id());
    static final Comparator<Delivery> BY_LEASE =
        Comparator.comparing((Delivery d) -> d.leaseExpiresAt).thenComparing(d -> d.record.id());

    DeliveryRecord record;
    final FanOut fanOut;
    /** Null until the first attempt. */
    List<AttemptRecord> attempts;
    String leaseToken;
    Instant leaseExpiresAt;
    /** A manual retry asked for while claimed: it wins over the claimant's outcome. */
    Instant retryRequestedAt;
    /** Its entries in {@link #finished}: more than one after a retry by hand delivered it again. */
    int queued;

    Delivery(DeliveryRecord record, FanOut fanOut) {
      this.record = record;
      this.fanOut = fanOut;
    }
  }

  /** Marks a deleted delivery in {@link FanOut#touched}. */
  private static final Delivery REMOVED = new Delivery(null, null);

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
    t.fanOuts.removeIf(f -> {
      for (int i = 0; i < f.size(); i++) {
        if (!f.subscriptions[i].equals(id)) {
          continue;
        }
        Delivery d = f.touched(i);
        if (d == REMOVED) {
          continue;
        }
        if (d != null) {
          removeFromDue(d);
          if (d.leaseToken != null) {
            leased.remove(d);
          }
        }
        touch(f, i, REMOVED);
        deliveryCount--;
        f.live--;
      }
      if (f.live == 0) {
        fanOuts.remove(f.msb, f);
        return true;
      }
      return false;
    });
    t.emptyFanOuts = 0; // the scan above removed every empty fan-out
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
    for (FanOut f : t.fanOuts) {
      for (int i = 0; i < f.size(); i++) {
        if (!f.subscriptions[i].equals(subscription)) {
          continue;
        }
        Delivery d = f.touched(i);
        if (d == null) {
          held.add(materialize(f, i));
        } else if (d != REMOVED && removeFromDue(d)) {
          held.add(d);
        }
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
  public PublishResult publish(EventRecord event) {
    requireNonNull(event, "event == null");
    // The fan-out's random id bits drawn before taking the lock: SecureRandom may read the kernel's
    // source and takes a lock of its own, and claims wait for this one.
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    synchronized (this) {
      return publish(event, random);
    }
  }

  private PublishResult publish(EventRecord event, byte[] random) {
    Tenant t = tenants.computeIfAbsent(event.tenantId(), k -> new Tenant());
    if (event.idempotencyKey().isPresent()) {
      String first = t.idempotency.get(event.idempotencyKey().get());
      if (first != null) {
        return new PublishResult(first, 0, true);
      }
    }
    UUID[] targets;
    if (event.onlySubscription().isPresent()) {
      UUID only = event.onlySubscription().get();
      StoredSubscription s = t.subscriptions.get(only);
      if (s == null) {
        throw notFound("subscription");
      }
      // A test event goes even to a disabled subscription: that is how one checks a repaired
      // endpoint before enabling it.
      targets = new UUID[] {s.subscription().id()};
    } else {
      Set<UUID> matched = t.index.match(event.type());
      targets = new UUID[matched.size()];
      int n = 0;
      for (UUID id : matched) {
        if (t.subscriptions.get(id).subscription().enabled()) {
          targets[n++] = id;
        }
      }
      if (n < targets.length) {
        targets = Arrays.copyOf(targets, n);
      }
    }
    if (targets.length > 0) {
      long msb = ByteBuffer.wrap(random).getLong() & ~0xF000L | 0x4000L; // version 4
      while (fanOuts.containsKey(msb)) { // one chance in billions while fan-outs are held
        RANDOM.nextBytes(random);
        msb = ByteBuffer.wrap(random).getLong() & ~0xF000L | 0x4000L;
      }
      long lsbHigh = ByteBuffer.wrap(random).getLong(8) & 0x3FFF_FFFF_0000_0000L | 0x8000_0000_0000_0000L; // IETF variant
      FanOut f = new FanOut(++fanOutCounter, event, targets, msb, lsbHigh);
      fanOuts.put(msb, f);
      deliveryCount += targets.length;
      t.fanOuts.add(f);
      fresh.add(f);
    }
    event.idempotencyKey().ifPresent(k -> t.idempotency.put(k, event.id()));
    return new PublishResult(event.id(), targets.length, false);
  }

  // ---- dispatching

  /** A claim taken from the touched queue ({@code delivery}) or from a fan-out's untouched deliveries. */
  private record Pick(Delivery delivery, FanOut fanOut, int index) {}

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
    // Both queues in due order, merged: touched deliveries, and fan-outs' untouched ones.
    List<Pick> picks = new ArrayList<>(Math.min(limit, 64));
    Iterator<Delivery> dueIt = due.iterator();
    Delivery d = dueIt.hasNext() ? dueIt.next() : null;
    Iterator<FanOut> freshIt = fresh.iterator();
    FanOut f = freshIt.hasNext() ? freshIt.next() : null;
    int i = f == null ? 0 : f.cursor;
    while (picks.size() < limit && (d != null || f != null)) {
      boolean fromDue = f == null || (d != null && !d.record.nextAttemptAt().orElseThrow().isAfter(f.createdAt));
      Instant at = fromDue ? d.record.nextAttemptAt().orElseThrow() : f.createdAt;
      if (at.isAfter(now)) {
        break;
      }
      if (fromDue) {
        if (!skip.contains(d.record.subscriptionId())) {
          picks.add(new Pick(d, null, 0));
        }
        d = dueIt.hasNext() ? dueIt.next() : null;
      } else {
        while (i < f.size() && (f.touched(i) != null || skip.contains(f.subscriptions[i]))) {
          i++;
        }
        if (i < f.size()) {
          picks.add(new Pick(null, f, i++));
        } else {
          f = freshIt.hasNext() ? freshIt.next() : null;
          i = f == null ? 0 : f.cursor;
        }
      }
    }
    List<ClaimedDelivery> out = new ArrayList<>(picks.size());
    for (Pick p : picks) {
      Delivery claimed = p.delivery;
      if (claimed == null) {
        claimed = materialize(p.fanOut, p.index);
      } else {
        due.remove(claimed);
      }
      StoredSubscription sub = tenants.get(claimed.record.tenantId()).subscriptions.get(claimed.record.subscriptionId());
      claimed.leaseToken = Long.toString(++leaseCounter);
      claimed.leaseExpiresAt = now.plus(lease);
      leased.add(claimed);
      out.add(new ClaimedDelivery(claimed.record, sub, claimed.fanOut.payload, claimed.leaseToken,
          claimed.leaseExpiresAt));
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
    // Kept for the delivery log, which young collections copy: most deliveries have one attempt,
    // and the smallest list holds it.
    if (d.attempts == null) {
      d.attempts = List.of(attempt);
    } else {
      List<AttemptRecord> more = new ArrayList<>(d.attempts.size() + 1);
      more.addAll(d.attempts);
      more.add(attempt);
      d.attempts = more;
    }
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
      // The later end wins: attempts in parallel finish in any order.
      Instant last = sub.subscription().lastDeliveredAt().filter(l -> l.isAfter(end)).orElse(end);
      t.subscriptions.put(r.subscriptionId(),
          sub.with(sub.subscription().toBuilder().lastDeliveredAt(last).build()).withFailingSince(Optional.empty()));
    } else if (sub.failingSince().isEmpty()) {
      t.subscriptions.put(r.subscriptionId(), sub.withFailingSince(Optional.of(attempt.startedAt())));
    }
    if (status == DeliveryStatus.PENDING) {
      requeue(d);
    } else if (status == DeliveryStatus.DELIVERED) {
      delivered(d);
    }
    return true;
  }

  /** Queues {@code d}, just delivered, for the log, and drops the oldest beyond {@link #keepFinished}. */
  private void delivered(Delivery d) {
    d.queued++;
    finished.addLast(d);
    while (finished.size() > keepFinished) {
      Delivery oldest = finished.pollFirst();
      if (--oldest.queued == 0) {
        dropDelivered(oldest);
      }
    }
  }

  /**
   * Drops a delivered delivery from the log; not one retried by hand since (pending, leased or
   * given up now) or deleted already.
   */
  private void dropDelivered(Delivery d) {
    if (d.record.status() != DeliveryStatus.DELIVERED || d.leaseToken != null) {
      return;
    }
    FanOut f = d.fanOut;
    int i = indexOf(d.record.id());
    if (f.touched(i) != d) {
      return; // deleted with its subscription
    }
    touch(f, i, REMOVED);
    deliveryCount--;
    if (--f.live == 0) {
      fanOuts.remove(f.msb, f);
      Tenant t = tenants.get(f.tenantId);
      // Removed from the tenant's list in bulk: one at a time would scan the list each time.
      if (t != null && ++t.emptyFanOuts > t.fanOuts.size() / 2) {
        t.fanOuts.removeIf(x -> x.live == 0);
        t.emptyFanOuts = 0;
      }
    }
  }

  /**
   * No: a call costs its lock per outcome and nothing more, so gathering outcomes into one call
   * would only make workers wait on each other.
   */
  @Override
  public boolean batchesPayOff() {
    return false;
  }

  /** Under one lock. */
  @Override
  public synchronized void releaseAll(List<ClaimedDelivery> claims, Instant dueAt) {
    requireNonNull(dueAt, "dueAt == null");
    for (ClaimedDelivery c : claims) {
      release(c, dueAt);
    }
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
    Delivery d = touchedDelivery(claim.delivery().id());
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

  // ---- touching a fan-out's deliveries

  /**
   * Gives untouched delivery {@code i} of {@code f} its own state, pending and due at the event's
   * time as it was, in no queue: the caller queues, parks or leases it.
   */
  private Delivery materialize(FanOut f, int i) {
    Delivery d = new Delivery(f.untouchedRecord(i), f);
    touch(f, i, d);
    return d;
  }

  /** Sets {@code f.touched[i]}, untouched until now, and keeps the fan-out's queue place right. */
  private void touch(FanOut f, int i, Delivery d) {
    if (f.touched == null) {
      f.touched = new Delivery[f.size()];
    }
    if (f.touched[i] != null) {
      f.touched[i] = d;
      return;
    }
    f.touched[i] = d;
    if (--f.untouched == 0) {
      fresh.remove(f);
    }
    while (f.cursor < f.size() && f.touched[f.cursor] != null) {
      f.cursor++;
    }
  }

  /** The fan-out holding delivery {@code id} (at {@link #indexOf}); null when absent or deleted. */
  private FanOut fanOutOf(UUID id) {
    if (id == null) {
      return null;
    }
    FanOut f = fanOuts.get(id.getMostSignificantBits());
    long lsb = id.getLeastSignificantBits();
    int i = indexOf(id);
    return f == null || (lsb & ~0xFFFF_FFFFL) != f.lsbHigh || i < 0 || i >= f.size() || f.touched(i) == REMOVED
        ? null : f;
  }

  private static int indexOf(UUID id) {
    return (int) id.getLeastSignificantBits();
  }

  /** The touched state of delivery {@code id}; null when absent or untouched. */
  private Delivery touchedDelivery(UUID id) {
    FanOut f = fanOutOf(id);
    return f == null ? null : f.touched(indexOf(id));
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
      for (int k = t.fanOuts.size() - 1; k >= 0 && matching.size() < want; k--) {
        FanOut f = t.fanOuts.get(k);
        // What the fan-out shares decides for all its deliveries at once.
        if (query.eventType().map(e -> !e.equals(f.eventType)).orElse(false)
            || query.from().map(from -> f.createdAt.isBefore(from)).orElse(false)
            || query.to().map(to -> !f.createdAt.isBefore(to)).orElse(false)) {
          continue;
        }
        for (int i = f.size() - 1; i >= 0 && matching.size() < want; i--) {
          Delivery d = f.touched(i);
          if (d == REMOVED || !query.subscription().map(f.subscriptions[i]::equals).orElse(true)) {
            continue;
          }
          DeliveryStatus status = d == null ? DeliveryStatus.PENDING : d.record.status();
          if (query.status().map(s -> s == status).orElse(true) && skip-- <= 0) {
            matching.add(d == null ? f.untouchedRecord(i) : d.record);
          }
        }
      }
    }
    boolean more = matching.size() > query.page().perPage();
    return new Page<>(more ? matching.subList(0, query.page().perPage()) : matching, query.page(), more);
  }

  @Override
  public synchronized Optional<DeliveryRecord> findDelivery(String tenantId, UUID deliveryId) {
    FanOut f = fanOutOf(deliveryId);
    if (f == null || !f.tenantId.equals(tenantId)) {
      return Optional.empty();
    }
    int i = indexOf(deliveryId);
    Delivery d = f.touched(i);
    return Optional.of(d == null ? f.untouchedRecord(i) : d.record);
  }

  @Override
  public synchronized List<AttemptRecord> listAttempts(String tenantId, UUID deliveryId) {
    Delivery d = touchedDelivery(deliveryId);
    return d != null && d.attempts != null && d.record.tenantId().equals(tenantId) ? List.copyOf(d.attempts)
        : List.of();
  }

  @Override
  public synchronized boolean retryDelivery(String tenantId, UUID deliveryId, Instant at) {
    requireNonNull(at, "at == null");
    FanOut f = fanOutOf(deliveryId);
    if (f == null || !f.tenantId.equals(tenantId)) {
      return false;
    }
    int i = indexOf(deliveryId);
    Delivery d = f.touched(i);
    reschedule(d != null ? d : materialize(f, i), at);
    return true;
  }

  @Override
  public synchronized int recoverFailed(String tenantId, UUID subscriptionId, Instant since, Instant at) {
    requireNonNull(since, "since == null");
    requireNonNull(at, "at == null");
    Tenant t = tenants.get(tenantId);
    int n = 0;
    if (t != null) {
      for (FanOut f : t.fanOuts) {
        if (f.touched == null || f.createdAt.isBefore(since)) {
          continue; // untouched deliveries never failed
        }
        for (int i = 0; i < f.size(); i++) {
          Delivery d = f.touched[i];
          if (d != null && d != REMOVED && f.subscriptions[i].equals(subscriptionId)
              && d.record.status() == DeliveryStatus.FAILED) {
            reschedule(d, at);
            n++;
          }
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
    long untouched = 0;
    for (FanOut f : fresh) {
      untouched += f.untouched;
    }
    return "InMemoryWebhookStore[tenants=" + tenants.size() + ", deliveries=" + deliveryCount
        + ", due=" + (due.size() + untouched) + ", leased=" + leased.size() + "]";
  }
}

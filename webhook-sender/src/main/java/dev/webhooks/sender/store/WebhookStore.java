package dev.webhooks.sender.store;

import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.Page;
import dev.webhooks.sender.PageRequest;
import dev.webhooks.sender.PublishResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Where the sender keeps subscriptions, events, deliveries and attempts. Every method is
 * thread-safe and atomic: it takes effect wholly or not at all, so a failure never leaves half a
 * publish or half a delete behind. Every lookup is scoped by tenant: an id of another tenant is
 * "not found".
 *
 * <p>Several sender nodes may share one store: {@link #claimDue} hands each due delivery to one
 * claimant at a time, for the length of a lease; a node that dies loses its leases when they expire
 * and another node claims the deliveries again.
 *
 * <p>Implementations: {@link InMemoryWebhookStore} (the default: fast, lost on restart) and
 * {@code JdbcWebhookStore} (H2 or PostgreSQL: durable, shared by several nodes), both held to the
 * same contract tests.
 */
public interface WebhookStore extends AutoCloseable {

  // ---- subscriptions

  /**
   * Adds a subscription, at version 1.
   *
   * @throws dev.webhooks.core.WebhookValidationException {@code DUPLICATE_WEBHOOK} (field
   *     {@code url}) when the tenant already has a subscription with this URL
   */
  void createSubscription(StoredSubscription subscription);

  Optional<StoredSubscription> findSubscription(String tenantId, UUID id);

  /** The tenant's subscriptions, oldest first. */
  Page<Subscription> listSubscriptions(String tenantId, PageRequest page);

  /**
   * Replaces a subscription's view and secrets if its version is still {@code subscription.version()},
   * and increments the version. What the store maintains itself is kept: {@code lastDeliveredAt} and
   * {@code failingSince} (the latter cleared when the update enables a disabled subscription).
   *
   * @return {@code false}, changing nothing, when the stored version differs: another update came
   *     first; read again and retry
   * @throws dev.webhooks.core.WebhookValidationException {@code NOT_FOUND} when absent, or
   *     {@code DUPLICATE_WEBHOOK} when the new URL is another subscription's of the tenant
   */
  boolean updateSubscription(StoredSubscription subscription);

  /** Deletes a subscription with its deliveries and their attempts; {@code false} when absent. */
  boolean deleteSubscription(String tenantId, UUID id);

  /**
   * Disables a subscription for {@code reason} unless it is already disabled, incrementing its
   * version; pending deliveries are kept (a re-enabled subscription receives them). {@code false}
   * when absent or already disabled.
   */
  boolean disableSubscription(String tenantId, UUID id, DisabledReason reason, Instant at);

  // ---- publishing

  /**
   * Stores an event and one pending delivery, due at once, per enabled subscription of its tenant
   * whose filters match its type (or, for a test event, for its one subscription), atomically.
   * With an idempotency key already used by the tenant, creates nothing and returns the first
   * event's id with {@code duplicate} set.
   */
  PublishResult publish(EventRecord event);

  // ---- dispatching

  /**
   * Claims up to {@code limit} pending deliveries due at {@code now}, oldest due first (in any
   * order among those due at the same instant), whose
   * subscriptions are enabled and not in {@code skip}, and that no unexpired lease holds, each
   * until {@code now + lease}. The dispatcher skips endpoints it cannot serve now (at their
   * concurrency cap, circuit open), so that their backlog never crowds out other endpoints.
   */
  List<ClaimedDelivery> claimDue(Instant now, int limit, Duration lease, Set<UUID> skip);

  /**
   * Records an attempt of a claimed delivery and its new state, and releases the claim: with
   * {@code PENDING}, due again at {@code nextAttemptAt}. With {@code DELIVERED}, the subscription's
   * {@code lastDeliveredAt} becomes the attempt's end unless it is later already (attempts in
   * parallel finish in any order) and its {@code failingSince} is cleared;
   * otherwise its {@code failingSince} becomes the attempt's start unless already set. A manual
   * {@link #retryDelivery} made while the delivery was claimed wins over any outcome but
   * {@code DELIVERED}: the delivery stays pending, due at the requested time. Does nothing and
   * answers {@code false} when the lease was lost (expired and claimed by another) or the
   * delivery was deleted.
   */
  boolean recordAttempt(ClaimedDelivery claim, AttemptRecord attempt, DeliveryStatus status, Instant nextAttemptAt);

  /**
   * Records several outcomes, each exactly as {@link #recordAttempt} would, in the order given;
   * element {@code i} of the answer is what {@code recordAttempt} would have answered for
   * outcome {@code i}. The sender calls it with the outcomes its workers reached while the
   * previous call ran, so that a store that pays per transaction (a commit waits for the disk)
   * pays once for many. If it throws, none of the outcomes may have been recorded in part: each
   * is recorded in full or not at all (its lease then expires and the delivery is attempted
   * again). The default records them one by one.
   *
   * <pre>{@code
   * boolean[] kept = store.recordAttempts(List.of(
   *     new AttemptOutcome(claim, attempt, DeliveryStatus.DELIVERED, null)));
   * }</pre>
   */
  default boolean[] recordAttempts(List<AttemptOutcome> outcomes) {
    boolean[] kept = new boolean[outcomes.size()];
    for (int i = 0; i < kept.length; i++) {
      AttemptOutcome o = outcomes.get(i);
      kept[i] = recordAttempt(o.claim(), o.attempt(), o.status(), o.nextAttemptAt());
    }
    return kept;
  }

  /**
   * Gives a claim back without an attempt, due again at {@code dueAt}: at once on a graceful
   * shutdown, later when the sender defers it (its endpoint is at its concurrency cap or its
   * circuit is open). Does nothing when the lease was lost.
   */
  void release(ClaimedDelivery claim, Instant dueAt);

  /**
   * Gives several claims back, each exactly as {@link #release} would, all due again at
   * {@code dueAt}. The sender calls it when it defers many claims at once (an endpoint whose
   * circuit just opened, with its backlog due), so that a store paying per transaction pays once.
   * If it throws, some claims may have gone back and others not; those not released are claimable
   * again when their lease expires. The default releases them one by one.
   *
   * <pre>{@code
   * store.releaseAll(deferred, pausedUntil);
   * }</pre>
   */
  default void releaseAll(List<ClaimedDelivery> claims, Instant dueAt) {
    for (ClaimedDelivery c : claims) {
      release(c, dueAt);
    }
  }

  /**
   * Whether each call costs a fixed price whatever it carries (a transaction, its commit, a round
   * trip to a database), so that fewer, larger calls pay off. Then the sender gathers the outcomes
   * its workers reach while a {@link #recordAttempts} call runs into the next call (group commit),
   * each worker waiting for the call that holds its outcome. A store whose calls cost little more
   * than a lock answers {@code false}: each worker then records its own outcome at once, with no
   * waiting on another thread. The sender asks once, when it is built. The default is {@code
   * true}; {@link InMemoryWebhookStore} answers {@code false}.
   *
   * <pre>{@code
   * boolean grouped = new InMemoryWebhookStore().batchesPayOff();  // false: a call is a lock
   * }</pre>
   */
  default boolean batchesPayOff() {
    return true;
  }

  // ---- the delivery log

  Page<DeliveryRecord> listDeliveries(String tenantId, DeliveryQuery query);

  Optional<DeliveryRecord> findDelivery(String tenantId, UUID deliveryId);

  /** A delivery's attempts, first to last; empty when the delivery is absent. */
  List<AttemptRecord> listAttempts(String tenantId, UUID deliveryId);

  /**
   * Makes a delivery pending again, due at {@code at}, whatever its state, also while it is
   * claimed (the claimant's outcome then does not undo it); {@code false} when absent. Its attempt
   * count is kept, and further retries follow the policy from there.
   */
  boolean retryDelivery(String tenantId, UUID deliveryId, Instant at);

  /** Makes every failed delivery of a subscription created at or after {@code since} pending, due at {@code at}. */
  int recoverFailed(String tenantId, UUID subscriptionId, Instant since, Instant at);

  // ---- waking the workers

  /**
   * Asks the store to run {@code wakeUp} when new work may be due that another node (or another
   * store client) added, so that workers need not wait for their next poll. Stores that cannot
   * tell ignore it, the default. The sender registers its workers when it starts.
   */
  default void addWorkListener(Runnable wakeUp) {}

  /** Undoes {@link #addWorkListener}. */
  default void removeWorkListener(Runnable wakeUp) {}

  /** Releases what the store holds (connections, threads). The default does nothing. */
  @Override
  default void close() {}
}

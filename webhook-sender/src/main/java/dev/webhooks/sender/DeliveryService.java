package dev.webhooks.sender;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.subscription.SubscriptionValidator;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.WebhookStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The delivery log of each tenant: list deliveries with the products' filters, read one with its
 * attempts, retry one by hand, recover a subscription's failures. Thread-safe and tenant-scoped:
 * another tenant's ids are {@code NOT_FOUND}.
 *
 * <pre>{@code
 * Page<DeliveryRecord> failed = sender.deliveries().list("tenant-42",
 *     DeliveryQuery.builder().subscription(id).status(DeliveryStatus.FAILED).build());
 * sender.deliveries().retry("tenant-42", failed.items().get(0).id());
 * sender.deliveries().recover("tenant-42", id, Instant.parse("2026-06-01T00:00:00Z"));
 * }</pre>
 */
public final class DeliveryService {
  private final WebhookStore store;
  private final Clock clock;
  private final Runnable wakeUp;

  DeliveryService(WebhookStore store, Clock clock, Runnable wakeUp) {
    this.store = requireNonNull(store, "store == null");
    this.clock = requireNonNull(clock, "clock == null");
    this.wakeUp = requireNonNull(wakeUp, "wakeUp == null");
  }

  /** The tenant's deliveries matching {@code query}, newest first. */
  public Page<DeliveryRecord> list(String tenantId, DeliveryQuery query) {
    SubscriptionValidator.requireTenantId(tenantId);
    return store.listDeliveries(tenantId, requireNonNull(query, "query == null"));
  }

  /** @throws WebhookValidationException {@code NOT_FOUND} */
  public DeliveryRecord get(String tenantId, UUID deliveryId) {
    SubscriptionValidator.requireTenantId(tenantId);
    return store.findDelivery(tenantId, requireNonNull(deliveryId, "deliveryId == null"))
        .orElseThrow(DeliveryService::notFound);
  }

  /** A delivery's attempts, first to last. @throws WebhookValidationException {@code NOT_FOUND} */
  public List<AttemptRecord> attempts(String tenantId, UUID deliveryId) {
    get(tenantId, deliveryId);
    return store.listAttempts(tenantId, deliveryId);
  }

  /**
   * Attempts a delivery again now, whatever its state. A delivery that already used all its
   * attempts gets this one more; one that did not continues its retry schedule.
   *
   * @throws WebhookValidationException {@code NOT_FOUND}
   */
  public DeliveryRecord retry(String tenantId, UUID deliveryId) {
    SubscriptionValidator.requireTenantId(tenantId);
    if (!store.retryDelivery(tenantId, requireNonNull(deliveryId, "deliveryId == null"), clock.instant())) {
      throw notFound();
    }
    wakeUp.run();
    return get(tenantId, deliveryId);
  }

  /**
   * Attempts again, now, every failed delivery of a subscription created at or after {@code since},
   * e.g. after its endpoint was repaired and re-enabled.
   *
   * @return how many deliveries were requeued
   * @throws WebhookValidationException {@code NOT_FOUND} when the subscription does not exist
   */
  public int recover(String tenantId, UUID subscriptionId, Instant since) {
    SubscriptionValidator.requireTenantId(tenantId);
    requireNonNull(since, "since == null");
    if (store.findSubscription(tenantId, requireNonNull(subscriptionId, "subscriptionId == null")).isEmpty()) {
      throw new WebhookValidationException(ErrorCode.NOT_FOUND, "id", "webhook not found");
    }
    int n = store.recoverFailed(tenantId, subscriptionId, since, clock.instant());
    if (n > 0) {
      wakeUp.run();
    }
    return n;
  }

  private static WebhookValidationException notFound() {
    return new WebhookValidationException(ErrorCode.NOT_FOUND, "delivery_id", "delivery not found");
  }
}

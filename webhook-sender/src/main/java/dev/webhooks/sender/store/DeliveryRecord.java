package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One event's delivery to one subscription, as the delivery log shows it. Immutable.
 *
 * @param nextAttemptAt when it is due, while {@link DeliveryStatus#PENDING}
 * @param lastHttpStatus the status of the last attempt that got an answer
 * @param lastError the error of the last attempt, if it failed
 */
public record DeliveryRecord(UUID id, String tenantId, UUID subscriptionId, String eventId, String eventType,
    DeliveryStatus status, int attemptCount, Instant createdAt, Optional<Instant> nextAttemptAt,
    Optional<Instant> deliveredAt, Optional<Integer> lastHttpStatus, Optional<String> lastError) {
  public DeliveryRecord {
    requireNonNull(id, "id == null");
    requireNonNull(tenantId, "tenantId == null");
    requireNonNull(subscriptionId, "subscriptionId == null");
    requireNonNull(eventId, "eventId == null");
    requireNonNull(eventType, "eventType == null");
    requireNonNull(status, "status == null");
    requireNonNull(createdAt, "createdAt == null");
    requireNonNull(nextAttemptAt, "nextAttemptAt == null");
    requireNonNull(deliveredAt, "deliveredAt == null");
    requireNonNull(lastHttpStatus, "lastHttpStatus == null");
    requireNonNull(lastError, "lastError == null");
    if (attemptCount < 0) {
      throw new IllegalArgumentException("attemptCount < 0");
    }
  }

  /** A new pending delivery, due at {@code createdAt}. */
  public static DeliveryRecord pending(UUID id, String tenantId, UUID subscriptionId, String eventId, String eventType,
      Instant createdAt) {
    return new DeliveryRecord(id, tenantId, subscriptionId, eventId, eventType, DeliveryStatus.PENDING, 0, createdAt,
        Optional.of(createdAt), Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** This delivery pending again, due at {@code at}; its attempts and their outcomes kept. */
  public DeliveryRecord pendingAt(Instant at) {
    return new DeliveryRecord(id, tenantId, subscriptionId, eventId, eventType, DeliveryStatus.PENDING, attemptCount,
        createdAt, Optional.of(requireNonNull(at, "at == null")), deliveredAt, lastHttpStatus, lastError);
  }
}

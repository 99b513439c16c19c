package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The outcome of one attempt of a claimed delivery, as the sender hands it to
 * {@link WebhookStore#recordAttempts}: the attempt and the delivery's new state. Immutable;
 * {@code toString()} shows no secret or payload.
 *
 * @param nextAttemptAt when a {@code PENDING} delivery is due again; {@code null} otherwise
 */
public record AttemptOutcome(ClaimedDelivery claim, AttemptRecord attempt, DeliveryStatus status,
    Instant nextAttemptAt) {
  /**
   * @throws NullPointerException when a part is missing, or {@code nextAttemptAt} for a
   *     {@code PENDING} outcome
   */
  public AttemptOutcome {
    requireNonNull(claim, "claim == null");
    requireNonNull(attempt, "attempt == null");
    requireNonNull(status, "status == null");
    if (status == DeliveryStatus.PENDING) {
      requireNonNull(nextAttemptAt, "nextAttemptAt == null for a pending delivery");
    }
  }
}

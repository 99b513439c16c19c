package dev.webhooks.sender;

import static java.util.Objects.requireNonNull;

/**
 * What {@code publish} did: the event's id (the {@code webhook-id} receivers see), how many
 * deliveries it created, and whether it was a repeat of an earlier publish with the same
 * idempotency key (then nothing new was created and {@code eventId} is the first event's).
 * Immutable.
 */
public record PublishResult(String eventId, int deliveries, boolean duplicate) {
  public PublishResult {
    requireNonNull(eventId, "eventId == null");
    if (deliveries < 0) {
      throw new IllegalArgumentException("deliveries < 0");
    }
  }
}

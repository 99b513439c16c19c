package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * A delivery claimed by one worker until its lease expires: what the worker needs to attempt it
 * (the subscription with its secrets, the payload), and the token that proves the claim is still
 * its own when it reports the outcome. Immutable; {@code toString()} shows no secret or payload.
 */
public final class ClaimedDelivery {
  private final DeliveryRecord delivery;
  private final StoredSubscription subscription;
  private final byte[] payload;
  private final String leaseToken;
  private final Instant leaseExpiresAt;

  public ClaimedDelivery(DeliveryRecord delivery, StoredSubscription subscription, byte[] payload, String leaseToken,
      Instant leaseExpiresAt) {
    this.delivery = requireNonNull(delivery, "delivery == null");
    this.subscription = requireNonNull(subscription, "subscription == null");
    this.payload = requireNonNull(payload, "payload == null");
    this.leaseToken = requireNonNull(leaseToken, "leaseToken == null");
    this.leaseExpiresAt = requireNonNull(leaseExpiresAt, "leaseExpiresAt == null");
  }

  public DeliveryRecord delivery() {
    return delivery;
  }

  public StoredSubscription subscription() {
    return subscription;
  }

  /** The envelope's bytes, shared with the event's other deliveries: do not modify. */
  public byte[] payload() {
    return payload;
  }

  public String leaseToken() {
    return leaseToken;
  }

  public Instant leaseExpiresAt() {
    return leaseExpiresAt;
  }

  @Override
  public String toString() {
    return "ClaimedDelivery[" + delivery.id() + ", attempt " + (delivery.attemptCount() + 1)
        + ", lease until " + leaseExpiresAt + "]";
  }
}

package dev.webhooks.sender;

import dev.webhooks.core.subscription.DisabledReason;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;

/**
 * Hears what the dispatcher does: the channel for metrics and alerts (logs are for people). Every
 * method has an empty default, so implement only what you need.
 *
 * <p>Called on the dispatcher's worker threads, after the store has recorded the change: keep it
 * fast and non-blocking (hand slow work to your own executor). An exception it throws is logged
 * and otherwise ignored; it never changes what happens to a delivery.
 *
 * <pre>{@code
 * DeliveryListener metrics = new DeliveryListener() {
 *   @Override public void onAttempt(DeliveryRecord d, AttemptRecord a) { attempts.increment(); }
 *   @Override public void onSubscriptionDisabled(Subscription s, DisabledReason why) { alert(s.tenantId(), s.id(), why); }
 * };
 * }</pre>
 */
public interface DeliveryListener {
  /** Does nothing: the default. */
  DeliveryListener NONE = new DeliveryListener() {
    @Override
    public String toString() {
      return "DeliveryListener.NONE";
    }
  };

  /** After every attempt, whatever its outcome; {@code delivery} is its state after the attempt. */
  default void onAttempt(DeliveryRecord delivery, AttemptRecord attempt) {}

  /** A delivery received a 2xx answer. */
  default void onDelivered(DeliveryRecord delivery) {}

  /** A delivery was given up: its retries are exhausted, or its endpoint is gone. */
  default void onGivenUp(DeliveryRecord delivery) {}

  /** A subscription was disabled by the sender: it answered 410, or failed for too long. */
  default void onSubscriptionDisabled(Subscription subscription, DisabledReason reason) {}
}

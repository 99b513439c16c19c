package dev.webhooks.sender;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.subscription.Subscription;

/**
 * A new subscription and its signing secret, returned once: at creation or at rotation. Hand the
 * secret to the receiver and forget it; it cannot be read again. {@link #toString()} is redacted.
 */
public final class CreatedSubscription {
  private final Subscription subscription;
  private final String secret;

  CreatedSubscription(Subscription subscription, String secret) {
    this.subscription = requireNonNull(subscription, "subscription == null");
    this.secret = requireNonNull(secret, "secret == null");
  }

  public Subscription subscription() {
    return subscription;
  }

  /** The signing secret, {@code whsec_…}. Shown once; never log it. */
  public String secret() {
    return secret;
  }

  @Override
  public String toString() {
    return "CreatedSubscription[" + subscription.id() + ", secret=<redacted>]";
  }
}

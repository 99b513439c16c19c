package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.subscription.Subscription;
import java.time.Instant;
import java.util.List;

/**
 * A subscription as the store keeps it: its public view and the secrets it signs with, newest
 * first. Immutable; {@code toString()} shows no secret.
 *
 * @param subscription the public view
 * @param secrets at least one; the first is the current one
 */
public record StoredSubscription(Subscription subscription, List<SigningSecret> secrets) {
  public StoredSubscription {
    requireNonNull(subscription, "subscription == null");
    secrets = List.copyOf(requireNonNull(secrets, "secrets == null"));
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("a subscription needs at least one secret");
    }
  }

  /** The secrets that still sign at {@code now}, newest first. */
  public List<SigningSecret> activeSecrets(Instant now) {
    return secrets.stream().filter(s -> s.isActive(now)).toList();
  }

  /** This record with another public view and the same secrets. */
  public StoredSubscription with(Subscription updated) {
    return new StoredSubscription(updated, secrets);
  }
}

package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.subscription.Subscription;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A subscription as the store keeps it: its public view, the secrets it signs with (newest
 * first), and since when it has been failing without a success in between, which the store keeps
 * up to date as attempts are recorded. Immutable; {@code toString()} shows no secret.
 *
 * @param subscription the public view
 * @param secrets at least one; the first is the current one
 * @param failingSince the start of the current run of failed attempts, if the last attempt failed
 */
public record StoredSubscription(Subscription subscription, List<SigningSecret> secrets, Optional<Instant> failingSince) {
  public StoredSubscription {
    requireNonNull(subscription, "subscription == null");
    secrets = List.copyOf(requireNonNull(secrets, "secrets == null"));
    requireNonNull(failingSince, "failingSince == null");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("a subscription needs at least one secret");
    }
  }

  /** A subscription that is not failing. */
  public StoredSubscription(Subscription subscription, List<SigningSecret> secrets) {
    this(subscription, secrets, Optional.empty());
  }

  /** The secrets that still sign at {@code now}, newest first. */
  public List<SigningSecret> activeSecrets(Instant now) {
    return secrets.stream().filter(s -> s.isActive(now)).toList();
  }

  /** This record with another public view, the same secrets and failure state. */
  public StoredSubscription with(Subscription updated) {
    return new StoredSubscription(updated, secrets, failingSince);
  }

  /** This record with another failure state. */
  public StoredSubscription withFailingSince(Optional<Instant> since) {
    return new StoredSubscription(subscription, secrets, since);
  }
}

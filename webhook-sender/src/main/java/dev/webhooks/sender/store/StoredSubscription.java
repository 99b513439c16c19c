package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.subscription.Subscription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A subscription as the store keeps it: its public view, the secrets it signs with (newest
 * first), since when it has been failing without a success in between (kept up to date by the
 * store as attempts are recorded), and a version that every update and disable increments, so
 * that a read-modify-write can detect a change made in between. Immutable; {@code toString()}
 * shows no secret.
 *
 * @param subscription the public view
 * @param secrets at least one; the first is the current one
 * @param failingSince the start of the current run of failed attempts, if the last attempt failed
 * @param version the store's version of this record; 0 for a record not stored yet
 */
public record StoredSubscription(Subscription subscription, List<SigningSecret> secrets, Optional<Instant> failingSince,
    long version) {
  public StoredSubscription {
    requireNonNull(subscription, "subscription == null");
    secrets = List.copyOf(requireNonNull(secrets, "secrets == null"));
    requireNonNull(failingSince, "failingSince == null");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("a subscription needs at least one secret");
    }
  }

  /** A new subscription, not failing and not stored yet. */
  public StoredSubscription(Subscription subscription, List<SigningSecret> secrets) {
    this(subscription, secrets, Optional.empty(), 0);
  }

  /** The secrets that still sign at {@code now}, newest first. */
  public List<SigningSecret> activeSecrets(Instant now) {
    // Called for every attempt, usually with one secret: no stream, and the list itself when all are active.
    int active = 0;
    for (SigningSecret s : secrets) {
      if (s.isActive(now)) {
        active++;
      }
    }
    if (active == secrets.size()) {
      return secrets;
    }
    List<SigningSecret> out = new ArrayList<>(active);
    for (SigningSecret s : secrets) {
      if (s.isActive(now)) {
        out.add(s);
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** This record with another public view; secrets, failure state and version kept. */
  public StoredSubscription with(Subscription updated) {
    return new StoredSubscription(updated, secrets, failingSince, version);
  }

  /** This record with other secrets; the rest kept. */
  public StoredSubscription withSecrets(List<SigningSecret> replaced) {
    return new StoredSubscription(subscription, replaced, failingSince, version);
  }

  /** This record with another failure state; the rest kept. */
  public StoredSubscription withFailingSince(Optional<Instant> since) {
    return new StoredSubscription(subscription, secrets, since, version);
  }

  /** This record at another version; the rest kept. For stores. */
  public StoredSubscription withVersion(long newVersion) {
    return new StoredSubscription(subscription, secrets, failingSince, newVersion);
  }
}

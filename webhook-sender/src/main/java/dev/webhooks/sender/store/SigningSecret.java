package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * One secret a subscription signs with, in the text form its signature scheme reads
 * ({@code whsec_…}), and when it stops signing: never for the current secret, the end of the grace
 * period for one replaced by a rotation. Immutable; {@link #toString()} is redacted.
 */
public final class SigningSecret {
  private final String secret;
  private final Instant expiresAt;

  private SigningSecret(String secret, Instant expiresAt) {
    this.secret = secret;
    this.expiresAt = expiresAt;
  }

  /** The current secret: signs until replaced. */
  public static SigningSecret current(String secret) {
    return new SigningSecret(requireNonEmpty(secret), null);
  }

  /** A replaced secret that still signs until {@code expiresAt}. */
  public static SigningSecret expiring(String secret, Instant expiresAt) {
    return new SigningSecret(requireNonEmpty(secret), requireNonNull(expiresAt, "expiresAt == null"));
  }

  /** The secret text. Never log it. */
  public String secret() {
    return secret;
  }

  /** When it stops signing; empty for the current secret. */
  public Optional<Instant> expiresAt() {
    return Optional.ofNullable(expiresAt);
  }

  /** Whether it still signs at {@code now}. */
  public boolean isActive(Instant now) {
    return expiresAt == null || now.isBefore(expiresAt);
  }

  private static String requireNonEmpty(String secret) {
    requireNonNull(secret, "secret == null");
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("secret is empty");
    }
    return secret;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningSecret && secret.equals(((SigningSecret) o).secret)
        && java.util.Objects.equals(expiresAt, ((SigningSecret) o).expiresAt);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hashCode(expiresAt);
  }

  @Override
  public String toString() {
    return "SigningSecret[<redacted>" + (expiresAt == null ? "" : ", expiresAt=" + expiresAt) + "]";
  }
}

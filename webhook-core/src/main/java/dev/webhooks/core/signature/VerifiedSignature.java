package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * What a successful {@link SignatureScheme#verify} established: the message id and signed
 * timestamp, where the scheme carries them, and a key that identifies this exact message for
 * replay protection. Immutable.
 */
public final class VerifiedSignature {
  private static final long NO_SECONDS = Long.MIN_VALUE;

  private final String id;
  /**
   * Built on first use when the scheme gave {@link #epochSecond} (a verify need not pay for an
   * object the caller may never read); a race builds two equal immutable values.
   */
  private Instant timestamp;
  private final long epochSecond;
  private final String replayKey;

  private VerifiedSignature(String id, Instant timestamp, long epochSecond, String replayKey) {
    this.id = id;
    this.timestamp = timestamp;
    this.epochSecond = epochSecond;
    this.replayKey = replayKey;
  }

  /**
   * @param id the message id from the headers, or {@code null} when the scheme has none
   * @param timestamp the signed timestamp, or {@code null} when the scheme signs none
   * @param replayKey what identifies this message: its id when the signature covers the id, else
   *     what its signature covers, e.g. its MAC under the first key (an id header that is not
   *     signed, and the order of several signatures, can be changed by whoever replays)
   */
  public static VerifiedSignature of(String id, Instant timestamp, String replayKey) {
    return new VerifiedSignature(id, timestamp, NO_SECONDS, requireNonNull(replayKey, "replayKey == null"));
  }

  /** {@link #of} with the timestamp as epoch seconds, turned into an {@code Instant} when read. */
  static VerifiedSignature ofEpochSecond(String id, long epochSecond, String replayKey) {
    return new VerifiedSignature(id, null, epochSecond, requireNonNull(replayKey, "replayKey == null"));
  }

  /** The message id ({@code webhook-id}, {@code X-GitHub-Delivery}, …) if the request has one. */
  public Optional<String> id() {
    return Optional.ofNullable(id);
  }

  /** The signed timestamp, if the scheme signs one. */
  public Optional<Instant> timestamp() {
    return Optional.ofNullable(instant());
  }

  private Instant instant() {
    Instant t = timestamp;
    if (t == null && epochSecond != NO_SECONDS) {
      t = Instant.ofEpochSecond(epochSecond);
      timestamp = t;
    }
    return t;
  }

  /**
   * Identifies this message for a replay guard: the scheme's message id when the signature covers
   * it (Standard Webhooks), otherwise a value derived from what the signature covers (GitHub's and
   * Shopify's id headers are not signed, and Stripe's several signatures can be reordered, so a
   * replay could change them). Not for logs.
   */
  public String replayKey() {
    return replayKey;
  }

  @Override
  public String toString() {
    return "VerifiedSignature[id=" + id + ", timestamp=" + instant() + "]";
  }
}

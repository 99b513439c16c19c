package dev.webhooks.verifier;

import java.time.Instant;

/**
 * Remembers which verified messages were already accepted, so that the same message is refused
 * with {@code REPLAYED} while its tolerance window is open. Consulted only after a signature has
 * verified, so a forger cannot fill it.
 *
 * <p>Implementations must be thread-safe and fast: the verifier calls them on the request thread.
 * A shared store (a database table, Redis) makes the guard hold across several receiver nodes;
 * {@link #inMemory()} holds within one process.
 *
 * <pre>{@code
 * WebhookVerifier verifier = WebhookVerifier.builder()
 *     .secret("whsec_…")
 *     .replayGuard(ReplayGuard.inMemory())
 *     .build();
 * }</pre>
 *
 * <p>A sender that retries after a lost response sends the same id again: a {@code REPLAYED}
 * refusal then means "already processed", and the receiver should answer 2xx. When handling fails
 * after verification, call {@link WebhookVerifier#forget(VerifiedWebhook)} so that the retry is
 * accepted.
 */
public interface ReplayGuard {

  /**
   * Records {@code key} until {@code expiresAt} and answers whether it was new.
   *
   * @param key identifies the message (its id where the signature covers it, otherwise its
   *     signature); never log it
   * @param expiresAt when the record may be dropped: the end of the tolerance window
   * @param now the verifier clock's current time
   * @return {@code true} the first time a key is seen (or after its record expired)
   */
  boolean markSeen(String key, Instant expiresAt, Instant now);

  /** Drops the record of {@code key}, so that the message is accepted again. */
  void forget(String key);

  /** Remembers nothing: every verified message is accepted. The verifier's default. */
  ReplayGuard NONE = new ReplayGuard() {
    @Override
    public boolean markSeen(String key, Instant expiresAt, Instant now) {
      return true;
    }

    @Override
    public void forget(String key) {}

    @Override
    public String toString() {
      return "ReplayGuard.NONE";
    }
  };

  /** An in-process guard remembering up to 100,000 messages. */
  static ReplayGuard inMemory() {
    return new InMemoryReplayGuard(100_000);
  }

  /**
   * An in-process guard remembering up to {@code maxEntries} unexpired messages. When more are
   * open at once, the ones closest to expiry are dropped first (and could then be replayed until
   * they would have expired): size it above your peak rate times the tolerance.
   */
  static ReplayGuard inMemory(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries < 1: " + maxEntries);
    }
    return new InMemoryReplayGuard(maxEntries);
  }
}

package dev.webhooks.core.signature;

import dev.webhooks.core.secret.WebhookSecret;
import javax.crypto.Mac;

/**
 * The verifying side's per-thread state: an initialised {@code Mac} for the last few secrets the
 * thread verified with, so that a receiver's verify costs the HMAC itself and no set-up (a clone
 * of the secret's prototype costs as much as hashing a kilobyte), and scratch buffers a verify
 * reuses instead of allocating (the signed prefix, the decoded candidate, the headers found).
 * Keyed by identity: a verifier holds its parsed secrets for its lifetime. Signing does not use
 * it, so that a sender's many secrets are never pinned in its workers' threads.
 *
 * <p>The buffers belong to one verify at a time on one thread: nothing a verify calls while it
 * holds them (the JDK's Mac, base64 decoding) can verify again.
 */
final class ThreadMacs {
  private static final int SLOTS = 4;
  private static final ThreadLocal<ThreadMacs> LOCAL = ThreadLocal.withInitial(ThreadMacs::new);

  /** Secret, Mac, secret, Mac…, the most recently added first. */
  private final Object[] slots = new Object[SLOTS * 2];
  /** The signed prefix ({@code id.timestamp.}); grown when an id needs more. */
  private byte[] prefix = new byte[64];
  /** A decoded candidate signature. */
  final byte[] candidate = new byte[32];
  /** Header values found by {@link WebhookHeaders#find}; cleared after each use. */
  final Object[] found = new Object[6];

  private ThreadMacs() {}

  static ThreadMacs local() {
    return LOCAL.get();
  }

  /** A buffer of at least {@code length} bytes for the signed prefix; its content is not kept. */
  byte[] prefix(int length) {
    if (prefix.length < length) {
      prefix = new byte[Math.max(length, prefix.length * 2)];
    }
    return prefix;
  }

  /** HMAC-SHA256 of {@code prefix[0, prefixLength)} then {@code body}, with this thread's Mac. */
  byte[] hmac(WebhookSecret secret, byte[] prefix, int prefixLength, byte[] body) {
    Mac mac = null;
    int at = 0;
    for (int i = 0; i < slots.length; i += 2) {
      if (slots[i] == secret) {
        mac = (Mac) slots[i + 1];
        at = i;
        break;
      }
    }
    if (mac == null) {
      mac = secret.newMac();
      System.arraycopy(slots, 0, slots, 2, slots.length - 2);
      slots[0] = secret;
      slots[1] = mac;
    }
    try {
      if (prefix != null) {
        mac.update(prefix, 0, prefixLength);
      }
      mac.update(body);
      return mac.doFinal(); // leaves the Mac reset for the next use
    } catch (RuntimeException | Error e) {
      slots[at] = null; // never reuse a Mac left mid-computation
      slots[at + 1] = null;
      throw e;
    }
  }

  static byte[] hmac(WebhookSecret secret, byte[] prefix, byte[] body) {
    return local().hmac(secret, prefix, prefix == null ? 0 : prefix.length, body);
  }
}

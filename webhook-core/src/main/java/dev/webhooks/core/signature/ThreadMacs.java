package dev.webhooks.core.signature;

import dev.webhooks.core.secret.WebhookSecret;
import javax.crypto.Mac;

/**
 * The verifying side's MACs: each thread keeps an initialised {@code Mac} for the last few secrets
 * it verified with, so that a receiver's verify costs the HMAC itself and no set-up (a clone of
 * the secret's prototype costs as much as hashing a kilobyte). Keyed by identity: a verifier holds
 * its parsed secrets for its lifetime. Signing does not use it, so that a sender's many secrets
 * are never pinned in its workers' threads.
 */
final class ThreadMacs {
  private static final int SLOTS = 4;
  /** Per thread: secret, Mac, secret, Mac…, the most recently used first. */
  private static final ThreadLocal<Object[]> RECENT = ThreadLocal.withInitial(() -> new Object[SLOTS * 2]);

  private ThreadMacs() {}

  static byte[] hmac(WebhookSecret secret, byte[] prefix, byte[] body) {
    Object[] slots = RECENT.get();
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
        mac.update(prefix);
      }
      mac.update(body);
      return mac.doFinal(); // leaves the Mac reset for the next use
    } catch (RuntimeException | Error e) {
      slots[at] = null; // never reuse a Mac left mid-computation
      slots[at + 1] = null;
      throw e;
    }
  }
}

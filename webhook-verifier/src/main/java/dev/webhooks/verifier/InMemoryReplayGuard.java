package dev.webhooks.verifier;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link ReplayGuard#inMemory()}: a concurrent map of key to expiry, swept as it grows. */
final class InMemoryReplayGuard implements ReplayGuard {
  private static final int FIRST_SWEEP = 1024;

  private final Map<String, Instant> seen = new ConcurrentHashMap<>();
  private final int maxEntries;
  /** Size at which expired records are swept; doubles with the live size, so sweeps stay amortised O(1). */
  private volatile int nextSweep = FIRST_SWEEP;

  InMemoryReplayGuard(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  @Override
  public boolean markSeen(String key, Instant expiresAt, Instant now) {
    requireNonNull(key, "key == null");
    requireNonNull(expiresAt, "expiresAt == null");
    requireNonNull(now, "now == null");
    boolean[] fresh = {false};
    seen.compute(key, (k, previous) -> {
      if (previous == null || !previous.isAfter(now)) {
        fresh[0] = true;
        return expiresAt;
      }
      return previous;
    });
    if (fresh[0] && seen.size() > Math.min(nextSweep, maxEntries)) {
      sweep(now);
    }
    return fresh[0];
  }

  @Override
  public void forget(String key) {
    seen.remove(requireNonNull(key, "key == null"));
  }

  int size() {
    return seen.size();
  }

  private synchronized void sweep(Instant now) {
    seen.values().removeIf(expiry -> !expiry.isAfter(now));
    if (seen.size() > maxEntries) {
      // Still over the cap with live records: drop the ones nearest to expiry, down to 90%.
      List<Instant> expiries = new ArrayList<>(seen.values());
      expiries.sort(null);
      Instant cutoff = expiries.get(expiries.size() - maxEntries * 9 / 10 - 1);
      seen.values().removeIf(expiry -> !expiry.isAfter(cutoff));
    }
    nextSweep = Math.max(FIRST_SWEEP, 2 * seen.size());
  }

  @Override
  public String toString() {
    return "ReplayGuard.inMemory(" + maxEntries + ")";
  }
}

package dev.webhooks.sender.rest;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per tenant: {@code burst} requests at once, refilled at {@code perSecond}. A
 * refused request learns when the next token comes. Buckets of tenants that went quiet are
 * dropped once there are many, so memory stays bounded by the active tenants.
 */
final class TenantRateLimiter {
  private static final int PRUNE_ABOVE = 10_000;

  private final double perSecond;
  private final double burst;
  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(double tokens, long lastNanos) {
      this.tokens = tokens;
      this.lastNanos = lastNanos;
    }
  }

  TenantRateLimiter(double perSecond, int burst, Clock clock) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.clock = clock;
  }

  /** Takes a token of {@code tenant}'s bucket, or answers how long until one is there. */
  Duration acquire(String tenant) {
    long now = nanos();
    if (buckets.size() > PRUNE_ABOVE) {
      buckets.values().removeIf(b -> refilled(b, now) >= burst);
    }
    Bucket b = buckets.computeIfAbsent(tenant, k -> new Bucket(burst, now));
    synchronized (b) {
      b.tokens = refilled(b, now);
      b.lastNanos = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return Duration.ZERO;
      }
      return Duration.ofNanos((long) Math.ceil((1 - b.tokens) / perSecond * 1e9));
    }
  }

  private double refilled(Bucket b, long now) {
    return Math.min(burst, b.tokens + Math.max(0, now - b.lastNanos) / 1e9 * perSecond);
  }

  private long nanos() {
    java.time.Instant i = clock.instant();
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }
}

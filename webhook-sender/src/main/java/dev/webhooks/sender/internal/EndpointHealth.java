package dev.webhooks.sender.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-endpoint admission: a circuit breaker that stops hammering an endpoint after consecutive
 * failures and probes it once its pause is over, and an optional rate limit. Thread-safe; each
 * endpoint's state is guarded by its own lock. State is per node: a restarted node starts closed,
 * which costs at most one more run of failures.
 */
public final class EndpointHealth {
  private final int failureThreshold;
  private final Duration openFor;
  private final Duration maxOpenFor;
  private final double ratePerSecond;
  private final Map<UUID, State> states = new ConcurrentHashMap<>();

  private static final class State {
    int consecutiveFailures;
    int reopenings;
    Instant openUntil;
    boolean probing;
    double tokens = -1; // -1 until first use: the bucket starts full
    Instant refilledAt;
  }

  /**
   * @param failureThreshold consecutive failures that open the circuit
   * @param openFor the first pause; each failed probe doubles it, up to {@code maxOpenFor}
   * @param ratePerSecond attempts per second per endpoint, or 0 for no limit (bursts of one second allowed)
   */
  public EndpointHealth(int failureThreshold, Duration openFor, Duration maxOpenFor, double ratePerSecond) {
    if (failureThreshold < 1) {
      throw new IllegalArgumentException("failureThreshold < 1");
    }
    this.failureThreshold = failureThreshold;
    this.openFor = requireNonNull(openFor, "openFor == null");
    this.maxOpenFor = requireNonNull(maxOpenFor, "maxOpenFor == null");
    if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException("ratePerSecond must be >= 0: " + ratePerSecond);
    }
    this.ratePerSecond = ratePerSecond;
  }

  /**
   * Whether an attempt to {@code endpoint} may go now. Empty: go (the caller must then report
   * {@link #onSuccess} or {@link #onFailure}); otherwise the time to wait until.
   */
  public Optional<Instant> admit(UUID endpoint, Instant now) {
    State s = states.computeIfAbsent(endpoint, k -> new State());
    synchronized (s) {
      if (s.openUntil != null) {
        if (now.isBefore(s.openUntil)) {
          return Optional.of(s.openUntil);
        }
        if (s.probing) {
          return Optional.of(now.plus(openFor)); // one probe at a time; the others wait for its verdict
        }
        s.probing = true;
      }
      if (ratePerSecond > 0) {
        double burst = Math.max(1, ratePerSecond);
        if (s.tokens < 0) {
          s.tokens = burst;
          s.refilledAt = now;
        }
        double elapsed = Math.max(0, Duration.between(s.refilledAt, now).toNanos() / 1e9);
        s.tokens = Math.min(burst, s.tokens + elapsed * ratePerSecond);
        s.refilledAt = now;
        if (s.tokens < 1) {
          s.probing = false;
          long waitNanos = (long) Math.ceil((1 - s.tokens) / ratePerSecond * 1e9);
          return Optional.of(now.plusNanos(waitNanos));
        }
        s.tokens -= 1;
      }
      return Optional.empty();
    }
  }

  /** The endpoint answered 2xx: the circuit closes. */
  public void onSuccess(UUID endpoint) {
    State s = states.get(endpoint);
    if (s != null) {
      synchronized (s) {
        s.consecutiveFailures = 0;
        s.reopenings = 0;
        s.openUntil = null;
        s.probing = false;
      }
    }
  }

  /** The endpoint failed: after enough failures in a row, or a failed probe, the circuit opens. */
  public void onFailure(UUID endpoint, Instant now) {
    State s = states.computeIfAbsent(endpoint, k -> new State());
    synchronized (s) {
      s.consecutiveFailures++;
      if (s.probing) {
        s.probing = false;
        s.reopenings++;
        s.openUntil = now.plus(pause(s.reopenings));
      } else if (s.openUntil == null && s.consecutiveFailures >= failureThreshold) {
        s.openUntil = now.plus(openFor);
      }
    }
  }

  /** An admitted attempt ended without a verdict on the endpoint (shutdown, a local error): a probe may go again. */
  public void onAbandoned(UUID endpoint) {
    State s = states.get(endpoint);
    if (s != null) {
      synchronized (s) {
        s.probing = false;
      }
    }
  }

  /**
   * Until when {@code endpoint} gets no attempt, if it gets none now: its circuit is open (until
   * it ends), or half open with its probe in flight (for another {@code openFor}).
   */
  public Optional<Instant> pausedUntil(UUID endpoint, Instant now) {
    State s = states.get(endpoint);
    if (s == null) {
      return Optional.empty();
    }
    synchronized (s) {
      if (s.openUntil == null) {
        return Optional.empty();
      }
      if (now.isBefore(s.openUntil)) {
        return Optional.of(s.openUntil);
      }
      return s.probing ? Optional.of(now.plus(openFor)) : Optional.empty();
    }
  }

  /** Whether the circuit of {@code endpoint} is open (or half-open) now. For tests and metrics. */
  public boolean isOpen(UUID endpoint) {
    State s = states.get(endpoint);
    if (s == null) {
      return false;
    }
    synchronized (s) {
      return s.openUntil != null;
    }
  }

  /** Forgets an endpoint (deleted or re-enabled). */
  public void forget(UUID endpoint) {
    states.remove(endpoint);
  }

  private Duration pause(int reopenings) {
    Duration d = openFor;
    for (int i = 0; i < reopenings && d.compareTo(maxOpenFor) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(maxOpenFor) > 0 ? maxOpenFor : d;
  }
}

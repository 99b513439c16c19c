package dev.webhooks.sender;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When a failed delivery is attempted again, and when it is given up. Either an explicit schedule
 * of delays or exponential backoff, with optional jitter, bounded by a number of attempts and by
 * the age of the delivery. Immutable and thread-safe.
 *
 * <pre>{@code
 * RetryPolicy.standardWebhooks();                       // immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h
 * RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofHours(1))
 *     .newBuilder().maxAttempts(12).maxAge(Duration.ofDays(2)).jitter(0.2).build();
 * }</pre>
 *
 * <p>A {@code Retry-After} answer (429, 502, 503, 504) postpones the next attempt to at least that long,
 * clamped to {@link Builder#maxRetryAfter} (default 1 hour) so that a receiver cannot park a
 * delivery for days.
 */
public final class RetryPolicy {
  private static final List<Duration> STANDARD_WEBHOOKS = List.of(
      Duration.ZERO, Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
      Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14), Duration.ofHours(20), Duration.ofHours(24));

  private final List<Duration> schedule;     // null for exponential
  private final Duration initial;
  private final double multiplier;
  private final Duration maxDelay;
  private final int maxAttempts;
  private final Duration maxAge;
  private final double jitter;
  private final Duration maxRetryAfter;
  private final DoubleSupplier random;

  private RetryPolicy(Builder b) {
    this.schedule = b.schedule;
    this.initial = b.initial;
    this.multiplier = b.multiplier;
    this.maxDelay = b.maxDelay;
    this.maxAttempts = b.maxAttempts;
    this.maxAge = b.maxAge;
    this.jitter = b.jitter;
    this.maxRetryAfter = b.maxRetryAfter;
    this.random = b.random;
  }

  /**
   * The Standard Webhooks schedule: an attempt immediately, then after 5 s, 5 min, 30 min, 2 h,
   * 5 h, 10 h, 14 h, 20 h and 24 h (10 attempts over about 3 days), with no jitter.
   */
  public static RetryPolicy standardWebhooks() {
    return schedule(STANDARD_WEBHOOKS.subList(1, STANDARD_WEBHOOKS.size()));
  }

  /** A short schedule for tests and demos: immediately, then after 1, 2, 4 and 8 seconds. */
  public static RetryPolicy shortForTests() {
    return schedule(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8)));
  }

  /**
   * An explicit schedule: the first attempt is immediate, and {@code delays.get(i)} is the wait
   * before retry {@code i + 1}. Allows {@code delays.size() + 1} attempts and any age.
   */
  public static RetryPolicy schedule(List<Duration> delays) {
    requireNonNull(delays, "delays == null");
    Duration[] all = new Duration[delays.size() + 1];
    all[0] = Duration.ZERO;
    for (int i = 0; i < delays.size(); i++) {
      all[i + 1] = requireNonNegative(requireNonNull(delays.get(i), "delays[" + i + "] == null"), "delays[" + i + "]");
    }
    Builder b = new Builder();
    b.schedule = List.of(all);
    b.maxAttempts = all.length;
    return b.build();
  }

  /**
   * Exponential backoff: {@code initial}, then doubling up to {@code maxDelay}; 10 attempts, any
   * age, no jitter until the builder says otherwise.
   */
  public static RetryPolicy exponential(Duration initial, Duration maxDelay) {
    Builder b = new Builder();
    b.initial = requirePositive(requireNonNull(initial, "initial == null"), "initial");
    b.maxDelay = requirePositive(requireNonNull(maxDelay, "maxDelay == null"), "maxDelay");
    if (maxDelay.compareTo(initial) < 0) {
      throw new IllegalArgumentException("maxDelay < initial");
    }
    return b.build();
  }

  public Builder newBuilder() {
    Builder b = new Builder();
    b.schedule = schedule;
    b.initial = initial;
    b.multiplier = multiplier;
    b.maxDelay = maxDelay;
    b.maxAttempts = maxAttempts;
    b.maxAge = maxAge;
    b.jitter = jitter;
    b.maxRetryAfter = maxRetryAfter;
    b.random = random;
    return b;
  }

  /**
   * When to make the next attempt after one failed, or empty to give up.
   *
   * @param attemptsMade attempts made so far, including the one that just failed (1 or more)
   * @param createdAt when the delivery was created: {@link Builder#maxAge} counts from it
   * @param now the current time
   * @param retryAfter the receiver's {@code Retry-After}, if it sent one
   */
  public Optional<Instant> nextAttempt(int attemptsMade, Instant createdAt, Instant now, Optional<Duration> retryAfter) {
    requireNonNull(createdAt, "createdAt == null");
    requireNonNull(now, "now == null");
    requireNonNull(retryAfter, "retryAfter == null");
    if (attemptsMade < 1) {
      throw new IllegalArgumentException("attemptsMade < 1: " + attemptsMade);
    }
    if (attemptsMade >= maxAttempts) {
      return Optional.empty();
    }
    Duration delay = withJitter(baseDelay(attemptsMade));
    if (retryAfter.isPresent()) {
      Duration asked = retryAfter.get().isNegative() ? Duration.ZERO : retryAfter.get();
      Duration clamped = asked.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked;
      delay = clamped.compareTo(delay) > 0 ? clamped : delay;
    }
    Instant next = now.plus(delay);
    if (maxAge != null && next.isAfter(createdAt.plus(maxAge))) {
      return Optional.empty();
    }
    return Optional.of(next);
  }

  /** The most attempts a delivery gets, the first included. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** The age past which a delivery is given up, if bounded. */
  public Optional<Duration> maxAge() {
    return Optional.ofNullable(maxAge);
  }

  private Duration baseDelay(int attemptsMade) {
    if (schedule != null) {
      return schedule.get(Math.min(attemptsMade, schedule.size() - 1));
    }
    double factor = Math.pow(multiplier, attemptsMade - 1);
    double nanos = initial.toNanos() * factor;
    return nanos >= maxDelay.toNanos() ? maxDelay : Duration.ofNanos((long) nanos);
  }

  private Duration withJitter(Duration delay) {
    if (jitter == 0 || delay.isZero()) {
      return delay;
    }
    double spread = (random.getAsDouble() * 2 - 1) * jitter; // uniformly within ±jitter
    return Duration.ofNanos(Math.max(0, (long) (delay.toNanos() * (1 + spread))));
  }

  @Override
  public String toString() {
    String shape = schedule != null ? "schedule=" + schedule.subList(1, schedule.size())
        : "exponential(initial=" + initial + ", x" + multiplier + ", max=" + maxDelay + ")";
    return "RetryPolicy[" + shape + ", maxAttempts=" + maxAttempts + ", maxAge=" + maxAge + ", jitter=" + jitter + "]";
  }

  private static Duration requireNonNegative(Duration d, String name) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(name + " is negative: " + d);
    }
    return d;
  }

  private static Duration requirePositive(Duration d, String name) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
    return d;
  }

  /** Adjusts a policy. Not thread-safe. */
  public static final class Builder {
    private List<Duration> schedule;
    private Duration initial = Duration.ofSeconds(1);
    private double multiplier = 2;
    private Duration maxDelay = Duration.ofHours(1);
    private int maxAttempts = 10;
    private Duration maxAge;
    private double jitter;
    private Duration maxRetryAfter = Duration.ofHours(1);
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    private Builder() {}

    /** Most attempts, the first included; at least 1. A schedule's default is its length + 1. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts < 1: " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** Gives up once the next attempt would fall after {@code createdAt + maxAge}. Default: unbounded. */
    public Builder maxAge(Duration maxAge) {
      this.maxAge = requirePositive(requireNonNull(maxAge, "maxAge == null"), "maxAge");
      return this;
    }

    /** Growth factor of exponential backoff, at least 1. Default 2. */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier must be >= 1: " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /** Spreads each delay uniformly within ±{@code fraction} of itself, 0 to 1. Default 0. */
    public Builder jitter(double fraction) {
      if (!(fraction >= 0 && fraction <= 1)) {
        throw new IllegalArgumentException("jitter must be within 0..1: " + fraction);
      }
      this.jitter = fraction;
      return this;
    }

    /** The longest {@code Retry-After} honoured; longer ones are cut to it. Default 1 hour. */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      this.maxRetryAfter = requireNonNegative(requireNonNull(maxRetryAfter, "maxRetryAfter == null"), "maxRetryAfter");
      return this;
    }

    /** The source of jitter, uniform in [0, 1). Default {@link ThreadLocalRandom}. For tests. */
    public Builder random(DoubleSupplier random) {
      this.random = requireNonNull(random, "random == null");
      return this;
    }

    public RetryPolicy build() {
      return new RetryPolicy(this);
    }
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof RetryPolicy)) {
      return false;
    }
    RetryPolicy p = (RetryPolicy) o;
    return java.util.Objects.equals(schedule, p.schedule) && initial.equals(p.initial) && multiplier == p.multiplier
        && maxDelay.equals(p.maxDelay) && maxAttempts == p.maxAttempts && java.util.Objects.equals(maxAge, p.maxAge)
        && jitter == p.jitter && maxRetryAfter.equals(p.maxRetryAfter);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(new Object[] {schedule, initial, multiplier, maxDelay, maxAttempts, maxAge, jitter});
  }
}

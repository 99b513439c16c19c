package dev.webhooks.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");

  /** Walks a policy from the first failure to giving up, each attempt failing as soon as it is due. */
  static List<Duration> delays(RetryPolicy p) {
    List<Duration> out = new ArrayList<>();
    Instant now = T0;
    for (int attempts = 1; ; attempts++) {
      Optional<Instant> next = p.nextAttempt(attempts, T0, now, Optional.empty());
      if (next.isEmpty()) {
        return out;
      }
      out.add(Duration.between(now, next.get()));
      now = next.get();
    }
  }

  @Test
  void standardWebhooks_isThePublishedSchedule() {
    assertEquals(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofHours(2),
        Duration.ofHours(5), Duration.ofHours(10), Duration.ofHours(14), Duration.ofHours(20), Duration.ofHours(24)),
        delays(RetryPolicy.standardWebhooks()));
    assertEquals(10, RetryPolicy.standardWebhooks().maxAttempts());
  }

  @Test
  void exponential_doublesUpToTheCapAndStopsAtMaxAttempts() {
    RetryPolicy p = RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(10)).newBuilder().maxAttempts(7).build();
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
        Duration.ofSeconds(10), Duration.ofSeconds(10)), delays(p));
  }

  @Test
  void maxAge_givesUpWhenTheNextAttemptWouldBeTooLate() {
    RetryPolicy p = RetryPolicy.standardWebhooks().newBuilder().maxAge(Duration.ofHours(1)).build();
    // 0 + 5 s + 5 min + 30 min fit within an hour; the next (2 h later) does not.
    assertEquals(List.of(Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofMinutes(30)), delays(p));
  }

  @Test
  void retryAfter_postponesButIsClamped() {
    RetryPolicy p = RetryPolicy.standardWebhooks().newBuilder().maxRetryAfter(Duration.ofMinutes(10)).build();
    assertEquals(T0.plusSeconds(60), p.nextAttempt(1, T0, T0, Optional.of(Duration.ofSeconds(60))).orElseThrow());
    assertEquals(T0.plusSeconds(600), p.nextAttempt(1, T0, T0, Optional.of(Duration.ofDays(3))).orElseThrow());
    // A shorter Retry-After than the schedule does not hurry the retry.
    assertEquals(T0.plusSeconds(300), p.nextAttempt(2, T0, T0, Optional.of(Duration.ofSeconds(1))).orElseThrow());
    assertEquals(T0.plusSeconds(5), p.nextAttempt(1, T0, T0, Optional.of(Duration.ofSeconds(-30))).orElseThrow());
  }

  @Test
  void jitter_staysWithinTheFraction() {
    RetryPolicy low = RetryPolicy.exponential(Duration.ofSeconds(100), Duration.ofHours(1)).newBuilder()
        .jitter(0.2).random(() -> 0.0).build();
    RetryPolicy high = low.newBuilder().random(() -> 0.999999).build();
    assertEquals(T0.plusSeconds(80), low.nextAttempt(1, T0, T0, Optional.empty()).orElseThrow());
    Duration d = Duration.between(T0, high.nextAttempt(1, T0, T0, Optional.empty()).orElseThrow());
    assertTrue(d.compareTo(Duration.ofSeconds(119)) > 0 && d.compareTo(Duration.ofSeconds(120)) <= 0, d.toString());
  }

  @Test
  void schedule_explicitDelays() {
    RetryPolicy p = RetryPolicy.schedule(List.of(Duration.ofSeconds(3), Duration.ofSeconds(7)));
    assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(7)), delays(p));
    assertEquals(3, p.maxAttempts());
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8)),
        delays(RetryPolicy.shortForTests()));
  }

  @Test
  void maxAttemptsBeyondTheSchedule_repeatsItsLastDelay() {
    RetryPolicy p = RetryPolicy.schedule(List.of(Duration.ofSeconds(3))).newBuilder().maxAttempts(4).build();
    assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(3)), delays(p));
  }

  @Test
  void badArguments_refused() {
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.schedule(List.of(Duration.ofSeconds(-1))));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.exponential(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    RetryPolicy.Builder b = RetryPolicy.standardWebhooks().newBuilder();
    assertThrows(IllegalArgumentException.class, () -> b.maxAttempts(0));
    assertThrows(IllegalArgumentException.class, () -> b.jitter(1.5));
    assertThrows(IllegalArgumentException.class, () -> b.jitter(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> b.multiplier(0.5));
    assertThrows(IllegalArgumentException.class, () -> b.maxAge(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.standardWebhooks().nextAttempt(0, T0, T0, Optional.empty()));
  }
}

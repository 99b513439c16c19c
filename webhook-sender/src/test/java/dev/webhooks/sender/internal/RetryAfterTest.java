package dev.webhooks.sender.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
  private static final Clock NOON = Clock.fixed(Instant.parse("2026-05-02T12:00:00Z"), ZoneOffset.UTC);

  @Property
  void deltaSeconds_isThatManySeconds(@ForAll @LongRange(min = 0, max = 1L << 31) long seconds) {
    assertEquals(Optional.of(Duration.ofSeconds(seconds)), RetryAfter.parse(Long.toString(seconds), null, NOON));
  }

  @Test
  void deltaSecondsTooLargeToRepresent_is2To31Seconds() {
    assertEquals(Optional.of(RetryAfter.TOO_LARGE), RetryAfter.parse("99999999999999999999999", null, NOON));
    assertEquals(Optional.of(RetryAfter.TOO_LARGE), RetryAfter.parse("9999999999", null, NOON));
  }

  @Test
  void httpDateInThePast_isZero() {
    assertEquals(Optional.of(Duration.ZERO), RetryAfter.parse("Sat, 02 May 2026 11:00:00 GMT", null, NOON));
  }

  @Test
  void malformedDateHeader_fallsBackToTheClock() {
    assertEquals(Optional.of(Duration.ofMinutes(1)),
        RetryAfter.parse("Sat, 02 May 2026 12:01:00 GMT", "yesterday", NOON));
  }

  @Test
  void appliesOnlyTo429And502To504() {
    for (int code = 100; code < 600; code++) {
      assertEquals(code == 429 || code == 502 || code == 503 || code == 504, RetryAfter.applies(code), "" + code);
    }
  }
}

package dev.webhooks.sender.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads a response's {@code Retry-After} (RFC 9110 §10.2.3), for the statuses that may carry one. */
final class RetryAfter {
  /** What RFC 9111 §1.2.2 says to use for a delta-seconds too large to represent: 2^31 s. */
  static final Duration TOO_LARGE = Duration.ofSeconds(1L << 31);

  private RetryAfter() {}

  /** Whether a {@code Retry-After} on this status means "back off this long". */
  static boolean applies(int statusCode) {
    return statusCode == 429 || statusCode == 502 || statusCode == 503 || statusCode == 504;
  }

  /**
   * The delay {@code value} asks for: delta-seconds, or an HTTP-date taken relative to the
   * response's {@code Date} header when it has a valid one, else to {@code clock}'s now. A date in
   * the past is zero. Empty when the value is absent or malformed.
   *
   * @param value the {@code Retry-After} header, or null
   * @param date the response's {@code Date} header, or null
   */
  static Optional<Duration> parse(String value, String date, Clock clock) {
    if (value == null) {
      return Optional.empty();
    }
    String v = value.trim();
    if (v.isEmpty()) {
      return Optional.empty();
    }
    if (v.chars().allMatch(c -> c >= '0' && c <= '9')) {
      if (v.length() > 10) {
        return Optional.of(TOO_LARGE);
      }
      long seconds = Long.parseLong(v);
      return Optional.of(seconds > TOO_LARGE.getSeconds() ? TOO_LARGE : Duration.ofSeconds(seconds));
    }
    Optional<Instant> when = httpDate(v);
    if (when.isEmpty()) {
      return Optional.empty();
    }
    Instant now = date == null ? clock.instant() : httpDate(date.trim()).orElseGet(clock::instant);
    Duration delay = Duration.between(now, when.get());
    return Optional.of(delay.isNegative() ? Duration.ZERO : delay);
  }

  /** An IMF-fixdate such as {@code Sun, 06 Nov 1994 08:49:37 GMT}; the obsolete forms are refused. */
  static Optional<Instant> httpDate(String text) {
    try {
      return Optional.of(ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}

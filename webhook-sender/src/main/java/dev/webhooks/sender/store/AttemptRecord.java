package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One attempt of a delivery. Immutable.
 *
 * @param number 1 for the first attempt
 * @param httpStatus the answer's status, 0 when there was none (timeout, refused connection)
 * @param responseExcerpt the start of the answer's body, capped by the sender; {@code ""} when none
 * @param error what went wrong, when it did
 */
public record AttemptRecord(UUID deliveryId, int number, Instant startedAt, Duration duration, int httpStatus,
    String responseExcerpt, Optional<String> error) {
  public AttemptRecord {
    requireNonNull(deliveryId, "deliveryId == null");
    requireNonNull(startedAt, "startedAt == null");
    requireNonNull(duration, "duration == null");
    requireNonNull(responseExcerpt, "responseExcerpt == null");
    requireNonNull(error, "error == null");
    if (number < 1) {
      throw new IllegalArgumentException("number < 1");
    }
  }
}

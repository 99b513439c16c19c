package dev.webhooks.sender.internal;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * What one delivery attempt came to. Immutable. {@link #toString()} gives the excerpt's length, not
 * its text.
 *
 * <pre>{@code
 * AttemptResult r = deliverer.deliver(request);
 * switch (r.outcome()) {
 *   case SUCCESS -> markDelivered();
 *   case GONE -> disableSubscription();
 *   case FAILURE -> retryPolicy.nextAttempt(attempts, firstAttempt, now, r.retryAfter());
 * }
 * }</pre>
 *
 * @param outcome what the sender does next
 * @param statusCode the response's status, or 0 when no response arrived
 * @param duration from just before the request was sent to just after the response was closed,
 *     measured with the deliverer's clock
 * @param responseExcerpt the start of the response body, at most the deliverer's cap in bytes,
 *     decoded as UTF-8 with replacement (an incomplete character cut at the cap is dropped);
 *     {@code ""} when there was none
 * @param retryAfter the receiver's {@code Retry-After} on 429, 502, 503 and 504, when well-formed
 * @param error why the attempt failed when the status does not say it all: a short text such as
 *     {@code "timeout after 5000 ms"}, {@code "connection refused"}, {@code "redirect not followed
 *     (302) to example.com"} or {@code "refused by URL policy: …"}; never a path, query or header
 *     value
 */
public record AttemptResult(Outcome outcome, int statusCode, Duration duration, String responseExcerpt,
    Optional<Duration> retryAfter, Optional<String> error) {

  /** What the sender does with an attempt. */
  public enum Outcome {
    /** A 2xx answer: delivered. */
    SUCCESS,
    /** Anything else: retried as the retry policy says. */
    FAILURE,
    /** {@code 410 Gone}: the receiver wants no more; the sender disables the subscription. */
    GONE
  }

  /**
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code statusCode} is neither 0 nor 100..599, or
   *     {@code duration} is negative
   */
  public AttemptResult {
    requireNonNull(outcome, "outcome == null");
    requireNonNull(duration, "duration == null");
    requireNonNull(responseExcerpt, "responseExcerpt == null");
    requireNonNull(retryAfter, "retryAfter == null");
    requireNonNull(error, "error == null");
    if (statusCode != 0 && (statusCode < 100 || statusCode > 599)) {
      throw new IllegalArgumentException("statusCode is not 0 or 100..599: " + statusCode);
    }
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration < 0: " + duration);
    }
  }

  /** The outcome, status, duration, excerpt length, Retry-After and error. */
  @Override
  public String toString() {
    return "AttemptResult[outcome=" + outcome + ", statusCode=" + statusCode + ", duration=" + duration
        + ", responseExcerpt=" + responseExcerpt.length() + " chars, retryAfter=" + retryAfter
        + ", error=" + error + "]";
  }
}

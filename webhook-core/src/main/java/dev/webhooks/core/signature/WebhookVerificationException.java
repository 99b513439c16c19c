package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.WebhookException;

/**
 * A webhook request was refused. {@link #reason()} says why, for code to branch on; the message
 * says it for people and never contains a secret, a signature or the payload.
 *
 * <pre>{@code
 * try {
 *   verifier.verify(headers, body);
 * } catch (WebhookVerificationException e) {
 *   if (e.reason() == WebhookVerificationException.Reason.REPLAYED) {
 *     return 200;   // already processed: acknowledge, do not process again
 *   }
 *   return 400;
 * }
 * }</pre>
 */
public class WebhookVerificationException extends WebhookException {
  private static final long serialVersionUID = 1L;

  /** Why a request was refused. */
  public enum Reason {
    /** A header the scheme requires is absent. */
    MISSING_HEADER,
    /** A header is present but cannot be parsed (timestamp not a number, no signature entry). */
    MALFORMED_HEADER,
    /** The signed timestamp is older than the tolerance allows. */
    TIMESTAMP_TOO_OLD,
    /** The signed timestamp is further in the future than the tolerance allows. */
    TIMESTAMP_TOO_NEW,
    /** No signature in the request matches any configured secret or key. */
    NO_MATCHING_SIGNATURE,
    /** The request verified, but its id was seen before within the tolerance window. */
    REPLAYED,
    /** The request verified, but its body is not the JSON the caller asked to read it as. */
    MALFORMED_PAYLOAD
  }

  private final Reason reason;

  public WebhookVerificationException(Reason reason, String message) {
    super(requireNonNull(message, "message == null"));
    this.reason = requireNonNull(reason, "reason == null");
  }

  public WebhookVerificationException(Reason reason, String message, Throwable cause) {
    super(requireNonNull(message, "message == null"), cause);
    this.reason = requireNonNull(reason, "reason == null");
  }

  /** Why the request was refused. */
  public Reason reason() {
    return reason;
  }
}

package dev.webhooks.core.signature;

import dev.webhooks.core.secret.WebhookKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * How a webhook request is signed and verified: which headers carry the signature, what bytes are
 * signed, and how secrets are written. One interface for every supported sender; implementations
 * are immutable and thread-safe.
 *
 * <pre>{@code
 * SignatureScheme scheme = SignatureScheme.standardWebhooks();
 * WebhookSecret secret = WebhookSecret.generate();
 * Map<String, String> headers = scheme.sign("msg_1", Instant.now(), body, List.of(secret));
 * VerifiedSignature ok = scheme.verify(
 *     WebhookHeaders.ofSingleValues(headers), body, List.of(secret), Instant.now(), Duration.ofMinutes(5));
 * }</pre>
 *
 * <p>Verification works on the raw body bytes, compares in constant time, accepts the request when
 * any of its signatures matches any of the keys (secret rotation), skips signature versions it
 * does not know, and, for schemes that sign a timestamp, refuses one outside the tolerance in
 * either direction. Failures throw {@link WebhookVerificationException} with a specific
 * {@link WebhookVerificationException.Reason}.
 */
public interface SignatureScheme {

  /** A short stable name, e.g. {@code "standard-webhooks"} or {@code "hmac-hex(X-Signature)"}. */
  String name();

  /** Whether {@link #sign} is supported; Slack and Shopify are verify-only. */
  boolean canSign();

  /**
   * Reads a secret or key written as this scheme's senders write it: {@code whsec_…} base64
   * (prefix optional), {@code whpk_…} or {@code whsk_…} for Standard Webhooks; for every other
   * scheme the UTF-8 bytes of the text, as Stripe, GitHub, Slack and Shopify use them.
   *
   * @throws dev.webhooks.core.WebhookValidationException {@code INVALID_SECRET} when malformed
   */
  WebhookKey parseKey(String text);

  /**
   * Signs a request and returns the headers to send, in a stable order. Several keys produce
   * several signatures where the scheme allows it (Standard Webhooks, Stripe), so receivers holding
   * either an old or a new secret accept it during a rotation; single-signature schemes (hex HMAC)
   * sign with the first key.
   *
   * @param messageId the message id, sent in the id header where the scheme has one; schemes
   *     without one ignore it, Standard Webhooks requires it
   * @param timestamp the signing time, sent and signed as whole epoch seconds where the scheme
   *     signs a time
   * @param body the exact bytes that will be sent
   * @param keys at least one signing key: a {@code WebhookSecret}, or for Standard Webhooks also an
   *     {@code Ed25519SigningKey} ({@code v1a})
   * @throws UnsupportedOperationException for a verify-only scheme
   * @throws IllegalArgumentException when no key can sign with this scheme
   */
  Map<String, String> sign(String messageId, Instant timestamp, byte[] body, List<? extends WebhookKey> keys);

  /**
   * Verifies a request.
   *
   * @param headers the request headers
   * @param body the raw body bytes, exactly as received
   * @param keys every key to try; one match is enough
   * @param now the current time, from the caller's clock
   * @param tolerance how far the signed timestamp may be from {@code now}, either way
   * @return what the signature established
   * @throws WebhookVerificationException when the request must be refused
   */
  VerifiedSignature verify(
      WebhookHeaders headers, byte[] body, List<? extends WebhookKey> keys, Instant now, Duration tolerance);

  /**
   * Standard Webhooks: {@code webhook-id}, {@code webhook-timestamp} and {@code webhook-signature}
   * with space-separated {@code v1,<base64 HMAC-SHA256>} and {@code v1a,<base64 Ed25519>} entries
   * over {@code id.timestamp.body}. Verification also reads Svix's {@code svix-*} names.
   */
  static SignatureScheme standardWebhooks() {
    return StandardWebhooksScheme.UNBRANDED;
  }

  /**
   * Standard Webhooks with branded header names, e.g. {@code "svix"} for {@code svix-id},
   * {@code svix-timestamp} and {@code svix-signature}. Verification also reads the unbranded
   * {@code webhook-*} names.
   *
   * @param brand a lower-case header name prefix of letters, digits and dashes
   */
  static SignatureScheme standardWebhooks(String brand) {
    return new StandardWebhooksScheme(brand);
  }

  /** Svix: Standard Webhooks with {@code svix-*} header names. */
  static SignatureScheme svix() {
    return StandardWebhooksScheme.SVIX;
  }

  /**
   * Stripe: {@code Stripe-Signature: t=<epoch seconds>,v1=<hex HMAC-SHA256 of "t.body">}; several
   * {@code v1} entries are allowed, other versions are skipped.
   */
  static SignatureScheme stripe() {
    return StripeScheme.STRIPE;
  }

  /** The Stripe format in another header, for senders that copied it. */
  static SignatureScheme stripeStyle(String header) {
    return new StripeScheme(header);
  }

  /**
   * GitHub: {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>}, with the delivery id
   * from {@code X-GitHub-Delivery}. No timestamp is signed.
   */
  static SignatureScheme github() {
    return HexHmacScheme.GITHUB;
  }

  /**
   * The hex HMAC-SHA256 of the raw body in {@code header}, e.g. the {@code X-Signature} of many
   * products. No timestamp is signed, so only a replay guard protects against replays.
   */
  static SignatureScheme hmacHex(String header) {
    return new HexHmacScheme(header, "", null);
  }

  /**
   * As {@link #hmacHex(String)}, with a prefix before the hex digits (e.g. {@code "sha256="}) and
   * an optional header carrying the message id ({@code null} for none).
   */
  static SignatureScheme hmacHex(String header, String prefix, String idHeader) {
    return new HexHmacScheme(header, prefix, idHeader);
  }

  /**
   * Slack (verify only): {@code X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:timestamp:body">} and
   * {@code X-Slack-Request-Timestamp}.
   */
  static SignatureScheme slack() {
    return SlackScheme.INSTANCE;
  }

  /**
   * Shopify (verify only): {@code X-Shopify-Hmac-Sha256: <base64 HMAC-SHA256 of the body>}, with
   * the id from {@code X-Shopify-Webhook-Id}. No timestamp is signed.
   */
  static SignatureScheme shopify() {
    return ShopifyScheme.INSTANCE;
  }
}

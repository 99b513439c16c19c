package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.secret.WebhookSecret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The HMAC schemes whose senders use their secret text as the key bytes (Stripe, GitHub, hex,
 * Slack, Shopify): argument checks and key selection once, here; each scheme only reads its
 * headers. Verify-only unless a subclass overrides {@link #sign}.
 */
abstract class TextSecretScheme implements SignatureScheme {

  @Override
  public final WebhookKey parseKey(String text) {
    return WebhookSecret.ofUtf8(text);
  }

  @Override
  public boolean canSign() {
    return false;
  }

  @Override
  public Map<String, String> sign(
      String messageId, Instant timestamp, byte[] body, List<? extends WebhookKey> keys) {
    throw new UnsupportedOperationException("the " + name() + " scheme only verifies");
  }

  @Override
  public final VerifiedSignature verify(
      WebhookHeaders headers, byte[] body, List<? extends WebhookKey> keys, Instant now, Duration tolerance) {
    requireNonNull(headers, "headers == null");
    requireNonNull(body, "body == null");
    requireNonNull(now, "now == null");
    requireNonNull(tolerance, "tolerance == null");
    List<WebhookSecret> secrets = Schemes.secrets(requireNonNull(keys, "keys == null"));
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException(name() + " verifies with a WebhookSecret; none was given");
    }
    return verifyWith(headers, body, secrets, now, tolerance);
  }

  /** Verifies with checked, non-null arguments and at least one secret. */
  abstract VerifiedSignature verifyWith(
      WebhookHeaders headers, byte[] body, List<WebhookSecret> secrets, Instant now, Duration tolerance);

  @Override
  public String toString() {
    return name();
  }
}

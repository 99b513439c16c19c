package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.internal.Hex;
import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.secret.WebhookSecret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Shopify's base64 HMAC-SHA256 of the raw body; verify only. */
final class ShopifyScheme implements SignatureScheme {
  static final ShopifyScheme INSTANCE = new ShopifyScheme();
  private static final String SIGNATURE = "X-Shopify-Hmac-Sha256";
  private static final String ID = "X-Shopify-Webhook-Id";

  private ShopifyScheme() {}

  @Override
  public String name() {
    return "shopify";
  }

  @Override
  public boolean canSign() {
    return false;
  }

  @Override
  public WebhookKey parseKey(String text) {
    return WebhookSecret.ofUtf8(text);
  }

  @Override
  public Map<String, String> sign(
      String messageId, Instant timestamp, byte[] body, List<? extends WebhookKey> keys) {
    throw new UnsupportedOperationException("the shopify scheme only verifies");
  }

  @Override
  public VerifiedSignature verify(
      WebhookHeaders headers, byte[] body, List<? extends WebhookKey> keys, Instant now, Duration tolerance) {
    requireNonNull(headers, "headers == null");
    requireNonNull(body, "body == null");
    List<WebhookSecret> secrets = Schemes.secrets(requireNonNull(keys, "keys == null"));
    Schemes.requireKeys(name(), secrets);
    String value = Schemes.required(headers, SIGNATURE, ",");
    byte[] match = Schemes.firstMatch(SIGNATURE, value, c -> Schemes.decodeBase64(c, 32), Schemes.macs(secrets, null, body));
    if (match == null) {
      throw Schemes.noMatch();
    }
    String id = headers.first(ID).orElse(null);
    return VerifiedSignature.of(id, null, id != null ? id : "shopify:" + Hex.encode(match));
  }

  @Override
  public String toString() {
    return name();
  }
}

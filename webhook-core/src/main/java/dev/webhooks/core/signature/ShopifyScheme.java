package dev.webhooks.core.signature;

import dev.webhooks.core.internal.Hex;
import dev.webhooks.core.secret.WebhookSecret;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Shopify's base64 HMAC-SHA256 of the raw body; verify only. */
final class ShopifyScheme extends TextSecretScheme {
  static final ShopifyScheme INSTANCE = new ShopifyScheme();
  private static final String SIGNATURE = "X-Shopify-Hmac-Sha256";
  private static final String ID = "X-Shopify-Webhook-Id";

  private ShopifyScheme() {}

  @Override
  public String name() {
    return "shopify";
  }

  @Override
  VerifiedSignature verifyWith(
      WebhookHeaders headers, byte[] body, List<WebhookSecret> secrets, Instant now, Duration tolerance) {
    String value = Schemes.required(headers, SIGNATURE, ",");
    byte[][] macs = Schemes.macs(secrets, null, body);
    byte[] match = Schemes.firstMatch(SIGNATURE, value, c -> Schemes.decodeBase64(c, 32), macs);
    if (match == null) {
      throw Schemes.noMatch();
    }
    String id = headers.first(ID).orElse(null);
    // X-Shopify-Webhook-Id is not signed: the replay key is the body's MAC under the first key,
    // so that a replay under another id, or signed with another of the keys, is still recognised.
    return VerifiedSignature.of(id, null, "shopify:" + Hex.encode(macs[0]));
  }
}

package dev.webhooks.core.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Regression: the JDK's base64 decoder ignores the unused low bits of the last character, so a
 * captured signature could be re-spelled and, where the replay key is the signature, replayed.
 * Only the canonical spelling verifies, and replay keys come from the decoded bytes.
 */
class CanonicalSignatureEncodingTest {
  static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
  static final WebhookSecret SECRET = WebhookSecret.ofUtf8("shpss_secret");

  /** The same 32 bytes spelled with a different last character (its unused low bits set). */
  static String respell(String b64) {
    int last = b64.replace("=", "").length() - 1;
    char c = b64.charAt(last);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char other = alphabet.charAt(alphabet.indexOf(c) ^ 1);
    return b64.substring(0, last) + other + b64.substring(last + 1);
  }

  @Test
  void shopify_respelledSignature_refused() {
    String sig = Base64.getEncoder().encodeToString(SchemeFixture.hmac(SECRET.bytes(), "", BODY));
    String respelled = respell(sig);
    // Both spellings decode to the same bytes in the JDK:
    assertEquals(Base64.getEncoder().encodeToString(Base64.getDecoder().decode(respelled)), sig);
    SignatureScheme.shopify().verify(WebhookHeaders.ofSingleValues(Map.of("X-Shopify-Hmac-Sha256", sig)), BODY,
        List.of(SECRET), NOW, Duration.ofMinutes(5));
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> SignatureScheme.shopify().verify(WebhookHeaders.ofSingleValues(Map.of("X-Shopify-Hmac-Sha256", respelled)),
            BODY, List.of(SECRET), NOW, Duration.ofMinutes(5)));
    assertEquals(Reason.MALFORMED_HEADER, e.reason());
  }

  @Test
  void standardWebhooks_respelledSignature_refused() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> headers = new java.util.HashMap<>(
        SignatureScheme.standardWebhooks().sign("msg_1", NOW, BODY, List.of(secret)));
    headers.put("webhook-signature", "v1," + respell(headers.get("webhook-signature").substring(3)));
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> SignatureScheme.standardWebhooks().verify(WebhookHeaders.ofSingleValues(headers), BODY, List.of(secret),
            NOW, Duration.ofMinutes(5)));
    assertEquals(Reason.NO_MATCHING_SIGNATURE, e.reason());
  }

  @Test
  void unpaddedCanonicalSignature_accepted() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> headers = new java.util.HashMap<>(
        SignatureScheme.standardWebhooks().sign("msg_1", NOW, BODY, List.of(secret)));
    headers.put("webhook-signature", headers.get("webhook-signature").replace("=", ""));
    SignatureScheme.standardWebhooks().verify(WebhookHeaders.ofSingleValues(headers), BODY, List.of(secret), NOW,
        Duration.ofMinutes(5));
  }

  @Test
  void replayKey_sameForUpperAndLowerCaseHex() {
    SignatureScheme scheme = SignatureScheme.hmacHex("X-Signature");
    String sig = scheme.sign(null, NOW, BODY, List.of(SECRET)).get("X-Signature");
    String a = scheme.verify(WebhookHeaders.ofSingleValues(Map.of("X-Signature", sig)), BODY, List.of(SECRET), NOW,
        Duration.ofMinutes(5)).replayKey();
    String b = scheme.verify(WebhookHeaders.ofSingleValues(Map.of("X-Signature", sig.toUpperCase(java.util.Locale.ROOT))),
        BODY, List.of(SECRET), NOW, Duration.ofMinutes(5)).replayKey();
    assertEquals(a, b);
  }
}

package dev.webhooks.core.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StripeSchemeTest {
  static final byte[] BODY = "{\"id\":\"evt_1\"}".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
  static final WebhookSecret SECRET = WebhookSecret.ofUtf8("whsec_test_secret");

  static Reason refusal(String header) {
    return assertThrows(WebhookVerificationException.class, () -> SignatureScheme.stripe().verify(
        WebhookHeaders.ofSingleValues(Map.of("Stripe-Signature", header)), BODY, List.of(SECRET), NOW,
        Duration.ofMinutes(5))).reason();
  }

  @Test
  void verify_legacyV0Only_noMatchingSignature() {
    String v1 = SignatureScheme.stripe().sign(null, NOW, BODY, List.of(SECRET)).get("Stripe-Signature");
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(v1.replace("v1=", "v0=")));
  }

  @Test
  void verify_noTimestamp_malformed() {
    String v1 = SignatureScheme.stripe().sign(null, NOW, BODY, List.of(SECRET)).get("Stripe-Signature");
    assertEquals(Reason.MALFORMED_HEADER, refusal(v1.substring(v1.indexOf(',') + 1)));
  }

  @Test
  void verify_itemsInAnyOrderAndWithSpaces() {
    String v1 = SignatureScheme.stripe().sign(null, NOW, BODY, List.of(SECRET)).get("Stripe-Signature");
    String[] parts = v1.split(",");
    String reordered = " " + parts[1] + " , v0=abc , " + parts[0] + " ";
    SignatureScheme.stripe().verify(WebhookHeaders.ofSingleValues(Map.of("stripe-signature", reordered)), BODY,
        List.of(SECRET), NOW, Duration.ofMinutes(5));
  }

  @Test
  void sign_twoSecrets_twoV1Entries() {
    WebhookSecret other = WebhookSecret.ofUtf8("another");
    String value = SignatureScheme.stripe().sign(null, NOW, BODY, List.of(SECRET, other)).get("Stripe-Signature");
    assertTrue(value.matches("t=1700000000,v1=[0-9a-f]{64},v1=[0-9a-f]{64}"), value);
    SignatureScheme.stripe().verify(WebhookHeaders.ofSingleValues(Map.of("Stripe-Signature", value)), BODY,
        List.of(other), NOW, Duration.ofMinutes(5));
  }

  @Test
  void stripeStyle_otherHeader() {
    SignatureScheme scheme = SignatureScheme.stripeStyle("X-Acme-Signature");
    Map<String, String> headers = scheme.sign(null, NOW, BODY, List.of(SECRET));
    assertEquals(List.of("X-Acme-Signature"), List.copyOf(headers.keySet()));
    scheme.verify(WebhookHeaders.ofSingleValues(headers), BODY, List.of(SECRET), NOW, Duration.ofMinutes(5));
    assertThrows(IllegalArgumentException.class, () -> SignatureScheme.stripeStyle("Bad Header"));
  }
}

package dev.webhooks.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.signature.WebhookVerificationException;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Replays that change what the signature does not cover must still be recognised by the replay
 * guard: GitHub's {@code X-GitHub-Delivery} and Shopify's {@code X-Shopify-Webhook-Id} are not
 * signed, and the order of Stripe's several {@code v1} signatures during a rotation is not either.
 */
class ReplayGuardBypassTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  static final String SECRET = "the shared secret";
  static final byte[] BODY = "{\"action\":\"opened\"}".getBytes(StandardCharsets.UTF_8);

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"github", "shopify"})
  void replayUnderAnotherIdOrWithoutOne_refusedAsReplayed(String scheme) throws Exception {
    WebhookVerifier v = WebhookVerifier.builder()
        .scheme(scheme.equals("github") ? SignatureScheme.github() : SignatureScheme.shopify())
        .secret(SECRET).clock(new MutableClock(T0)).replayGuard(ReplayGuard.inMemory()).build();
    Map<String, List<String>> original = signed(scheme, "delivery-1");
    assertEquals("delivery-1", v.verify(original, BODY).id().orElseThrow());

    for (Map<String, List<String>> replay : List.of(signed(scheme, "delivery-2"), withoutId(original), original)) {
      WebhookVerificationException e = assertThrows(WebhookVerificationException.class, () -> v.verify(replay, BODY));
      assertEquals(Reason.REPLAYED, e.reason());
    }
  }

  @Test
  void stripeDuringARotation_theSignaturesReordered_refusedAsReplayed() {
    SignatureScheme stripe = SignatureScheme.stripe();
    WebhookVerifier v = WebhookVerifier.builder().scheme(stripe).secret("old secret").secret("new secret")
        .clock(new MutableClock(T0)).replayGuard(ReplayGuard.inMemory()).build();
    String header = stripe.sign(null, T0, BODY, List.of(stripe.parseKey("old secret"), stripe.parseKey("new secret")))
        .get("Stripe-Signature");
    String[] parts = header.split(",");
    v.verify(Map.of("Stripe-Signature", List.of(header)), BODY);

    String reordered = parts[0] + "," + parts[2] + "," + parts[1];
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> v.verify(Map.of("Stripe-Signature", List.of(reordered)), BODY));
    assertEquals(Reason.REPLAYED, e.reason());
    String newOnly = parts[0] + "," + parts[2];
    assertEquals(Reason.REPLAYED, assertThrows(WebhookVerificationException.class,
        () -> v.verify(Map.of("Stripe-Signature", List.of(newOnly)), BODY)).reason());
  }

  static Map<String, List<String>> signed(String scheme, String id) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] sig = mac.doFinal(BODY);
    Map<String, List<String>> h = new LinkedHashMap<>();
    if (scheme.equals("github")) {
      h.put("X-GitHub-Delivery", List.of(id));
      h.put("X-Hub-Signature-256", List.of("sha256=" + java.util.HexFormat.of().formatHex(sig)));
    } else {
      h.put("X-Shopify-Webhook-Id", List.of(id));
      h.put("X-Shopify-Hmac-Sha256", List.of(Base64.getEncoder().encodeToString(sig)));
    }
    return h;
  }

  static Map<String, List<String>> withoutId(Map<String, List<String>> headers) {
    Map<String, List<String>> h = new LinkedHashMap<>(headers);
    h.remove("X-GitHub-Delivery");
    h.remove("X-Shopify-Webhook-Id");
    return h;
  }
}

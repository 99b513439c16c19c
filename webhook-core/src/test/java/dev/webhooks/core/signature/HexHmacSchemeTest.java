package dev.webhooks.core.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HexHmacSchemeTest {
  static final byte[] BODY = "Hello, World!".getBytes(StandardCharsets.UTF_8);
  static final WebhookSecret SECRET = WebhookSecret.ofUtf8("It's a Secret to Everybody");
  static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);

  static VerifiedSignature verify(SignatureScheme scheme, Map<String, String> headers) {
    return scheme.verify(WebhookHeaders.ofSingleValues(headers), BODY, List.of(SECRET), NOW, Duration.ofMinutes(5));
  }

  @Test
  void verify_upperCaseHexAndPrefix_accepted() {
    String sig = SignatureScheme.github().sign(null, NOW, BODY, List.of(SECRET)).get("X-Hub-Signature-256");
    verify(SignatureScheme.github(), Map.of("X-Hub-Signature-256", sig.toUpperCase(Locale.ROOT)));
  }

  @Test
  void verify_prefixMissing_malformed() {
    String sig = SignatureScheme.github().sign(null, NOW, BODY, List.of(SECRET)).get("X-Hub-Signature-256");
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> verify(SignatureScheme.github(), Map.of("X-Hub-Signature-256", sig.substring(7))));
    assertEquals(Reason.MALFORMED_HEADER, e.reason());
  }

  @Test
  void verify_sha1HeaderIsNotEnough() {
    // GitHub also sends the legacy X-Hub-Signature (sha1=): never accepted in place of sha256.
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> verify(SignatureScheme.github(), Map.of("X-Hub-Signature", "sha1=abc")));
    assertEquals(Reason.MISSING_HEADER, e.reason());
  }

  @Test
  void verify_withoutIdHeader_replayKeyFromSignature() {
    Map<String, String> headers = SignatureScheme.hmacHex("X-Signature").sign("ignored", NOW, BODY, List.of(SECRET));
    assertEquals(List.of("X-Signature"), List.copyOf(headers.keySet()));
    VerifiedSignature v = verify(SignatureScheme.hmacHex("X-Signature"), headers);
    assertFalse(v.id().isPresent());
    assertFalse(v.timestamp().isPresent());
    assertTrue(v.replayKey().startsWith("hmac-hex(X-Signature):"));
  }

  @Test
  void sign_severalSecrets_usesTheFirstOnly() {
    WebhookSecret other = WebhookSecret.ofUtf8("other");
    Map<String, String> headers = SignatureScheme.hmacHex("X-Signature").sign(null, NOW, BODY, List.of(other, SECRET));
    assertThrows(WebhookVerificationException.class, () -> verify(SignatureScheme.hmacHex("X-Signature"), headers));
  }

  @Test
  void custom_prefixAndIdHeader() {
    SignatureScheme scheme = SignatureScheme.hmacHex("X-Acme-Signature", "sha256=", "X-Acme-Id");
    Map<String, String> headers = scheme.sign("evt_1", NOW, BODY, List.of(SECRET));
    assertTrue(headers.get("X-Acme-Signature").startsWith("sha256="));
    assertEquals("evt_1", verify(scheme, headers).id().orElseThrow());
    assertThrows(IllegalArgumentException.class, () -> SignatureScheme.hmacHex("X-A", "a,b", null));
  }

  @Test
  void verifyWithoutSecret_isAProgrammingError() {
    assertThrows(IllegalArgumentException.class, () -> SignatureScheme.github().verify(
        WebhookHeaders.ofSingleValues(Map.of()), BODY, List.of(), NOW, Duration.ofMinutes(5)));
  }
}

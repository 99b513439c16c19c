package dev.webhooks.verifier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.secret.Ed25519SigningKey;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.signature.WebhookHeaders;
import dev.webhooks.core.signature.WebhookVerificationException;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WebhookVerifierTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  static final byte[] BODY = "{\"id\":\"msg_1\",\"type\":\"lookup.completed\",\"data\":{\"email\":\"a@example.com\"}}"
      .getBytes(StandardCharsets.UTF_8);

  final MutableClock clock = new MutableClock(T0);
  final WebhookSecret secret = WebhookSecret.generate();

  static Map<String, List<String>> multi(Map<String, String> single) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    single.forEach((k, v) -> m.put(k, List.of(v)));
    return m;
  }

  Map<String, List<String>> signed(WebhookSecret s, String id, Instant at, byte[] body) {
    return multi(SignatureScheme.standardWebhooks().sign(id, at, body, List.of(s)));
  }

  WebhookVerifier.Builder builder() {
    return WebhookVerifier.builder().secret(secret.encoded()).clock(clock);
  }

  @Test
  void verify_validRequest_returnsIdTimestampAndBody() {
    VerifiedWebhook hook = builder().build().verify(signed(secret, "msg_1", T0, BODY), BODY);
    assertEquals("msg_1", hook.id().orElseThrow());
    assertEquals(T0, hook.timestamp().orElseThrow());
    assertArrayEquals(BODY, hook.body());
    assertEquals("a@example.com", hook.json().at("/data/email").asText());
  }

  @Test
  void defaults_standardWebhooksFiveMinutesNoReplayGuard() {
    WebhookVerifier v = WebhookVerifier.builder().secret(secret.encoded()).build();
    assertEquals("standard-webhooks", v.scheme().name());
    assertEquals(Duration.ofMinutes(5), v.tolerance());
    assertTrue(v.toString().contains("ReplayGuard.NONE"));
  }

  @Test
  void verify_anyConfiguredSecret_rotation() {
    WebhookSecret next = WebhookSecret.generate();
    WebhookVerifier v = builder().secret(next.encoded()).build();
    v.verify(signed(secret, "msg_1", T0, BODY), BODY);
    v.verify(signed(next, "msg_2", T0, BODY), BODY);
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> v.verify(signed(WebhookSecret.generate(), "msg_3", T0, BODY), BODY));
    assertEquals(Reason.NO_MATCHING_SIGNATURE, e.reason());
  }

  @Test
  void verify_toleranceFromInjectedClock_bothDirections() {
    WebhookVerifier v = builder().tolerance(Duration.ofMinutes(2)).build();
    Map<String, List<String>> headers = signed(secret, "msg_1", T0, BODY);
    clock.set(T0.plusSeconds(120));
    v.verify(headers, BODY);
    clock.set(T0.plusSeconds(121));
    assertEquals(Reason.TIMESTAMP_TOO_OLD, assertThrows(WebhookVerificationException.class, () -> v.verify(headers, BODY)).reason());
    clock.set(T0.minusSeconds(121));
    assertEquals(Reason.TIMESTAMP_TOO_NEW, assertThrows(WebhookVerificationException.class, () -> v.verify(headers, BODY)).reason());
  }

  @Test
  void verify_headerNamesInAnyCase() {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    signed(secret, "msg_1", T0, BODY).forEach((k, val) -> headers.put(k.toUpperCase(java.util.Locale.ROOT), val));
    builder().build().verify(headers, BODY);
    builder().build().verify(WebhookHeaders.ofSingleValues(Map.of(
        "Webhook-Id", "msg_1", "Webhook-Timestamp", Long.toString(T0.getEpochSecond()),
        "Webhook-Signature", headers.get("WEBHOOK-SIGNATURE").get(0))), BODY);
  }

  @Test
  void replayGuard_secondDelivery_replayed_untilForgottenOrExpired() {
    WebhookVerifier v = builder().replayGuard(ReplayGuard.inMemory()).build();
    VerifiedWebhook first = v.verify(signed(secret, "msg_1", T0, BODY), BODY);
    // The sender's retry: same id, fresh timestamp and signature.
    clock.advance(Duration.ofSeconds(30));
    Map<String, List<String>> retry = signed(secret, "msg_1", clock.instant(), BODY);
    assertEquals(Reason.REPLAYED, assertThrows(WebhookVerificationException.class, () -> v.verify(retry, BODY)).reason());
    v.forget(first);
    v.verify(retry, BODY);
    // Once the window of the remembered message has passed, its record no longer blocks.
    clock.advance(Duration.ofMinutes(6));
    v.verify(signed(secret, "msg_1", clock.instant(), BODY), BODY);
    v.verify(signed(secret, "msg_2", clock.instant(), BODY), BODY);
  }

  @Test
  void replayGuard_notConsultedForForgeries() {
    ReplayGuard counting = new ReplayGuard() {
      int calls;

      @Override
      public boolean markSeen(String key, Instant expiresAt, Instant now) {
        calls++;
        return true;
      }

      @Override
      public void forget(String key) {}

      @Override
      public String toString() {
        return Integer.toString(calls);
      }
    };
    WebhookVerifier v = builder().replayGuard(counting).build();
    assertThrows(WebhookVerificationException.class,
        () -> v.verify(signed(WebhookSecret.generate(), "msg_1", T0, BODY), BODY));
    assertEquals("0", counting.toString());
    v.verify(signed(secret, "msg_1", T0, BODY), BODY);
    assertEquals("1", counting.toString());
  }

  public static final class Event {
    public String id;
    public String type;
    public Map<String, Object> data;
  }

  @Test
  void as_readsIntoUserTypes() {
    VerifiedWebhook hook = builder().build().verify(signed(secret, "msg_1", T0, BODY), BODY);
    Event e = hook.as(Event.class);
    assertEquals("lookup.completed", e.type);
    assertEquals("a@example.com", e.data.get("email"));
    Map<String, Object> map = hook.as(new TypeReference<Map<String, Object>>() {});
    assertEquals("msg_1", map.get("id"));
    assertSame(hook.json(), hook.json());
  }

  @Test
  void json_notJson_malformedPayload_withoutQuotingIt() {
    byte[] body = "not json: secret-ish payload".getBytes(StandardCharsets.UTF_8);
    VerifiedWebhook hook = builder().build().verify(signed(secret, "msg_1", T0, body), body);
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class, hook::json);
    assertEquals(Reason.MALFORMED_PAYLOAD, e.reason());
    assertFalse(e.getMessage().contains("secret-ish"));
    assertEquals(Reason.MALFORMED_PAYLOAD, assertThrows(WebhookVerificationException.class, () -> hook.as(Event.class)).reason());
    assertEquals("not json: secret-ish payload", hook.bodyAsString());
  }

  @Test
  void build_withoutAnyKey_refused() {
    assertThrows(IllegalStateException.class, () -> WebhookVerifier.builder().build());
  }

  @Test
  void build_malformedSecret_invalidSecretWithoutQuotingIt() {
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> WebhookVerifier.builder().secret("whsec_not*base64*secret").build());
    assertEquals(ErrorCode.INVALID_SECRET, e.code());
    assertFalse(e.getMessage().contains("not*base64"));
  }

  @Test
  void builder_refusesBadArgumentsInTheSetter() {
    WebhookVerifier.Builder b = WebhookVerifier.builder();
    assertThrows(IllegalArgumentException.class, () -> b.tolerance(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> b.tolerance(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> b.secret(""));
    assertThrows(NullPointerException.class, () -> b.secret(null));
    assertThrows(NullPointerException.class, () -> b.clock(null));
    assertThrows(NullPointerException.class, () -> b.scheme(null));
  }

  @Test
  void secretText_readByTheFinalScheme() {
    // The same text is a base64 key for Standard Webhooks and raw UTF-8 for Stripe.
    String text = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    WebhookVerifier stripe = WebhookVerifier.builder().secret(text).scheme(SignatureScheme.stripe()).clock(clock).build();
    Map<String, String> headers = SignatureScheme.stripe().sign(null, T0, BODY, List.of(WebhookSecret.ofUtf8(text)));
    stripe.verify(multi(headers), BODY);
    WebhookVerifier back = stripe.newBuilder().scheme(SignatureScheme.standardWebhooks()).build();
    back.verify(signed(WebhookSecret.parse(text), "msg_1", T0, BODY), BODY);
  }

  @Test
  void newBuilder_keepsKeysAndSettings() {
    WebhookSecret explicit = WebhookSecret.generate();
    WebhookVerifier v = builder().key(explicit).tolerance(Duration.ofMinutes(1)).build();
    WebhookVerifier copy = v.newBuilder().build();
    copy.verify(signed(secret, "msg_1", T0, BODY), BODY);
    copy.verify(signed(explicit, "msg_2", T0, BODY), BODY);
    assertEquals(Duration.ofMinutes(1), copy.tolerance());
  }

  @Test
  void publicKeyText_verifiesV1a() {
    Ed25519SigningKey key = Ed25519SigningKey.generate();
    WebhookVerifier v = WebhookVerifier.builder().secret(key.verifyingKey().encoded()).clock(clock).build();
    v.verify(multi(SignatureScheme.standardWebhooks().sign("msg_1", T0, BODY, List.of(key))), BODY);
  }

  @Test
  void toString_neverShowsSecrets() {
    WebhookVerifier v = builder().build();
    assertFalse(v.toString().contains(secret.encoded().substring(6, 20)));
    VerifiedWebhook hook = v.verify(signed(secret, "msg_1", T0, BODY), BODY);
    assertFalse(hook.toString().contains("a@example.com"));
  }
}

package dev.webhooks.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.standardwebhooks.Webhook;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.signature.WebhookVerificationException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Interoperability with a library nobody on the team wrote: com.standardwebhooks:standardwebhooks.
 * That library reads the system clock when it verifies, so these tests sign at the system time.
 */
class StandardWebhooksInteropTest {
  static final String PAYLOAD = "{\"type\":\"lookup.completed\",\"data\":{\"email\":\"ü@example.com\",\"n\":42}}";

  static Map<String, List<String>> multi(Map<String, String> single) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    single.forEach((k, v) -> m.put(k, List.of(v)));
    return m;
  }

  @Test
  void oursSigns_referenceVerifies() throws Exception {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> headers = SignatureScheme.standardWebhooks().sign(
        "msg_interop_1", Instant.now(), PAYLOAD.getBytes(StandardCharsets.UTF_8), List.of(secret));
    new Webhook(secret.encoded()).verify(PAYLOAD, multi(headers));
  }

  @Test
  void oursSignsWithTwoSecrets_referenceVerifiesWithEither() throws Exception {
    WebhookSecret oldSecret = WebhookSecret.generate();
    WebhookSecret newSecret = WebhookSecret.generate();
    Map<String, String> headers = SignatureScheme.standardWebhooks().sign(
        "msg_interop_2", Instant.now(), PAYLOAD.getBytes(StandardCharsets.UTF_8), List.of(newSecret, oldSecret));
    new Webhook(oldSecret.encoded()).verify(PAYLOAD, multi(headers));
    new Webhook(newSecret.encoded()).verify(PAYLOAD, multi(headers));
    assertThrows(com.standardwebhooks.exceptions.WebhookVerificationException.class,
        () -> new Webhook(WebhookSecret.generate().encoded()).verify(PAYLOAD, multi(headers)));
  }

  @Test
  void referenceSigns_oursVerifies() throws Exception {
    WebhookSecret secret = WebhookSecret.generate();
    long now = Instant.now().getEpochSecond();
    String signature = new Webhook(secret.encoded()).sign("msg_interop_3", now, PAYLOAD);
    Map<String, String> headers = Map.of(
        "webhook-id", "msg_interop_3", "webhook-timestamp", Long.toString(now), "webhook-signature", signature);
    VerifiedWebhook hook = WebhookVerifier.builder().secret(secret.encoded()).clock(Clock.systemUTC()).build()
        .verify(multi(headers), PAYLOAD.getBytes(StandardCharsets.UTF_8));
    assertEquals("msg_interop_3", hook.id().orElseThrow());
    assertEquals(42, hook.json().at("/data/n").asInt());
  }

  @Test
  void referenceSigns_oursRefusesTamperedBody() throws Exception {
    WebhookSecret secret = WebhookSecret.generate();
    long now = Instant.now().getEpochSecond();
    String signature = new Webhook(secret.encoded()).sign("msg_interop_4", now, PAYLOAD);
    Map<String, String> headers = Map.of(
        "webhook-id", "msg_interop_4", "webhook-timestamp", Long.toString(now), "webhook-signature", signature);
    WebhookVerifier verifier = WebhookVerifier.builder().secret(secret.encoded()).build();
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> verifier.verify(multi(headers), PAYLOAD.replace("42", "43").getBytes(StandardCharsets.UTF_8)));
    assertEquals(WebhookVerificationException.Reason.NO_MATCHING_SIGNATURE, e.reason());
  }

  @Test
  void oursSigns_referenceRefusesTamperedBody() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> headers = SignatureScheme.standardWebhooks().sign(
        "msg_interop_5", Instant.now(), PAYLOAD.getBytes(StandardCharsets.UTF_8), List.of(secret));
    assertThrows(com.standardwebhooks.exceptions.WebhookVerificationException.class,
        () -> new Webhook(secret.encoded()).verify(PAYLOAD.replace("42", "43"), multi(headers)));
  }
}

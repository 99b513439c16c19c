package dev.webhooks.core.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.secret.Ed25519SigningKey;
import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StandardWebhooksSchemeTest {
  static final SignatureScheme SW = SignatureScheme.standardWebhooks();
  static final byte[] BODY = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
  static final Duration TOL = Duration.ofMinutes(5);

  static VerifiedSignature verify(Map<String, String> headers, List<? extends WebhookKey> keys) {
    return SW.verify(WebhookHeaders.ofSingleValues(headers), BODY, keys, NOW, TOL);
  }

  static Reason refusal(Map<String, String> headers, List<? extends WebhookKey> keys) {
    return assertThrows(WebhookVerificationException.class, () -> verify(headers, keys)).reason();
  }

  @Test
  void sign_v1a_verifiesWithPublicKeyOnly() {
    Ed25519SigningKey key = Ed25519SigningKey.generate();
    Map<String, String> headers = SW.sign("msg_1", NOW, BODY, List.of(key));
    assertTrue(headers.get("webhook-signature").startsWith("v1a,"));
    assertEquals("msg_1", verify(headers, List.of(key.verifyingKey())).id().orElseThrow());
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(headers, List.of(Ed25519SigningKey.generate().verifyingKey())));
  }

  @Test
  void sign_secretAndEd25519_bothEntriesVerifyIndependently() {
    WebhookSecret secret = WebhookSecret.generate();
    Ed25519SigningKey key = Ed25519SigningKey.generate();
    Map<String, String> headers = SW.sign("msg_1", NOW, BODY, List.of(secret, key));
    String[] entries = headers.get("webhook-signature").split(" ");
    assertEquals(2, entries.length);
    assertTrue(entries[0].startsWith("v1,") && entries[1].startsWith("v1a,"));
    verify(headers, List.of(secret));
    verify(headers, List.of(key.verifyingKey()));
  }

  @Test
  void sign_twoSecrets_receiverWithEitherAccepts() {
    WebhookSecret oldSecret = WebhookSecret.generate();
    WebhookSecret newSecret = WebhookSecret.generate();
    Map<String, String> headers = SW.sign("msg_1", NOW, BODY, List.of(newSecret, oldSecret));
    verify(headers, List.of(oldSecret));
    verify(headers, List.of(newSecret));
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(headers, List.of(WebhookSecret.generate())));
  }

  @Test
  void sign_headersInStableOrder() {
    Map<String, String> headers = SW.sign("msg_1", NOW, BODY, List.of(WebhookSecret.generate()));
    assertEquals(List.of("webhook-id", "webhook-timestamp", "webhook-signature"), List.copyOf(headers.keySet()));
    assertEquals("1700000000", headers.get("webhook-timestamp"));
  }

  @Test
  void sign_withPublicKeyOrNoKey_refused() {
    assertThrows(IllegalArgumentException.class,
        () -> SW.sign("msg_1", NOW, BODY, List.of(Ed25519SigningKey.generate().verifyingKey())));
    assertThrows(IllegalArgumentException.class, () -> SW.sign("msg_1", NOW, BODY, List.of()));
  }

  @Test
  void sign_idWithSpaceOrControlCharacter_refused() {
    for (String id : new String[] {"", "a b", "a\r\nb", "x".repeat(257)}) {
      assertThrows(IllegalArgumentException.class, () -> SW.sign(id, NOW, BODY, List.of(WebhookSecret.generate())));
    }
  }

  @Test
  void verify_unknownVersionsSkipped() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> headers = SW.sign("msg_1", NOW, BODY, List.of(secret));
    String good = headers.get("webhook-signature");
    headers.put("webhook-signature", "v2,abc v9,xyz " + good + " v1b,zzz");
    verify(headers, List.of(secret));
    headers.put("webhook-signature", "v2," + good.substring(3));
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(headers, List.of(secret)));
  }

  @Test
  void verify_svixHeadersAcceptedByUnbrandedScheme_andBack() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> svix = SignatureScheme.svix().sign("msg_1", NOW, BODY, List.of(secret));
    assertEquals(List.of("svix-id", "svix-timestamp", "svix-signature"), List.copyOf(svix.keySet()));
    verify(svix, List.of(secret));
    Map<String, String> plain = SW.sign("msg_1", NOW, BODY, List.of(secret));
    SignatureScheme.svix().verify(WebhookHeaders.ofSingleValues(plain), BODY, List.of(secret), NOW, TOL);
  }

  @Test
  void verify_customBrand() {
    WebhookSecret secret = WebhookSecret.generate();
    SignatureScheme acme = SignatureScheme.standardWebhooks("acme");
    Map<String, String> headers = acme.sign("msg_1", NOW, BODY, List.of(secret));
    assertEquals(List.of("acme-id", "acme-timestamp", "acme-signature"), List.copyOf(headers.keySet()));
    acme.verify(WebhookHeaders.ofSingleValues(headers), BODY, List.of(secret), NOW, TOL);
    assertEquals(Reason.MISSING_HEADER, refusal(headers, List.of(secret)));
    assertThrows(IllegalArgumentException.class, () -> SignatureScheme.standardWebhooks("Bad Brand"));
  }

  @Test
  void verify_signaturesSplitOverSeveralHeaderValues() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> signed = SW.sign("msg_1", NOW, BODY, List.of(secret));
    Map<String, List<String>> multi = new LinkedHashMap<>();
    multi.put("Webhook-Id", List.of("msg_1"));
    multi.put("Webhook-Timestamp", List.of(signed.get("webhook-timestamp")));
    multi.put("Webhook-Signature", List.of("v1,AAAA", signed.get("webhook-signature")));
    SW.verify(WebhookHeaders.of(multi), BODY, List.of(secret), NOW, TOL);
  }

  @Test
  void verify_receiverWithSeveralSecrets_matchesAnyOfThem() {
    WebhookSecret right = WebhookSecret.generate();
    Map<String, String> headers = SW.sign("msg_1", NOW, BODY, List.of(right));
    List<WebhookSecret> others = List.of(WebhookSecret.generate(), WebhookSecret.generate());
    for (List<WebhookSecret> keys : List.of(List.of(others.get(0), right), List.of(right, others.get(0)),
        List.of(others.get(0), others.get(1), right))) {
      assertEquals(NOW, verify(headers, keys).timestamp().orElseThrow());
    }
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(headers, others));
  }

  @Test
  void verify_headerNamesInAnyCaseAndSpelling_asEqualsIgnoreCase() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> signed = SW.sign("msg_1", NOW, BODY, List.of(secret));
    Map<String, List<String>> multi = new LinkedHashMap<>();
    multi.put("WEBHOOK-ID", List.of("msg_1"));
    multi.put("Webhook-Timestamp", List.of(signed.get("webhook-timestamp")));
    // The Kelvin sign folds onto 'k' under equalsIgnoreCase, which header lookup has always used.
    multi.put("webhoo\u212A-signature", List.of("v1,AAAA"));
    multi.put("webhook-signature", java.util.Arrays.asList(null, signed.get("webhook-signature")));
    SW.verify(WebhookHeaders.of(multi), BODY, List.of(secret), NOW, TOL);
    multi.remove("webhook-signature");
    assertEquals(Reason.NO_MATCHING_SIGNATURE,
        assertThrows(WebhookVerificationException.class,
            () -> SW.verify(WebhookHeaders.of(multi), BODY, List.of(secret), NOW, TOL)).reason());
    multi.put("webhoo\u212A-signature", java.util.Arrays.asList((String) null));
    assertEquals(Reason.MISSING_HEADER,
        assertThrows(WebhookVerificationException.class,
            () -> SW.verify(WebhookHeaders.of(multi), BODY, List.of(secret), NOW, TOL)).reason());
  }

  @Test
  void verify_nonAsciiIdAndPaddedTimestamp_signedAsUtf8OfTheTrimmedText() throws Exception {
    WebhookSecret secret = WebhookSecret.generate();
    String id = "msg_\u00e9\u4e2d";
    javax.crypto.Mac mac = secret.newMac();
    mac.update((id + "." + NOW.getEpochSecond() + ".").getBytes(StandardCharsets.UTF_8));
    mac.update(BODY);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", id);
    headers.put("webhook-timestamp", " " + NOW.getEpochSecond() + "\t");
    headers.put("webhook-signature", "v1," + java.util.Base64.getEncoder().encodeToString(mac.doFinal()));
    VerifiedSignature ok = verify(headers, List.of(secret));
    assertEquals(id, ok.id().orElseThrow());
    assertEquals(NOW, ok.timestamp().orElseThrow());
    assertTrue(ok.toString().contains(NOW.toString()));
  }

  @Test
  void verify_entriesBeyondTheCap_notExamined() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> headers = SW.sign("msg_1", NOW, BODY, List.of(secret));
    String good = headers.get("webhook-signature");
    headers.put("webhook-signature", "v1,AAAA ".repeat(40) + good);
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(headers, List.of(secret)));
  }

  @Test
  void verify_signatureOfWrongLengthOrBadBase64_noMatch() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> headers = SW.sign("msg_1", NOW, BODY, List.of(secret));
    String b64 = headers.get("webhook-signature").substring(3);
    for (String bad : new String[] {"v1," + b64.substring(4), "v1," + b64 + "AAAA", "v1,%%%%", "v1a," + b64}) {
      headers.put("webhook-signature", bad);
      assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(headers, List.of(secret)), bad);
    }
  }

  @Test
  void verify_idTooLong_malformed() {
    WebhookSecret secret = WebhookSecret.generate();
    Map<String, String> headers = SW.sign("msg_1", NOW, BODY, List.of(secret));
    headers.put("webhook-id", "x".repeat(257));
    assertEquals(Reason.MALFORMED_HEADER, refusal(headers, List.of(secret)));
  }

  @Test
  void parseKey_readsEachForm() {
    assertTrue(SW.parseKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") instanceof WebhookSecret);
    assertTrue(SW.parseKey("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") instanceof WebhookSecret);
    Ed25519SigningKey key = Ed25519SigningKey.generate();
    assertEquals(key, SW.parseKey(key.encoded()));
    assertEquals(key.verifyingKey(), SW.parseKey(key.verifyingKey().encoded()));
  }
}

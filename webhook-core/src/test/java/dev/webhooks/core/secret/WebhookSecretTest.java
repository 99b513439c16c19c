package dev.webhooks.core.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSecretTest {

  @Test
  void generate_defaultIs32RandomBytesWithPrefix() {
    WebhookSecret a = WebhookSecret.generate();
    WebhookSecret b = WebhookSecret.generate();
    assertEquals(32, a.length());
    assertTrue(a.encoded().startsWith("whsec_"));
    assertEquals(32, Base64.getDecoder().decode(a.encoded().substring(6)).length);
    assertNotEquals(a, b);
  }

  @ParameterizedTest
  @ValueSource(ints = {24, 40, 64})
  void generate_withinRange(int length) {
    assertEquals(length, WebhookSecret.generate(length).length());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 16, 23, 65, 1024})
  void generate_outOfRange_refused(int length) {
    assertThrows(IllegalArgumentException.class, () -> WebhookSecret.generate(length));
  }

  @Test
  void parse_roundTripsWithAndWithoutPrefix() {
    WebhookSecret s = WebhookSecret.generate();
    assertEquals(s, WebhookSecret.parse(s.encoded()));
    assertEquals(s, WebhookSecret.parse(s.encoded().substring(6)));
  }

  @Test
  void parse_urlSafeAndUnpaddedBase64() {
    byte[] bytes = new byte[31];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (0xfb + i);
    }
    WebhookSecret expected = WebhookSecret.ofBytes(bytes);
    assertEquals(expected, WebhookSecret.parse("whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)));
    assertEquals(expected, WebhookSecret.parse("whsec_" + Base64.getEncoder().withoutPadding().encodeToString(bytes)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "whsec_", "whsec_!!!!", "whsec_c2hvcnQ=", "not base64 at all", "whsec_ab cd"})
  void parse_malformedOrShort_invalidSecret(String text) {
    WebhookValidationException e = assertThrows(WebhookValidationException.class, () -> WebhookSecret.parse(text));
    assertEquals(ErrorCode.INVALID_SECRET, e.code());
    assertEquals("secret", e.field().orElseThrow());
    if (text.length() > 8) {
      assertFalse(e.getMessage().contains(text.substring(6)), e.getMessage());
    }
  }

  @Test
  void ofUtf8_usesTheTextBytes() {
    assertArrayEquals("It's a Secret".getBytes(StandardCharsets.UTF_8), WebhookSecret.ofUtf8("It's a Secret").bytes());
    assertEquals(ErrorCode.INVALID_SECRET,
        assertThrows(WebhookValidationException.class, () -> WebhookSecret.ofUtf8("")).code());
  }

  @Test
  void bytes_isADefensiveCopy() {
    byte[] in = new byte[] {1, 2, 3};
    WebhookSecret s = WebhookSecret.ofBytes(in);
    in[0] = 9;
    s.bytes()[1] = 9;
    assertArrayEquals(new byte[] {1, 2, 3}, s.bytes());
  }

  @Test
  void toString_redacted() {
    WebhookSecret s = WebhookSecret.generate();
    assertEquals("WebhookSecret[<redacted>]", s.toString());
    assertFalse(s.toString().contains(s.encoded().substring(6, 12)));
  }

  @Test
  void newMac_independentInstancesWithSameKey() throws Exception {
    WebhookSecret s = WebhookSecret.generate();
    javax.crypto.Mac a = s.newMac();
    javax.crypto.Mac b = s.newMac();
    a.update((byte) 1); // state of one must not leak into the other
    assertArrayEquals(b.doFinal(new byte[] {2}), s.newMac().doFinal(new byte[] {2}));
  }

  /** HMAC-SHA256 of the bytes, with a fresh Mac from the JDK. */
  private static byte[] reference(byte[] key, byte[] bytes) throws Exception {
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(bytes);
  }

  @Test
  void hmac_ofPrefixThenBody_isTheMacOfBothTogether_callAfterCall() throws Exception {
    WebhookSecret s = WebhookSecret.parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    byte[] prefix = "msg_1.1714651200.unused".getBytes(StandardCharsets.UTF_8);
    byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
    byte[] expected = reference(s.bytes(), "msg_1.1714651200.{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < 3; i++) { // the kept Mac starts clean each time
      assertArrayEquals(expected, s.hmac(prefix, 17, body));
    }
    assertArrayEquals(reference(s.bytes(), body), s.hmac(null, 0, body));
    assertArrayEquals(s.hmac(new byte[0], 0, body), s.hmac(null, 0, body));
  }

  @Test
  void hmac_prefixLengthOutsideThePrefix_refused_andTheNextCallStillRight() throws Exception {
    WebhookSecret s = WebhookSecret.generate();
    byte[] body = {1, 2, 3};
    assertThrows(IndexOutOfBoundsException.class, () -> s.hmac(new byte[4], 5, body));
    assertThrows(IndexOutOfBoundsException.class, () -> s.hmac(new byte[4], -1, body));
    assertThrows(IndexOutOfBoundsException.class, () -> s.hmac(null, 1, body));
    assertThrows(NullPointerException.class, () -> s.hmac(null, 0, null));
    assertArrayEquals(reference(s.bytes(), body), s.hmac(null, 0, body));
  }

  @Test
  void hmac_fromManyThreadsAtOnce_everyResultRight() throws Exception {
    WebhookSecret s = WebhookSecret.generate();
    int threads = 8;
    int each = 2_000;
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      java.util.List<java.util.concurrent.Future<Integer>> results = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        results.add(pool.submit(() -> {
          int wrong = 0;
          for (int i = 0; i < each; i++) {
            byte[] body = (thread + ":" + i).getBytes(StandardCharsets.UTF_8);
            byte[] prefix = {(byte) thread, (byte) i};
            byte[] both = new byte[prefix.length + body.length];
            System.arraycopy(prefix, 0, both, 0, 2);
            System.arraycopy(body, 0, both, 2, body.length);
            if (!java.util.Arrays.equals(reference(s.bytes(), both), s.hmac(prefix, 2, body))) {
              wrong++;
            }
          }
          return wrong;
        }));
      }
      for (java.util.concurrent.Future<Integer> r : results) {
        assertEquals(0, r.get(60, java.util.concurrent.TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
  }
}

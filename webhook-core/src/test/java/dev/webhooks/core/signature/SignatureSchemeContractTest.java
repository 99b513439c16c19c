package dev.webhooks.core.signature;

import static dev.webhooks.core.signature.SchemeFixture.ID;
import static dev.webhooks.core.signature.SchemeFixture.TS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The negative cases every scheme must refuse, each with its specific reason. */
class SignatureSchemeContractTest {
  static final byte[] BODY = "{\"type\":\"lookup.completed\",\"data\":{\"n\":1}}".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.ofEpochSecond(TS + 30);
  static final Duration TOLERANCE = Duration.ofMinutes(5);

  static Stream<SchemeFixture> schemes() {
    return SchemeFixture.all().stream();
  }

  static Stream<SchemeFixture> timestamped() {
    return schemes().filter(f -> f.signsTimestamp);
  }

  static Stream<SchemeFixture> withIds() {
    return schemes().filter(f -> f.idHeader() != null);
  }

  private static VerifiedSignature verify(SchemeFixture f, Map<String, String> headers, byte[] body, List<WebhookKey> keys,
      Instant now) {
    return f.scheme.verify(WebhookHeaders.ofSingleValues(headers), body, keys, now, TOLERANCE);
  }

  private static Reason refusal(SchemeFixture f, Map<String, String> headers, byte[] body, Instant now) {
    return assertThrows(WebhookVerificationException.class,
        () -> verify(f, headers, body, List.of(f.key()), now)).reason();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void validRequest_verifies(SchemeFixture f) {
    VerifiedSignature v = verify(f, f.sign(BODY), BODY, List.of(f.key()), NOW);
    assertEquals(f.idHeader() != null, v.id().isPresent());
    v.id().ifPresent(id -> assertEquals(ID, id));
    assertEquals(f.signsTimestamp, v.timestamp().isPresent());
    v.timestamp().ifPresent(t -> assertEquals(TS, t.getEpochSecond()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void tamperedBody_refused(SchemeFixture f) {
    Map<String, String> headers = f.sign(BODY);
    byte[] tampered = BODY.clone();
    tampered[tampered.length - 3] ^= 1;
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(f, headers, tampered, NOW));
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(f, headers, new byte[0], NOW));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void wrongSecret_refused(SchemeFixture f) {
    Map<String, String> headers = f.sign(f.otherSecret, ID, TS, BODY);
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(f, headers, BODY, NOW));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void anyOfSeveralSecrets_verifies(SchemeFixture f) {
    Map<String, String> headers = f.sign(f.otherSecret, ID, TS, BODY);
    verify(f, headers, BODY, List.of(f.key(), f.otherKey()), NOW);
    verify(f, headers, BODY, List.of(f.otherKey(), f.key()), NOW);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void severalSignaturesOneValid_verifies(SchemeFixture f) {
    Map<String, String> headers = f.sign(BODY);
    String good = headers.get(f.signatureHeader);
    headers.put(f.signatureHeader, f.wrongEntry + f.joiner + good + f.joiner + f.wrongEntry);
    verify(f, headers, BODY, List.of(f.key()), NOW);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void onlyWrongSignatures_refused(SchemeFixture f) {
    Map<String, String> headers = f.sign(BODY);
    String good = headers.get(f.signatureHeader);
    String onlyWrong = f.signsTimestamp && f.signatureHeader.equals(f.timestampHeader)
        ? "t=" + TS + "," + f.wrongEntry : f.wrongEntry;
    headers.put(f.signatureHeader, onlyWrong);
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(f, headers, BODY, NOW));
    assertFalse(good.equals(onlyWrong));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void eachHeaderMissing_refused(SchemeFixture f) {
    Map<String, String> signed = f.sign(BODY);
    for (String name : signed.keySet()) {
      boolean optionalId = name.equals(f.idHeader()) && !f.name.equals("standard-webhooks") && !f.name.equals("svix");
      if (optionalId) {
        continue; // GitHub's and Shopify's id headers are informative, not signed
      }
      Map<String, String> headers = new LinkedHashMap<>(signed);
      headers.remove(name);
      assertEquals(Reason.MISSING_HEADER, refusal(f, headers, BODY, NOW), name);
    }
    assertEquals(Reason.MISSING_HEADER, refusal(f, Map.of(), BODY, NOW));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void headerNamesInAnyCase_verify(SchemeFixture f) {
    Map<String, String> upper = new LinkedHashMap<>();
    f.sign(BODY).forEach((k, v) -> upper.put(k.toUpperCase(Locale.ROOT), v));
    verify(f, upper, BODY, List.of(f.key()), NOW);
    Map<String, String> lower = new LinkedHashMap<>();
    f.sign(BODY).forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    verify(f, lower, BODY, List.of(f.key()), NOW);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void garbageSignatureHeader_malformed(SchemeFixture f) {
    for (String garbage : new String[] {"", "   ", "!!!", ",,,", "v1", "sha256"}) {
      Map<String, String> headers = f.sign(BODY);
      String value = f.signatureHeader.equals(f.timestampHeader) ? "t=" + TS + ",v1=" + garbage : garbage;
      headers.put(f.signatureHeader, value);
      Reason r = refusal(f, headers, BODY, NOW);
      assertTrue(r == Reason.MALFORMED_HEADER || r == Reason.NO_MATCHING_SIGNATURE, garbage + " -> " + r);
    }
    Map<String, String> headers = f.sign(BODY);
    headers.put(f.signatureHeader, "x".repeat(Schemes.MAX_HEADER_CHARS + 1));
    assertEquals(Reason.MALFORMED_HEADER, refusal(f, headers, BODY, NOW));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("timestamped")
  void timestampTooOld_refused(SchemeFixture f) {
    Map<String, String> headers = f.sign(BODY);
    assertEquals(Reason.TIMESTAMP_TOO_OLD, refusal(f, headers, BODY, Instant.ofEpochSecond(TS + 301)));
    verify(f, headers, BODY, List.of(f.key()), Instant.ofEpochSecond(TS + 300));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("timestamped")
  void timestampTooNew_refused(SchemeFixture f) {
    Map<String, String> headers = f.sign(BODY);
    assertEquals(Reason.TIMESTAMP_TOO_NEW, refusal(f, headers, BODY, Instant.ofEpochSecond(TS - 301)));
    verify(f, headers, BODY, List.of(f.key()), Instant.ofEpochSecond(TS - 300));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("timestamped")
  void tamperedTimestamp_refused(SchemeFixture f) {
    Map<String, String> headers = f.sign(BODY);
    String ts = Long.toString(TS);
    headers.replaceAll((k, v) -> v.replace(ts, Long.toString(TS + 1)));
    assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(f, headers, BODY, NOW));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("timestamped")
  void malformedTimestamp_refused(SchemeFixture f) {
    for (String bad : new String[] {"abc", "-5", "1e9", "17000000000000", "0x10", "1.5"}) {
      Map<String, String> headers = f.sign(BODY);
      String ts = Long.toString(TS);
      if (f.timestampHeader.equals(f.signatureHeader)) {
        headers.put(f.timestampHeader, headers.get(f.timestampHeader).replace("t=" + ts, "t=" + bad));
      } else {
        headers.put(f.timestampHeader, bad);
      }
      assertEquals(Reason.MALFORMED_HEADER, refusal(f, headers, BODY, NOW), bad);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("withIds")
  void tamperedId_refusedWhereSigned(SchemeFixture f) {
    Map<String, String> headers = f.sign(BODY);
    headers.put(f.idHeader(), ID + "x");
    if (f.name.equals("standard-webhooks") || f.name.equals("svix")) {
      assertEquals(Reason.NO_MATCHING_SIGNATURE, refusal(f, headers, BODY, NOW));
    } else {
      // GitHub and Shopify do not sign the id: it is reported, not trusted for de-duplication.
      assertEquals(ID + "x", verify(f, headers, BODY, List.of(f.key()), NOW).id().orElseThrow());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void exceptionMessages_neverHoldSecretsOrSignatures(SchemeFixture f) {
    Map<String, String> headers = f.sign(f.otherSecret, ID, TS, BODY);
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> verify(f, headers, BODY, List.of(f.key()), NOW));
    String message = e.getMessage();
    for (String v : headers.values()) {
      if (!v.equals(ID) && !v.equals(Long.toString(TS))) {
        assertFalse(message.contains(v), message);
      }
    }
    assertFalse(message.contains(f.secret));
    assertFalse(message.contains(new String(BODY, StandardCharsets.UTF_8)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemes")
  void signWhereSupported_matchesIndependentSigner(SchemeFixture f) {
    if (!f.scheme.canSign()) {
      assertThrows(UnsupportedOperationException.class,
          () -> f.scheme.sign(ID, Instant.ofEpochSecond(TS), BODY, List.of(f.key())));
      return;
    }
    Map<String, String> ours = f.scheme.sign(ID, Instant.ofEpochSecond(TS), BODY, List.of(f.key()));
    Map<String, String> theirs = f.sign(BODY);
    if (f.idHeader() == null) {
      assertEquals(theirs, ours);
    } else {
      assertEquals(new LinkedHashMap<>(theirs), new LinkedHashMap<>(ours));
    }
  }
}

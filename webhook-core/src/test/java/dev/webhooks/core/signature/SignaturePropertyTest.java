package dev.webhooks.core.signature;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.webhooks.core.secret.Ed25519SigningKey;
import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Sign-then-verify round trips, and no single-byte change of a signed message verifies. */
class SignaturePropertyTest {
  static final Duration TOL = Duration.ofMinutes(5);

  @Provide
  Arbitrary<SignatureScheme> signingSchemes() {
    return Arbitraries.of(SignatureScheme.standardWebhooks(), SignatureScheme.svix(),
        SignatureScheme.standardWebhooks("acme"), SignatureScheme.stripe(), SignatureScheme.github(),
        SignatureScheme.hmacHex("X-Signature"));
  }

  @Provide
  Arbitrary<String> messageIds() {
    return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(64);
  }

  @Provide
  Arbitrary<WebhookSecret> secrets() {
    return Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(64).map(WebhookSecret::ofBytes);
  }

  @Property(tries = 300)
  void signThenVerify_roundTrips(
      @ForAll("signingSchemes") SignatureScheme scheme,
      @ForAll("messageIds") String id,
      @ForAll @IntRange(min = 0, max = 2_000_000_000) int seconds,
      @ForAll @Size(max = 2048) byte[] body,
      @ForAll("secrets") WebhookSecret secret) {
    Instant at = Instant.ofEpochSecond(seconds);
    Map<String, String> headers = scheme.sign(id, at, body, List.of(secret));
    VerifiedSignature v = scheme.verify(WebhookHeaders.ofSingleValues(headers), body, List.of(secret), at, TOL);
    if (scheme.name().startsWith("standard-webhooks")) {
      assertEquals(id, v.id().orElseThrow());
      assertEquals(at, v.timestamp().orElseThrow());
    }
  }

  @Property(tries = 50)
  void signThenVerify_ed25519RoundTrips(
      @ForAll("messageIds") String id, @ForAll @Size(max = 1024) byte[] body) {
    Ed25519SigningKey key = Ed25519SigningKey.generate();
    Instant at = Instant.ofEpochSecond(1_700_000_000L);
    Map<String, String> headers = SignatureScheme.standardWebhooks().sign(id, at, body, List.of(key));
    SignatureScheme.standardWebhooks().verify(
        WebhookHeaders.ofSingleValues(headers), body, List.of(key.verifyingKey()), at, TOL);
  }

  @Property(tries = 500)
  void anySingleByteChangeOfTheBody_refused(
      @ForAll("signingSchemes") SignatureScheme scheme,
      @ForAll @Size(min = 1, max = 512) byte[] body,
      @ForAll @IntRange(min = 0, max = 511) int position,
      @ForAll @IntRange(min = 1, max = 255) int mask,
      @ForAll("secrets") WebhookSecret secret) {
    Instant at = Instant.ofEpochSecond(1_700_000_000L);
    Map<String, String> headers = scheme.sign("msg_1", at, body, List.of(secret));
    byte[] changed = body.clone();
    changed[position % body.length] ^= (byte) mask;
    WebhookVerificationException e = assertThrows(WebhookVerificationException.class,
        () -> scheme.verify(WebhookHeaders.ofSingleValues(headers), changed, List.<WebhookKey>of(secret), at, TOL));
    assertEquals(Reason.NO_MATCHING_SIGNATURE, e.reason());
  }

  @Property(tries = 300)
  void anySingleCharacterChangeOfASignedHeader_refused(
      @ForAll("signingSchemes") SignatureScheme scheme,
      @ForAll @Size(max = 256) byte[] body,
      @ForAll @IntRange(min = 0, max = 10_000) int pick,
      @ForAll @IntRange(min = 1, max = 93) int shift,
      @ForAll("secrets") WebhookSecret secret) {
    Instant at = Instant.ofEpochSecond(1_700_000_000L);
    Map<String, String> headers = new java.util.LinkedHashMap<>(scheme.sign("msg_1", at, body, List.of(secret)));
    // Every header is signed except GitHub's delivery id, which is informative only.
    List<String> names = headers.keySet().stream().filter(n -> !n.equals("X-GitHub-Delivery")).toList();
    String name = names.get(pick % names.size());
    String value = headers.get(name);
    int i = (pick / names.size()) % value.length();
    char changed = (char) ('!' + ((value.charAt(i) - '!' + shift) % 94));
    headers.put(name, value.substring(0, i) + changed + value.substring(i + 1));
    // Hex digits are case-insensitive: an a->A change is the same signature, not a forgery.
    boolean sameHexDigit = Character.toLowerCase(changed) == Character.toLowerCase(value.charAt(i))
        && Character.digit(changed, 16) >= 0;
    // So is GitHub's sha256= prefix: SHA256= names the same signature.
    boolean samePrefixLetter = value.startsWith("sha256=") && i < "sha256=".length()
        && Character.toLowerCase(changed) == Character.toLowerCase(value.charAt(i));
    if (sameHexDigit || samePrefixLetter) {
      return;
    }
    assertThrows(WebhookVerificationException.class,
        () -> scheme.verify(WebhookHeaders.ofSingleValues(headers), body, List.<WebhookKey>of(secret), at, TOL));
  }
}

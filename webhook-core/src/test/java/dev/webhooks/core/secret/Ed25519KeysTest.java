package dev.webhooks.core.secret;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class Ed25519KeysTest {
  // Svix's published pair (official-vectors.json, sw_38).
  static final String SK = "whsk_6Xb/dCcHpPea21PS1N9VY/NZW723CEc77N4rJCubMbfVKIDij2HKpMKkioLlX0dRqSKJp4AJ6p9lMicMFs6Kvg==";
  static final String PK = "whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=";

  @Test
  void parse_publishedPair_halvesMatch() {
    Ed25519SigningKey sk = Ed25519SigningKey.parse(SK);
    assertEquals(PK, sk.verifyingKey().encoded());
    assertEquals(SK, sk.encoded());
    assertEquals(Ed25519VerifyingKey.parse(PK), sk.verifyingKey());
  }

  @Test
  void generate_signsAndVerifies_andRoundTripsThroughText() {
    Ed25519SigningKey sk = Ed25519SigningKey.generate();
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] sig = sk.sign(msg);
    assertEquals(64, sig.length);
    assertTrue(sk.verifyingKey().verify(msg, sig));
    assertFalse(sk.verifyingKey().verify("hellp".getBytes(StandardCharsets.UTF_8), sig));
    Ed25519SigningKey again = Ed25519SigningKey.parse(sk.encoded());
    assertEquals(sk, again);
    assertArrayEquals(sig, again.sign(msg)); // Ed25519 is deterministic
    assertTrue(Ed25519VerifyingKey.parse(sk.verifyingKey().encoded()).verify(msg, sig));
  }

  @Test
  void parse_mismatchedHalves_refused() {
    byte[] a = Base64.getDecoder().decode(Ed25519SigningKey.generate().encoded().substring(5));
    byte[] b = Base64.getDecoder().decode(Ed25519SigningKey.generate().encoded().substring(5));
    System.arraycopy(b, 32, a, 0 + 32, 32);
    WebhookValidationException e = assertThrows(WebhookValidationException.class,
        () -> Ed25519SigningKey.parse("whsk_" + Base64.getEncoder().encodeToString(a)));
    assertEquals(ErrorCode.INVALID_SECRET, e.code());
  }

  @Test
  void parse_wrongLengths_refused() {
    for (String bad : new String[] {"whsk_", "whsk_AAAA", "whsk_" + Base64.getEncoder().encodeToString(new byte[32]), "whsk_***"}) {
      assertEquals(ErrorCode.INVALID_SECRET,
          assertThrows(WebhookValidationException.class, () -> Ed25519SigningKey.parse(bad)).code());
    }
    for (String bad : new String[] {"whpk_", "whpk_AAAA", "whpk_" + Base64.getEncoder().encodeToString(new byte[33])}) {
      assertEquals(ErrorCode.INVALID_SECRET,
          assertThrows(WebhookValidationException.class, () -> Ed25519VerifyingKey.parse(bad)).code());
    }
  }

  @Test
  void verify_garbageSignature_false() {
    Ed25519VerifyingKey pk = Ed25519VerifyingKey.parse(PK);
    assertFalse(pk.verify(new byte[] {1}, new byte[64]));
    assertFalse(pk.verify(new byte[] {1}, new byte[3]));
  }

  @Test
  void toString_neverShowsThePrivateSeed() {
    Ed25519SigningKey sk = Ed25519SigningKey.parse(SK);
    assertFalse(sk.toString().contains(SK.substring(5, 30)));
    assertTrue(sk.toString().contains("<redacted>"));
  }
}

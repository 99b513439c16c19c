package dev.webhooks.core.secret;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * The public half of an Ed25519 key, which verifies Standard Webhooks {@code v1a} signatures. Its
 * text form is {@code whpk_} + base64 of the 32-byte RFC 8032 encoding. Uses the JDK's own
 * Ed25519; immutable and thread-safe.
 *
 * <pre>{@code
 * Ed25519VerifyingKey key = Ed25519VerifyingKey.parse("whpk_1SiA4o9hyqTCpIqC5V9HUakiiaeACeqfZTInDBbOir4=");
 * }</pre>
 */
public final class Ed25519VerifyingKey implements WebhookKey {
  /** The Standard Webhooks prefix of an Ed25519 public key. */
  public static final String PREFIX = "whpk_";
  static final int LENGTH = 32;

  private final byte[] raw;
  private final PublicKey publicKey;

  private Ed25519VerifyingKey(byte[] raw, PublicKey publicKey) {
    this.raw = raw;
    this.publicKey = publicKey;
  }

  /**
   * Parses {@code whpk_} + base64 of 32 bytes (the prefix is optional).
   *
   * @throws WebhookValidationException {@link ErrorCode#INVALID_SECRET} when malformed
   */
  public static Ed25519VerifyingKey parse(String text) {
    requireNonNull(text, "text == null");
    String body = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
    byte[] bytes = KeyText.decodeBase64(body);
    if (bytes == null || bytes.length != LENGTH) {
      throw invalid("public key must be whpk_ followed by the base64 of 32 bytes");
    }
    return of(bytes);
  }

  /**
   * The key with this 32-byte RFC 8032 encoding (copied).
   *
   * @throws WebhookValidationException {@link ErrorCode#INVALID_SECRET} when it is not a valid key
   */
  public static Ed25519VerifyingKey of(byte[] encoded) {
    requireNonNull(encoded, "encoded == null");
    if (encoded.length != LENGTH) {
      throw invalid("public key must be 32 bytes, got " + encoded.length);
    }
    byte[] raw = encoded.clone();
    byte[] little = raw.clone();
    boolean xOdd = (little[LENGTH - 1] & 0x80) != 0;
    little[LENGTH - 1] &= 0x7f;
    BigInteger y = new BigInteger(1, reverse(little));
    try {
      PublicKey key = KeyFactory.getInstance("Ed25519")
          .generatePublic(new EdECPublicKeySpec(NamedParameterSpec.ED25519, new EdECPoint(xOdd, y)));
      return new Ed25519VerifyingKey(raw, key);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw invalid("not a valid Ed25519 public key");
    }
  }

  static Ed25519VerifyingKey of(EdECPublicKey key) {
    EdECPoint point = key.getPoint();
    byte[] big = point.getY().toByteArray();
    byte[] little = new byte[LENGTH];
    for (int i = 0; i < LENGTH && i < big.length; i++) {
      little[i] = big[big.length - 1 - i];
    }
    if (point.isXOdd()) {
      little[LENGTH - 1] |= (byte) 0x80;
    }
    return new Ed25519VerifyingKey(little, key);
  }

  /** {@code true} when {@code signature} is this key's Ed25519 signature of {@code message}. */
  public boolean verify(byte[] message, byte[] signature) {
    requireNonNull(message, "message == null");
    requireNonNull(signature, "signature == null");
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(publicKey);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false; // a malformed signature is simply not a match
    }
  }

  /** The text form, {@code whpk_} + base64. Public keys are not secret. */
  public String encoded() {
    return PREFIX + Base64.getEncoder().encodeToString(raw);
  }

  /** A copy of the 32-byte encoding. */
  public byte[] bytes() {
    return raw.clone();
  }

  /** The JDK key, for use with {@link Signature}. */
  public PublicKey publicKey() {
    return publicKey;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Ed25519VerifyingKey && Arrays.equals(raw, ((Ed25519VerifyingKey) o).raw);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(raw);
  }

  @Override
  public String toString() {
    return "Ed25519VerifyingKey[" + encoded() + "]";
  }

  static byte[] reverse(byte[] bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[bytes.length - 1 - i];
    }
    return out;
  }

  static WebhookValidationException invalid(String message) {
    return new WebhookValidationException(ErrorCode.INVALID_SECRET, "secret", message);
  }
}

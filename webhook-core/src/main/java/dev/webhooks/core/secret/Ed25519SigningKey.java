package dev.webhooks.core.secret;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * An Ed25519 private key, which signs Standard Webhooks {@code v1a} signatures; receivers verify
 * them with its {@link #verifyingKey() public half}. Its text form is {@code whsk_} + base64 of
 * the 32-byte seed followed by the 32-byte public key (libsodium's layout, as Svix uses it). Uses
 * the JDK's own Ed25519. Immutable and thread-safe; {@link #toString()} is redacted.
 *
 * <pre>{@code
 * Ed25519SigningKey key = Ed25519SigningKey.generate();
 * String keepPrivate = key.encoded();                     // "whsk_…"
 * String giveToReceivers = key.verifyingKey().encoded();  // "whpk_…"
 * }</pre>
 */
public final class Ed25519SigningKey implements WebhookKey {
  /** The Standard Webhooks prefix of an Ed25519 private key. */
  public static final String PREFIX = "whsk_";
  private static final int SEED = 32;

  private final byte[] seed;
  private final PrivateKey privateKey;
  private final Ed25519VerifyingKey verifyingKey;

  private Ed25519SigningKey(byte[] seed, PrivateKey privateKey, Ed25519VerifyingKey verifyingKey) {
    this.seed = seed;
    this.privateKey = privateKey;
    this.verifyingKey = verifyingKey;
  }

  /** A new random key pair. */
  public static Ed25519SigningKey generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes()
          .orElseThrow(() -> new IllegalStateException("the JDK did not expose the Ed25519 seed"));
      return new Ed25519SigningKey(
          seed, pair.getPrivate(), Ed25519VerifyingKey.of((EdECPublicKey) pair.getPublic()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 is not available in this JDK", e);
    }
  }

  /**
   * Parses {@code whsk_} + base64 of 64 bytes, seed then public key (the prefix is optional), and
   * checks that the two halves belong together.
   *
   * @throws WebhookValidationException {@link ErrorCode#INVALID_SECRET} when malformed or
   *     inconsistent; the message never quotes the key
   */
  public static Ed25519SigningKey parse(String text) {
    requireNonNull(text, "text == null");
    String body = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
    byte[] bytes = KeyText.decodeBase64(body);
    if (bytes == null || bytes.length != 2 * SEED) {
      throw invalid("signing key must be whsk_ followed by the base64 of 64 bytes (seed, public key)");
    }
    byte[] seed = Arrays.copyOfRange(bytes, 0, SEED);
    Ed25519VerifyingKey pub = Ed25519VerifyingKey.of(Arrays.copyOfRange(bytes, SEED, 2 * SEED));
    PrivateKey priv;
    try {
      priv = KeyFactory.getInstance("Ed25519")
          .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
    } catch (GeneralSecurityException e) {
      throw invalid("not a valid Ed25519 private key");
    }
    Ed25519SigningKey key = new Ed25519SigningKey(seed, priv, pub);
    byte[] probe = "whsk consistency check".getBytes(StandardCharsets.US_ASCII);
    if (!pub.verify(probe, key.sign(probe))) {
      throw invalid("the public half of the signing key does not match its seed");
    }
    return key;
  }

  /** The Ed25519 signature (64 bytes) of {@code message}. */
  public byte[] sign(byte[] message) {
    requireNonNull(message, "message == null");
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(privateKey);
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /** The public half, to hand to receivers. */
  public Ed25519VerifyingKey verifyingKey() {
    return verifyingKey;
  }

  /** The text form, {@code whsk_} + base64 of seed and public key. Keep it private; never log it. */
  public String encoded() {
    byte[] both = Arrays.copyOf(seed, 2 * SEED);
    System.arraycopy(verifyingKey.bytes(), 0, both, SEED, SEED);
    return PREFIX + Base64.getEncoder().encodeToString(both);
  }

  /** Constant-time comparison of the seeds. */
  @Override
  public boolean equals(Object o) {
    return o instanceof Ed25519SigningKey && MessageDigest.isEqual(seed, ((Ed25519SigningKey) o).seed);
  }

  @Override
  public int hashCode() {
    return verifyingKey.hashCode();
  }

  @Override
  public String toString() {
    return "Ed25519SigningKey[<redacted>, public=" + verifyingKey.encoded() + "]";
  }

  private static WebhookValidationException invalid(String message) {
    return new WebhookValidationException(ErrorCode.INVALID_SECRET, "secret", message);
  }
}

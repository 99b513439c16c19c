package dev.webhooks.sender.store.jdbc;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * How the signing secrets column is written: as plain JSON, or sealed with AES-GCM under the
 * application's key. A sealed value is {@code aesgcm1:} and the base64 of a 12-byte random nonce
 * followed by the ciphertext and its 16-byte tag; the subscription id is the associated data, so a
 * sealed value copied onto another row does not open.
 */
final class SecretsAtRest {
  static final String PREFIX = "aesgcm1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;

  private SecretsAtRest(SecretKey key) {
    this.key = key;
  }

  static SecretsAtRest plain() {
    return new SecretsAtRest(null);
  }

  /**
   * @throws IllegalArgumentException unless {@code key} is an AES key of 128, 192 or 256 bits
   */
  static SecretsAtRest aesGcm(SecretKey key) {
    if (!"AES".equalsIgnoreCase(key.getAlgorithm())) {
      throw new IllegalArgumentException("the secrets key must be an AES key, not " + key.getAlgorithm());
    }
    byte[] encoded = key.getEncoded();
    if (encoded == null || (encoded.length != 16 && encoded.length != 24 && encoded.length != 32)) {
      throw new IllegalArgumentException("the secrets key must be 128, 192 or 256 bits");
    }
    return new SecretsAtRest(key);
  }

  boolean encrypts() {
    return key != null;
  }

  static boolean isSealed(String stored) {
    return stored.startsWith(PREFIX);
  }

  /** The column value for {@code json}, the secrets of subscription {@code rowId}. */
  String seal(String json, String rowId) {
    if (key == null) {
      return json;
    }
    try {
      byte[] nonce = new byte[NONCE_BYTES];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(rowId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(json.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * The secrets JSON of a column value. A plain value is read as is (written before a key was
   * configured; the store seals such rows when it starts).
   *
   * @throws IllegalStateException when the value is sealed and no key, or another key, is
   *     configured, or when it was altered
   */
  String open(String stored, String rowId) {
    if (!isSealed(stored)) {
      return stored;
    }
    if (key == null) {
      throw new IllegalStateException("the signing secrets of subscription " + rowId
          + " are encrypted: configure the store's secrets key");
    }
    try {
      byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
      if (in.length < NONCE_BYTES + TAG_BITS / 8) {
        throw new IllegalStateException("the sealed secrets of subscription " + rowId + " are truncated");
      }
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
      c.updateAAD(rowId.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new IllegalStateException("the sealed secrets of subscription " + rowId
          + " do not open with the configured key (another key, or altered)");
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("the sealed secrets of subscription " + rowId + " are malformed");
    }
  }

  @Override
  public String toString() {
    return key == null ? "SecretsAtRest[plain]" : "SecretsAtRest[AES-GCM, <key redacted>]";
  }
}

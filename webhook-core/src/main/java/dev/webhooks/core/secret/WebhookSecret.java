package dev.webhooks.core.secret;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A symmetric HMAC-SHA256 signing secret. Immutable and thread-safe; {@link #toString()} is
 * redacted, and {@link #equals} compares in constant time.
 *
 * <p>The Standard Webhooks text form is {@code whsec_} followed by the base64 of the key bytes:
 *
 * <pre>{@code
 * WebhookSecret secret = WebhookSecret.generate();       // 32 random bytes from SecureRandom
 * String shownOnce = secret.encoded();                  // "whsec_…", give it to the receiver once
 * WebhookSecret same = WebhookSecret.parse(shownOnce);   // the prefix is optional
 * WebhookSecret github = WebhookSecret.ofUtf8("It's a Secret to Everybody"); // raw-text secrets
 * }</pre>
 */
public final class WebhookSecret implements WebhookKey {
  /** The Standard Webhooks prefix of a symmetric secret. */
  public static final String PREFIX = "whsec_";
  /** Bytes of a generated secret by default. */
  public static final int DEFAULT_LENGTH = 32;
  /** Smallest and largest generated secret, in bytes (the Standard Webhooks range). */
  public static final int MIN_GENERATED_LENGTH = 24;
  public static final int MAX_GENERATED_LENGTH = 64;
  /** Smallest secret {@link #parse} accepts: anything shorter is too weak to sign with. */
  public static final int MIN_PARSED_LENGTH = 16;
  private static final int MAX_LENGTH = 1024;

  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;
  /** An initialised Mac to clone from: cheaper than getInstance + init on every signature. */
  private volatile Mac prototype;
  /** A Mac the last {@link #hmac} call handed back, for the next: no clone per signature. */
  private final AtomicReference<Mac> spare = new AtomicReference<>();

  private WebhookSecret(byte[] key) {
    this.key = key;
  }

  /** A new secret of {@value #DEFAULT_LENGTH} random bytes. */
  public static WebhookSecret generate() {
    return generate(DEFAULT_LENGTH);
  }

  /**
   * A new secret of {@code length} random bytes from {@link SecureRandom}.
   *
   * @throws IllegalArgumentException unless {@code length} is within 24..64
   */
  public static WebhookSecret generate(int length) {
    if (length < MIN_GENERATED_LENGTH || length > MAX_GENERATED_LENGTH) {
      throw new IllegalArgumentException(
          "length must be within " + MIN_GENERATED_LENGTH + ".." + MAX_GENERATED_LENGTH + ": " + length);
    }
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    return new WebhookSecret(bytes);
  }

  /**
   * Parses the Standard Webhooks form: {@code whsec_} and base64 (standard or URL-safe alphabet,
   * padding optional), or the same base64 without the prefix.
   *
   * @throws WebhookValidationException {@link ErrorCode#INVALID_SECRET} when the text is not base64
   *     or decodes to fewer than {@value #MIN_PARSED_LENGTH} bytes; the message never quotes it
   */
  public static WebhookSecret parse(String text) {
    requireNonNull(text, "text == null");
    String body = text.startsWith(PREFIX) ? text.substring(PREFIX.length()) : text;
    byte[] bytes = KeyText.decodeBase64(body);
    if (bytes == null) {
      throw invalid("secret is not valid base64 (expected whsec_ followed by base64)");
    }
    if (bytes.length < MIN_PARSED_LENGTH || bytes.length > MAX_LENGTH) {
      throw invalid("secret must decode to " + MIN_PARSED_LENGTH + ".." + MAX_LENGTH
          + " bytes, got " + bytes.length);
    }
    return new WebhookSecret(bytes);
  }

  /**
   * A secret whose key bytes are the UTF-8 bytes of {@code text}, as Stripe, GitHub, Slack, Shopify
   * and plain {@code X-Signature} senders use their secrets.
   *
   * @throws WebhookValidationException {@link ErrorCode#INVALID_SECRET} when {@code text} is empty
   */
  public static WebhookSecret ofUtf8(String text) {
    requireNonNull(text, "text == null");
    if (text.isEmpty()) {
      throw invalid("secret is empty");
    }
    return ofBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A secret with these key bytes (copied).
   *
   * @throws WebhookValidationException {@link ErrorCode#INVALID_SECRET} when empty or over 1 KiB
   */
  public static WebhookSecret ofBytes(byte[] bytes) {
    requireNonNull(bytes, "bytes == null");
    if (bytes.length == 0 || bytes.length > MAX_LENGTH) {
      throw invalid("secret must be 1.." + MAX_LENGTH + " bytes, got " + bytes.length);
    }
    return new WebhookSecret(bytes.clone());
  }

  /** The Standard Webhooks text form, {@code whsec_} + base64. Show it once; never log it. */
  public String encoded() {
    return PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** A copy of the key bytes. */
  public byte[] bytes() {
    return key.clone();
  }

  /** Number of key bytes. */
  public int length() {
    return key.length;
  }

  /**
   * A new HMAC-SHA256 {@link Mac} initialised with this secret, for the caller's exclusive use
   * (a {@code Mac} is not thread-safe). Cloned from a cached prototype: cheaper than {@code
   * getInstance} and {@code init}, though a clone still costs about as much as hashing a
   * kilobyte; to compute MACs again and again, {@link #hmac} reuses one.
   */
  public Mac newMac() {
    Mac p = prototype;
    if (p == null) {
      p = initMac();
      prototype = p;
    }
    try {
      return (Mac) p.clone();
    } catch (CloneNotSupportedException e) {
      return initMac(); // a provider whose Mac cannot be cloned: initialise a fresh one
    }
  }

  /**
   * HMAC-SHA256 under this secret of {@code prefix[0, prefixLength)} followed by {@code body}.
   * Thread-safe. One initialised {@code Mac} is kept between calls and reused, so that a sender
   * signing for this secret again and again does not clone one per signature; callers at the same
   * moment each take their own.
   *
   * <pre>{@code
   * byte[] signed = (id + "." + timestamp + ".").getBytes(UTF_8);
   * byte[] mac = secret.hmac(signed, signed.length, body);     // 32 bytes
   * }</pre>
   *
   * @param prefix bytes signed before the body, or {@code null} for none
   * @param prefixLength how many bytes of {@code prefix} to sign (0 when it is null)
   * @param body the body
   * @return the 32-byte MAC, a new array
   * @throws NullPointerException if {@code body} is null
   * @throws IndexOutOfBoundsException if {@code prefixLength} is outside {@code prefix}
   */
  public byte[] hmac(byte[] prefix, int prefixLength, byte[] body) {
    requireNonNull(body, "body == null");
    if (prefix == null ? prefixLength != 0 : prefixLength < 0 || prefixLength > prefix.length) {
      throw new IndexOutOfBoundsException("prefixLength " + prefixLength + " is outside the prefix");
    }
    Mac mac = spare.getAndSet(null);
    if (mac == null) {
      mac = newMac();
    }
    if (prefix != null) {
      mac.update(prefix, 0, prefixLength);
    }
    mac.update(body);
    byte[] out = mac.doFinal(); // leaves the Mac reset; one that threw above is not handed back
    spare.set(mac);
    return out;
  }

  private Mac initMac() {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
    }
  }

  /** Constant-time comparison of the key bytes. */
  @Override
  public boolean equals(Object o) {
    return o instanceof WebhookSecret && MessageDigest.isEqual(key, ((WebhookSecret) o).key);
  }

  /** Depends on the length only: a hash of the key bytes would leak some of them. */
  @Override
  public int hashCode() {
    return 31 * key.length;
  }

  @Override
  public String toString() {
    return "WebhookSecret[<redacted>]";
  }

  private static WebhookValidationException invalid(String message) {
    return new WebhookValidationException(ErrorCode.INVALID_SECRET, "secret", message);
  }
}

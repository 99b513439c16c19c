package dev.webhooks.core.signature;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.secret.Ed25519SigningKey;
import dev.webhooks.core.secret.Ed25519VerifyingKey;
import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Standard Webhooks v1 (HMAC-SHA256) and v1a (Ed25519), under any header brand. */
final class StandardWebhooksScheme implements SignatureScheme {
  // Before the instances below: their constructor reads it during class initialisation.
  private static final Pattern BRAND = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");

  static final StandardWebhooksScheme UNBRANDED = new StandardWebhooksScheme("webhook");
  static final StandardWebhooksScheme SVIX = new StandardWebhooksScheme("svix");
  private static final int MAX_ID_CHARS = 256;
  /** Entries past this many are not examined: each v1a check costs tens of microseconds. */
  private static final int MAX_ENTRIES = 32;
  private static final int HMAC_LENGTH = 32;
  private static final int ED25519_LENGTH = 64;

  private final String brand;
  private final String fallbackBrand;
  private final String name;
  /**
   * Header names: id, timestamp, signature of the brand, then of the fallback brand; looked up in
   * one scan, with no concatenation per verify.
   */
  private final String[] names;

  StandardWebhooksScheme(String brand) {
    requireNonNull(brand, "brand == null");
    if (!BRAND.matcher(brand).matches()) {
      throw new IllegalArgumentException("brand must be 1-32 lower-case letters, digits or dashes: " + brand);
    }
    this.brand = brand;
    this.fallbackBrand = brand.equals("webhook") ? "svix" : "webhook";
    this.name = brand.equals("webhook") ? "standard-webhooks" : "standard-webhooks(" + brand + ")";
    this.names = new String[] {brand + "-id", brand + "-timestamp", brand + "-signature",
        fallbackBrand + "-id", fallbackBrand + "-timestamp", fallbackBrand + "-signature"};
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public boolean canSign() {
    return true;
  }

  @Override
  public WebhookKey parseKey(String text) {
    requireNonNull(text, "text == null");
    if (text.startsWith(Ed25519VerifyingKey.PREFIX)) {
      return Ed25519VerifyingKey.parse(text);
    }
    if (text.startsWith(Ed25519SigningKey.PREFIX)) {
      return Ed25519SigningKey.parse(text);
    }
    return WebhookSecret.parse(text);
  }

  @Override
  public Map<String, String> sign(
      String messageId, Instant timestamp, byte[] body, List<? extends WebhookKey> keys) {
    requireNonNull(messageId, "messageId == null");
    requireNonNull(timestamp, "timestamp == null");
    requireNonNull(body, "body == null");
    requireNonNull(keys, "keys == null");
    if (messageId.isEmpty() || messageId.length() > MAX_ID_CHARS
        || !messageId.chars().allMatch(c -> c > 32 && c < 127)) {
      throw new IllegalArgumentException("messageId must be 1-" + MAX_ID_CHARS + " visible ASCII characters");
    }
    long seconds = timestamp.getEpochSecond();
    byte[] prefix = signedPrefix(messageId, Long.toString(seconds));
    StringBuilder signatures = new StringBuilder();
    byte[] whole = null;
    for (WebhookKey key : keys) {
      if (signatures.length() > 0) {
        signatures.append(' ');
      }
      if (key instanceof WebhookSecret) {
        byte[] mac = Schemes.hmac((WebhookSecret) key, prefix, body);
        signatures.append("v1,").append(Base64.getEncoder().encodeToString(mac));
      } else if (key instanceof Ed25519SigningKey) {
        whole = whole != null ? whole : concat(prefix, body);
        byte[] sig = ((Ed25519SigningKey) key).sign(whole);
        signatures.append("v1a,").append(Base64.getEncoder().encodeToString(sig));
      } else {
        throw new IllegalArgumentException("an Ed25519 public key cannot sign");
      }
    }
    if (signatures.length() == 0) {
      throw new IllegalArgumentException(name + " needs at least one key to sign with");
    }
    Map<String, String> headers = new LinkedHashMap<>(4);
    headers.put(brand + "-id", messageId);
    headers.put(brand + "-timestamp", Long.toString(seconds));
    headers.put(brand + "-signature", signatures.toString());
    return headers;
  }

  @Override
  public VerifiedSignature verify(
      WebhookHeaders headers, byte[] body, List<? extends WebhookKey> keys, Instant now, Duration tolerance) {
    requireNonNull(headers, "headers == null");
    requireNonNull(body, "body == null");
    requireNonNull(keys, "keys == null");
    requireNonNull(now, "now == null");
    requireNonNull(tolerance, "tolerance == null");

    // All three headers come from one brand: ours when its signature header is there, else the other.
    List<List<String>> found = headers.all(names);
    int b = !found.get(2).isEmpty() || found.get(5).isEmpty() ? 0 : 3;
    String id = Schemes.required(found.get(b), names[b], ",");
    String ts = Schemes.required(found.get(b + 1), names[b + 1], ",");
    String signatureHeader = Schemes.required(found.get(b + 2), names[b + 2], " ");
    if (id.isEmpty() || id.length() > MAX_ID_CHARS) {
      throw new WebhookVerificationException(
          Reason.MALFORMED_HEADER, "header " + names[b] + " must be 1-" + MAX_ID_CHARS + " characters");
    }
    Instant signedAt = Schemes.checkTolerance(Schemes.parseTimestamp(names[b + 1], ts), now, tolerance);

    byte[] prefix = signedPrefix(id, ts.trim());
    List<WebhookSecret> secrets = Schemes.secrets(keys);
    List<Ed25519VerifyingKey> publicKeys = verifyingKeys(keys);
    byte[][] macs = null;
    byte[] whole = null;
    int wellFormed = 0;
    int length = signatureHeader.length();
    for (int start = 0; start < length; ) {
      // Entries are separated by runs of spaces or control characters (no regex: the hot path of a receiver).
      while (start < length && signatureHeader.charAt(start) <= ' ') {
        start++;
      }
      int end = start;
      while (end < length && signatureHeader.charAt(end) > ' ') {
        end++;
      }
      if (end == start) {
        break;
      }
      int entryStart = start;
      start = end;
      int comma = signatureHeader.indexOf(',', entryStart);
      if (comma <= entryStart || comma >= end - 1) {
        continue;
      }
      if (++wellFormed > MAX_ENTRIES) {
        break;
      }
      int versionLength = comma - entryStart;
      if (versionLength == 2 && signatureHeader.startsWith("v1", entryStart) && !secrets.isEmpty()) {
        byte[] candidate = Schemes.decodeBase64(signatureHeader, comma + 1, end, HMAC_LENGTH);
        if (candidate != null) {
          macs = macs != null ? macs : Schemes.macs(secrets, prefix, body);
          if (Schemes.matchesAny(candidate, macs)) {
            return VerifiedSignature.of(id, signedAt, id);
          }
        }
      } else if (versionLength == 3 && signatureHeader.startsWith("v1a", entryStart) && !publicKeys.isEmpty()) {
        byte[] candidate = Schemes.decodeBase64(signatureHeader, comma + 1, end, ED25519_LENGTH);
        if (candidate != null) {
          whole = whole != null ? whole : concat(prefix, body);
          for (Ed25519VerifyingKey key : publicKeys) {
            if (key.verify(whole, candidate)) {
              return VerifiedSignature.of(id, signedAt, id);
            }
          }
        }
      }
      // Any other version is skipped, as the specification asks.
    }
    if (wellFormed == 0) {
      throw new WebhookVerificationException(
          Reason.MALFORMED_HEADER, "header " + names[b + 2] + " holds no version,signature entry");
    }
    throw Schemes.noMatch();
  }

  private static List<Ed25519VerifyingKey> verifyingKeys(List<? extends WebhookKey> keys) {
    List<Ed25519VerifyingKey> out = null;
    for (WebhookKey k : keys) {
      if (k instanceof WebhookSecret) {
        continue;
      }
      out = out != null ? out : new ArrayList<>(1);
      if (k instanceof Ed25519VerifyingKey) {
        out.add((Ed25519VerifyingKey) k);
      } else if (k instanceof Ed25519SigningKey) {
        out.add(((Ed25519SigningKey) k).verifyingKey());
      }
    }
    return out == null ? List.of() : out;
  }

  /** {@code id.timestamp.} as UTF-8; ASCII (the usual case) is copied without an intermediate string. */
  private static byte[] signedPrefix(String id, String timestamp) {
    int n = id.length() + timestamp.length() + 2;
    byte[] out = new byte[n];
    int i = 0;
    for (int k = 0; k < id.length(); k++) {
      char c = id.charAt(k);
      if (c >= 0x80) {
        return (id + '.' + timestamp + '.').getBytes(StandardCharsets.UTF_8);
      }
      out[i++] = (byte) c;
    }
    out[i++] = '.';
    for (int k = 0; k < timestamp.length(); k++) {
      out[i++] = (byte) timestamp.charAt(k); // digits only: parseTimestamp refused anything else
    }
    out[i] = '.';
    return out;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public String toString() {
    return name;
  }
}

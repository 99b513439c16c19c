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
    if (messageId.isEmpty() || messageId.length() > MAX_ID_CHARS || !visibleAscii(messageId)) {
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
        whole = whole != null ? whole : concat(prefix, prefix.length, body);
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

    // All three headers come from one brand: ours when its signature header is there, else the
    // other. Found in one scan into this thread's scratch array, let go of before anything throws.
    ThreadMacs local = ThreadMacs.local();
    Object[] found = local.found;
    headers.find(names, found);
    int b = present(found[2]) || !present(found[5]) ? 0 : 3;
    List<String> idValues = values(found[b]);
    List<String> tsValues = values(found[b + 1]);
    List<String> signatureValues = values(found[b + 2]);
    for (int i = 0; i < found.length; i++) {
      found[i] = null;
    }
    String id = Schemes.required(idValues, names[b], ",");
    String ts = Schemes.required(tsValues, names[b + 1], ",");
    String signatureHeader = Schemes.required(signatureValues, names[b + 2], " ");
    if (id.isEmpty() || id.length() > MAX_ID_CHARS) {
      throw new WebhookVerificationException(
          Reason.MALFORMED_HEADER, "header " + names[b] + " must be 1-" + MAX_ID_CHARS + " characters");
    }
    long signedAt = Schemes.parseTimestamp(names[b + 1], ts);
    Schemes.checkToleranceSeconds(signedAt, now, tolerance);

    // id.timestamp. into this thread's buffer, straight from the header text.
    int tsFrom = 0;
    int tsTo = ts.length();
    while (ts.charAt(tsFrom) <= ' ') {
      tsFrom++; // parseTimestamp refused a blank timestamp: a digit comes
    }
    while (ts.charAt(tsTo - 1) <= ' ') {
      tsTo--;
    }
    int prefixLength = id.length() + (tsTo - tsFrom) + 2;
    byte[] prefix = local.prefix(prefixLength);
    if (!writeAsciiPrefix(prefix, id, ts, tsFrom, tsTo)) {
      prefix = (id + '.' + ts.substring(tsFrom, tsTo) + '.').getBytes(StandardCharsets.UTF_8);
      prefixLength = prefix.length;
    }

    // The keys are sorted by kind without a list per verify: usually one secret.
    int secretCount = 0;
    boolean anyPublic = false;
    int keyCount = keys.size();
    for (int k = 0; k < keyCount; k++) {
      if (keys.get(k) instanceof WebhookSecret) {
        secretCount++;
      } else {
        anyPublic = true;
      }
    }
    List<Ed25519VerifyingKey> publicKeys = null;
    byte[] macs = null; // every secret's MAC, HMAC_LENGTH bytes each, in key order
    byte[] candidate = local.candidate;
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
      if (versionLength == 2 && signatureHeader.startsWith("v1", entryStart) && secretCount > 0) {
        if (Schemes.decodeBase64(signatureHeader, comma + 1, end, HMAC_LENGTH, candidate)) {
          macs = macs != null ? macs : macs(local, keys, secretCount, prefix, prefixLength, body);
          // Every secret's MAC is compared, in constant time each, whichever matches.
          boolean match = false;
          for (int at = 0; at < macs.length; at += HMAC_LENGTH) {
            match |= Schemes.equalsConstantTime(candidate, macs, at, HMAC_LENGTH);
          }
          if (match) {
            return VerifiedSignature.ofEpochSecond(id, signedAt, id);
          }
        }
      } else if (versionLength == 3 && signatureHeader.startsWith("v1a", entryStart) && anyPublic) {
        byte[] signature = Schemes.decodeBase64(signatureHeader, comma + 1, end, ED25519_LENGTH);
        if (signature != null) {
          publicKeys = publicKeys != null ? publicKeys : verifyingKeys(keys);
          whole = whole != null ? whole : concat(prefix, prefixLength, body);
          for (Ed25519VerifyingKey key : publicKeys) {
            if (key.verify(whole, signature)) {
              return VerifiedSignature.ofEpochSecond(id, signedAt, id);
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

  private static boolean visibleAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 32 || c >= 127) {
        return false;
      }
    }
    return true;
  }

  private static boolean present(Object values) {
    return values != null && !((List<?>) values).isEmpty();
  }

  @SuppressWarnings("unchecked")
  private static List<String> values(Object found) {
    return found == null ? List.of() : (List<String>) found;
  }

  /** The MAC of the signed bytes under each secret among {@code keys}, end to end; computed once per request. */
  private static byte[] macs(
      ThreadMacs local, List<? extends WebhookKey> keys, int secretCount, byte[] prefix, int prefixLength, byte[] body) {
    byte[] out = null;
    int at = 0;
    for (int k = 0, n = keys.size(); k < n; k++) {
      WebhookKey key = keys.get(k);
      if (!(key instanceof WebhookSecret)) {
        continue;
      }
      byte[] mac = local.hmac((WebhookSecret) key, prefix, prefixLength, body);
      if (secretCount == 1) {
        return mac; // the usual case: the Mac's own result, no copy
      }
      out = out != null ? out : new byte[secretCount * HMAC_LENGTH];
      System.arraycopy(mac, 0, out, at, HMAC_LENGTH);
      at += HMAC_LENGTH;
    }
    return out;
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

  /** {@code id.timestamp.} as UTF-8, for signing. */
  private static byte[] signedPrefix(String id, String timestamp) {
    byte[] out = new byte[id.length() + timestamp.length() + 2];
    return writeAsciiPrefix(out, id, timestamp, 0, timestamp.length())
        ? out : (id + '.' + timestamp + '.').getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Writes {@code id.timestamp[tsFrom, tsTo).} into {@code out} when {@code id} is ASCII (the
   * usual case; the timestamp is digits only, parseTimestamp refused anything else).
   *
   * @return {@code false}, with {@code out} half written, when {@code id} is not ASCII
   */
  private static boolean writeAsciiPrefix(byte[] out, String id, String ts, int tsFrom, int tsTo) {
    int i = 0;
    for (int k = 0, n = id.length(); k < n; k++) {
      char c = id.charAt(k);
      if (c >= 0x80) {
        return false;
      }
      out[i++] = (byte) c;
    }
    out[i++] = '.';
    for (int k = tsFrom; k < tsTo; k++) {
      out[i++] = (byte) ts.charAt(k);
    }
    out[i] = '.';
    return true;
  }

  private static byte[] concat(byte[] a, int aLength, byte[] b) {
    byte[] out = new byte[aLength + b.length];
    System.arraycopy(a, 0, out, 0, aLength);
    System.arraycopy(b, 0, out, aLength, b.length);
    return out;
  }

  @Override
  public String toString() {
    return name;
  }
}

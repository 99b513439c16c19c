package dev.webhooks.core.signature;

import dev.webhooks.core.secret.WebhookKey;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.signature.WebhookVerificationException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** What every scheme shares: header access, timestamps, HMAC over split parts. */
final class Schemes {
  /** Larger signature headers are refused unread: nobody legitimate sends that many. */
  static final int MAX_HEADER_CHARS = 16 * 1024;
  /** Larger timestamps are not epoch seconds of this era. */
  private static final int MAX_TIMESTAMP_DIGITS = 12;

  private Schemes() {}

  /** The header's values joined by {@code separator}; refuses it when absent or oversized. */
  static String required(WebhookHeaders headers, String name, String separator) {
    return required(headers.all(name), name, separator);
  }

  /** {@link #required(WebhookHeaders, String, String)} of values already looked up. */
  static String required(List<String> values, String name, String separator) {
    if (values.isEmpty()) {
      throw new WebhookVerificationException(Reason.MISSING_HEADER, "missing header " + name);
    }
    String joined = values.size() == 1 ? values.get(0) : String.join(separator, values);
    if (joined.length() > MAX_HEADER_CHARS) {
      throw new WebhookVerificationException(
          Reason.MALFORMED_HEADER, "header " + name + " is longer than " + MAX_HEADER_CHARS + " characters");
    }
    return joined;
  }

  /** Epoch seconds written as plain decimal digits; anything else is malformed. */
  static long parseTimestamp(String header, String text) {
    String t = text.trim();
    if (t.isEmpty() || t.length() > MAX_TIMESTAMP_DIGITS) {
      throw malformedTimestamp(header);
    }
    long value = 0;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        throw malformedTimestamp(header);
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static WebhookVerificationException malformedTimestamp(String header) {
    return new WebhookVerificationException(
        Reason.MALFORMED_HEADER, "header " + header + " is not a timestamp in epoch seconds");
  }

  /** Refuses a timestamp further than {@code tolerance} from {@code now}, in either direction. */
  static Instant checkTolerance(long epochSeconds, Instant now, Duration tolerance) {
    checkToleranceSeconds(epochSeconds, now, tolerance);
    return Instant.ofEpochSecond(epochSeconds);
  }

  /** {@link #checkTolerance} without building the {@code Instant}. */
  static void checkToleranceSeconds(long epochSeconds, Instant now, Duration tolerance) {
    long nowSeconds = now.getEpochSecond();
    long allowed = tolerance.getSeconds();
    if (nowSeconds - epochSeconds > allowed) {
      throw new WebhookVerificationException(Reason.TIMESTAMP_TOO_OLD,
          "timestamp is " + (nowSeconds - epochSeconds) + " s old; tolerance is " + allowed + " s");
    }
    if (epochSeconds - nowSeconds > allowed) {
      throw new WebhookVerificationException(Reason.TIMESTAMP_TOO_NEW,
          "timestamp is " + (epochSeconds - nowSeconds) + " s in the future; tolerance is " + allowed + " s");
    }
  }

  /** The symmetric secrets among {@code keys}. */
  @SuppressWarnings("unchecked") // checked element by element: every key is a WebhookSecret
  static List<WebhookSecret> secrets(List<? extends WebhookKey> keys) {
    boolean allSecrets = true;
    for (WebhookKey k : keys) {
      allSecrets &= k instanceof WebhookSecret;
    }
    if (allSecrets) {
      return (List<WebhookSecret>) keys; // the common case, on every verify: no copy
    }
    List<WebhookSecret> out = new ArrayList<>(keys.size());
    for (WebhookKey k : keys) {
      if (k instanceof WebhookSecret) {
        out.add((WebhookSecret) k);
      }
    }
    return out;
  }

  /** The secrets to sign with; a scheme that signs only with HMAC needs at least one. */
  static List<WebhookSecret> signingSecrets(String scheme, List<? extends WebhookKey> keys) {
    List<WebhookSecret> secrets = secrets(keys);
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException(scheme + " signs with a WebhookSecret; none was given");
    }
    return secrets;
  }

  /**
   * HMAC-SHA256 of {@code prefix} then {@code body}, without concatenating them. Signing, with the
   * secret's own kept {@code Mac}: a sender's worker signs for many subscriptions in turn, more
   * than {@link ThreadMacs}' few slots per thread (made for a receiver's few secrets) would hold.
   */
  static byte[] hmac(WebhookSecret secret, byte[] prefix, byte[] body) {
    return secret.hmac(prefix, prefix == null ? 0 : prefix.length, body);
  }

  /** {@code true} when {@code candidate} equals any expected MAC, in constant time per MAC. */
  static boolean matchesAny(byte[] candidate, byte[][] expected) {
    boolean match = false;
    for (byte[] e : expected) {
      match |= java.security.MessageDigest.isEqual(candidate, e);
    }
    return match;
  }

  /**
   * Whether {@code a[0, length)} equals {@code b[bFrom, bFrom + length)}, in time that depends on
   * {@code length} only (as {@code MessageDigest.isEqual}).
   */
  static boolean equalsConstantTime(byte[] a, byte[] b, int bFrom, int length) {
    int difference = 0;
    for (int i = 0; i < length; i++) {
      difference |= a[i] ^ b[bFrom + i];
    }
    return difference == 0;
  }

  /** The MACs of {@code prefix + body} under each secret, computed once per request. */
  static byte[][] macs(List<WebhookSecret> secrets, byte[] prefix, byte[] body) {
    byte[][] out = new byte[secrets.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = ThreadMacs.hmac(secrets.get(i), prefix, body);
    }
    return out;
  }

  /**
   * Decodes standard base64 only in its canonical spelling (padding optional): the JDK decoder
   * ignores the unused low bits of the last character, so without this one signature would have
   * several spellings, and a replay guard keyed on its text could be walked around.
   *
   * @return the bytes, or {@code null} when not canonical base64 of {@code expectedLength} bytes
   */
  static byte[] decodeBase64(String text, int expectedLength) {
    return decodeBase64(text, 0, text.length(), expectedLength);
  }

  /**
   * {@link #decodeBase64(String, int)} of {@code text[from, to)}, decoded in place: no substring,
   * no intermediate bytes (it runs on every verify). Padding, when present, must be complete.
   */
  static byte[] decodeBase64(String text, int from, int to, int expectedLength) {
    byte[] out = new byte[expectedLength];
    return decodeBase64(text, from, to, expectedLength, out) ? out : null;
  }

  /**
   * {@link #decodeBase64(String, int, int, int)} into {@code out[0, expectedLength)}, a buffer the
   * caller reuses.
   *
   * @return whether {@code text[from, to)} is canonical base64 of {@code expectedLength} bytes;
   *     when not, {@code out} holds garbage
   */
  static boolean decodeBase64(String text, int from, int to, int expectedLength, byte[] out) {
    int end = to;
    int padding = 0;
    while (end > from && text.charAt(end - 1) == '=' && padding < 2) {
      end--;
      padding++;
    }
    int chars = end - from;
    int rem = expectedLength % 3;
    if (chars != expectedLength / 3 * 4 + (rem == 0 ? 0 : rem + 1)
        || (padding != 0 && padding != (rem == 0 ? 0 : 3 - rem))) {
      return false;
    }
    int o = 0;
    int i = from;
    // Four characters to three bytes at a time: the four lookups do not wait for each other. A
    // character outside the alphabet reads -1, which makes the whole group negative.
    for (int quadsEnd = from + chars / 4 * 4; i < quadsEnd; i += 4) {
      int group = sextet(text.charAt(i)) << 18 | sextet(text.charAt(i + 1)) << 12
          | sextet(text.charAt(i + 2)) << 6 | sextet(text.charAt(i + 3));
      if (group < 0) {
        return false;
      }
      out[o] = (byte) (group >> 16);
      out[o + 1] = (byte) (group >> 8);
      out[o + 2] = (byte) group;
      o += 3;
    }
    int bits = 0;
    int buffered = 0;
    for (; i < end; i++) {
      int v = sextet(text.charAt(i));
      if (v < 0) {
        return false;
      }
      bits = bits << 6 | v;
      buffered += 6;
      if (buffered >= 8) {
        buffered -= 8;
        out[o++] = (byte) (bits >> buffered);
      }
    }
    // The canonical spelling keeps the unused low bits of the last character at zero: without this
    // check one signature would have several spellings, and a replay guard keyed on its text could
    // be walked around.
    return (bits & ((1 << buffered) - 1)) == 0;
  }

  /** The value of each standard base64 character below 128, -1 for the others. */
  private static final byte[] SEXTETS = new byte[128];

  static {
    java.util.Arrays.fill(SEXTETS, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (int i = 0; i < alphabet.length(); i++) {
      SEXTETS[alphabet.charAt(i)] = (byte) i;
    }
  }

  /** The value of a standard base64 character, or -1: one table read, no branch per range. */
  private static int sextet(char c) {
    return c < 128 ? SEXTETS[c] : -1;
  }

  /**
   * Splits {@code value} on commas and returns the decoded bytes of the first candidate that equal
   * one of {@code macs}, or {@code null} when none does.
   *
   * @param decoder candidate text to bytes, or {@code null} when the candidate is not well-formed
   * @throws WebhookVerificationException {@code MALFORMED_HEADER} when no candidate is well-formed
   */
  static byte[] firstMatch(String header, String value, Function<String, byte[]> decoder, byte[][] macs) {
    boolean wellFormed = false;
    byte[] match = null;
    int start = 0;
    while (start <= value.length()) {
      int comma = value.indexOf(',', start);
      int end = comma < 0 ? value.length() : comma;
      String candidate = value.substring(start, end).trim();
      byte[] decoded = candidate.isEmpty() ? null : decoder.apply(candidate);
      if (decoded != null) {
        wellFormed = true;
        if (match == null && matchesAny(decoded, macs)) {
          match = decoded;
        }
      }
      start = end + 1;
    }
    if (!wellFormed) {
      throw new WebhookVerificationException(
          Reason.MALFORMED_HEADER, "header " + header + " holds no well-formed signature");
    }
    return match;
  }

  static WebhookVerificationException noMatch() {
    return new WebhookVerificationException(
        Reason.NO_MATCHING_SIGNATURE, "no signature matches any configured secret");
  }

  /** A header name must be an RFC 9110 token; anything else is a programming error. */
  static String requireHeaderName(String name) {
    java.util.Objects.requireNonNull(name, "header == null");
    if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && "()<>@,;:\\\"/[]?={}".indexOf(c) < 0)) {
      throw new IllegalArgumentException("not a valid header name: " + name);
    }
    return name;
  }

}

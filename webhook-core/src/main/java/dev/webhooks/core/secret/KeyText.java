package dev.webhooks.core.secret;

import java.util.Base64;

/** Lenient base64 for key text: either alphabet, padding optional, no exception on bad input. */
final class KeyText {
  private KeyText() {}

  /** The decoded bytes, or {@code null} when {@code text} is not base64. */
  static byte[] decodeBase64(String text) {
    if (text.isEmpty()) {
      return null;
    }
    boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
    try {
      return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}

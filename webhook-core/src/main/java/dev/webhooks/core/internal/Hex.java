package dev.webhooks.core.internal;

/** Lower-case hexadecimal, without the allocation of {@code HexFormat}'s string builder paths. */
public final class Hex {
  private static final char[] DIGITS = "0123456789abcdef".toCharArray();

  private Hex() {}

  /** Lower-case hex of {@code bytes}. */
  public static String encode(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = DIGITS[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = DIGITS[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /**
   * Decodes hex in either case, or returns {@code null} when {@code text} is not an even-length
   * run of hex digits: callers treat that as "no match", never as an exception path.
   */
  public static byte[] decodeOrNull(CharSequence text) {
    int n = text.length();
    if ((n & 1) != 0) {
      return null;
    }
    byte[] out = new byte[n / 2];
    for (int i = 0; i < n; i += 2) {
      int hi = Character.digit(text.charAt(i), 16);
      int lo = Character.digit(text.charAt(i + 1), 16);
      if (hi < 0 || lo < 0) {
        return null;
      }
      out[i / 2] = (byte) ((hi << 4) | lo);
    }
    return out;
  }
}

package dev.webhooks.core.url;

/**
 * Our own parsers for IP address literals. The JDK's {@code InetAddress.getByName} is too lenient
 * for a security decision: it turns {@code ::ffff:a.b.c.d} into an IPv4 address, accepts zone ids,
 * and (on some platforms) the odd IPv4 spellings that a URL host must not use. Here every literal
 * is read exactly as written.
 */
final class IpLiterals {
  private IpLiterals() {}

  /**
   * Parses a canonical dotted-quad IPv4 address: exactly four decimal numbers 0..255 without
   * leading zeros. Returns its 4 bytes, or {@code null} when {@code text} is not in that form.
   */
  static byte[] parseCanonicalIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || !allDigits(part)) {
        return null;
      }
      if (part.length() > 1 && part.charAt(0) == '0') {
        return null;
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        return null;
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  /**
   * The WHATWG URL standard's "ends in a number" test: a host whose last label is all decimal
   * digits, or {@code 0x} followed by hex digits, is an IPv4 address to a browser (or to a URL
   * library that follows the standard), in whatever spelling: {@code 2130706433}, {@code 0x7f.1},
   * {@code 127.1}, {@code 0177.0.0.1}. {@code host} has no trailing dot.
   */
  static boolean endsInNumber(String host) {
    String last = host.substring(host.lastIndexOf('.') + 1);
    if (last.isEmpty()) {
      return false;
    }
    if (allDigits(last)) {
      return true;
    }
    if (last.length() >= 2 && last.charAt(0) == '0' && (last.charAt(1) == 'x' || last.charAt(1) == 'X')) {
      for (int i = 2; i < last.length(); i++) {
        if (hexDigit(last.charAt(i)) < 0) {
          return false;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * Parses an IPv6 address in RFC 4291 text form (hex groups, at most one {@code ::}, an optional
   * trailing canonical dotted quad) into its 16 bytes. Zone ids are not accepted.
   *
   * @throws IllegalArgumentException with a short reason when {@code text} is not such an address
   */
  static byte[] parseIpv6(String text) {
    if (text.indexOf('%') >= 0) {
      throw new IllegalArgumentException("zone ids are not allowed");
    }
    int doubleColon = text.indexOf("::");
    if (doubleColon >= 0 && text.indexOf("::", doubleColon + 1) >= 0) {
      throw new IllegalArgumentException("more than one '::'");
    }
    int[] head;
    int[] tail;
    if (doubleColon >= 0) {
      head = words(text.substring(0, doubleColon), false);
      tail = words(text.substring(doubleColon + 2), true);
      if (head.length + tail.length > 7) {
        throw new IllegalArgumentException("too many groups");
      }
    } else {
      head = words(text, true);
      tail = new int[0];
      if (head.length != 8) {
        throw new IllegalArgumentException("expected 8 groups");
      }
    }
    byte[] bytes = new byte[16];
    for (int i = 0; i < head.length; i++) {
      bytes[2 * i] = (byte) (head[i] >>> 8);
      bytes[2 * i + 1] = (byte) head[i];
    }
    int offset = 8 - tail.length;
    for (int i = 0; i < tail.length; i++) {
      bytes[2 * (offset + i)] = (byte) (tail[i] >>> 8);
      bytes[2 * (offset + i) + 1] = (byte) tail[i];
    }
    return bytes;
  }

  /** Colon-separated hex groups as 16-bit words; the last may be a dotted quad (two words). */
  private static int[] words(String text, boolean mayEndInIpv4) {
    if (text.isEmpty()) {
      return new int[0];
    }
    String[] groups = text.split(":", -1);
    String last = groups[groups.length - 1];
    boolean endsInIpv4 = last.indexOf('.') >= 0;
    int count = groups.length + (endsInIpv4 ? 1 : 0);
    if (count > 8) {
      throw new IllegalArgumentException("too many groups");
    }
    int[] words = new int[count];
    for (int i = 0; i < groups.length; i++) {
      String group = groups[i];
      if (i == groups.length - 1 && endsInIpv4) {
        byte[] ipv4 = parseCanonicalIpv4(group);
        if (!mayEndInIpv4 || ipv4 == null) {
          throw new IllegalArgumentException("malformed embedded IPv4 address");
        }
        words[i] = ((ipv4[0] & 0xff) << 8) | (ipv4[1] & 0xff);
        words[i + 1] = ((ipv4[2] & 0xff) << 8) | (ipv4[3] & 0xff);
        continue;
      }
      if (group.isEmpty() || group.length() > 4) {
        throw new IllegalArgumentException("groups must have 1 to 4 hex digits");
      }
      int value = 0;
      for (int j = 0; j < group.length(); j++) {
        int digit = hexDigit(group.charAt(j));
        if (digit < 0) {
          throw new IllegalArgumentException("groups must have 1 to 4 hex digits");
        }
        value = (value << 4) | digit;
      }
      words[i] = value;
    }
    return words;
  }

  /** Formats 4 or 16 bytes as a dotted quad or an RFC 5952 IPv6 string. */
  static String format(byte[] bytes) {
    if (bytes.length == 4) {
      return (bytes[0] & 0xff) + "." + (bytes[1] & 0xff) + "." + (bytes[2] & 0xff) + "." + (bytes[3] & 0xff);
    }
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    // The longest run of two or more zero words (the first one on a tie) becomes "::".
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && words[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(words[i]));
    }
    return out.toString();
  }

  /** The value of an ASCII hex digit, or -1 (unlike {@code Character.digit}, no other scripts). */
  private static int hexDigit(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static boolean allDigits(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return !text.isEmpty();
  }
}

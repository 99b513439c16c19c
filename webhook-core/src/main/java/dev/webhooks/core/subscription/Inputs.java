package dev.webhooks.core.subscription;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small helpers for caller input: quoting it in messages without echoing it blindly, rendering
 * maps with their values redacted, and copying maps in their insertion order.
 */
final class Inputs {
  /** Longest value quoted verbatim, and the most characters of an escaped excerpt. */
  static final int MAX_ECHO = 64;

  /** What {@code toString} shows in place of a header or metadata value. */
  static final String REDACTED = "<redacted>";

  private Inputs() {}

  /**
   * {@code "X-Api-Key"} (quoted) when {@code value} is at most {@value #MAX_ECHO} printable ASCII
   * characters; otherwise its length and an escaped excerpt of at most {@value #MAX_ECHO}
   * characters, so that a megabyte of input or a terminal escape sequence never reaches a log.
   * Only ever used for names and keys, never for header or metadata values.
   */
  static String describe(String value) {
    if (value == null) {
      return "null";
    }
    if (value.length() <= MAX_ECHO && isPrintableAscii(value)) {
      return '"' + value + '"';
    }
    StringBuilder out = new StringBuilder(MAX_ECHO + 48);
    out.append("a value of ").append(value.length()).append(" characters, \"");
    int budget = MAX_ECHO;
    int i = 0;
    for (; i < value.length(); i++) {
      char c = value.charAt(i);
      String piece;
      if (c == '"' || c == '\\') {
        piece = "\\" + c;
      } else if (c >= 0x20 && c <= 0x7e) {
        piece = String.valueOf(c);
      } else {
        piece = String.format("\\u%04x", (int) c);
      }
      if (piece.length() > budget) {
        break;
      }
      out.append(piece);
      budget -= piece.length();
    }
    return out.append(i < value.length() ? "…\"" : "\"").toString();
  }

  private static boolean isPrintableAscii(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** A name for a character in a message: {@code CR}, {@code U+00E9}, never the character. */
  static String describeChar(int codePoint) {
    switch (codePoint) {
      case '\r':
        return "a carriage return (CR)";
      case '\n':
        return "a line feed (LF)";
      case '\t':
        return "a tab";
      case 0:
        return "a NUL character";
      default:
        return String.format("U+%04X", codePoint);
    }
  }

  /** {@code {Authorization=<redacted>, X-Tenant=<redacted>}}: the keys, in order, never a value. */
  static String redactValues(Map<String, String> map) {
    StringBuilder out = new StringBuilder("{");
    for (String key : map.keySet()) {
      if (out.length() > 1) {
        out.append(", ");
      }
      out.append(key).append('=').append(REDACTED);
    }
    return out.append('}').toString();
  }

  /** The URL without its query, which may hold a token: {@code https://h/p?<redacted>}. */
  static String redactQuery(String url) {
    if (url == null) {
      return "null";
    }
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query) + "?" + REDACTED;
  }

  /**
   * An unmodifiable copy of {@code map} in its iteration order; {@code null} gives an empty map.
   * Null keys and values are kept: specs hold input as given, and the validator reports them.
   */
  static Map<String, String> copyLenient(Map<String, String> map) {
    if (map == null || map.isEmpty()) {
      return Map.of();
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  /**
   * An unmodifiable copy of {@code map} in its iteration order.
   *
   * @throws NullPointerException naming {@code what} if the map, a key or a value is null
   */
  static Map<String, String> copyStrict(Map<String, String> map, String what) {
    if (map == null) {
      throw new NullPointerException(what + " == null");
    }
    LinkedHashMap<String, String> copy = new LinkedHashMap<>(map.size() * 4 / 3 + 1);
    for (Map.Entry<String, String> entry : map.entrySet()) {
      if (entry.getKey() == null) {
        throw new NullPointerException(what + " contains a null key");
      }
      if (entry.getValue() == null) {
        throw new NullPointerException(what + " contains a null value");
      }
      copy.put(entry.getKey(), entry.getValue());
    }
    return copy.isEmpty() ? Map.of() : Collections.unmodifiableMap(copy);
  }
}

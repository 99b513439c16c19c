package dev.webhooks.core.subscription;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Small helpers for caller input: naming characters in messages without echoing them, rendering
 * maps with their values redacted, and copying maps in their insertion order.
 */
final class Inputs {
  /** What {@code toString} shows in place of a header or metadata value. */
  static final String REDACTED = "<redacted>";

  private Inputs() {}

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

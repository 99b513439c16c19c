package dev.webhooks.core.internal;

/**
 * Renders caller input for exception messages without echoing it blindly: a short, printable
 * value is quoted as is; anything else is cut, escaped and labelled with its length, so that a
 * megabyte of input or a terminal escape sequence never reaches a log line.
 */
public final class Echo {
  /** Longest value quoted verbatim, and the most characters of an escaped excerpt. */
  public static final int MAX_ECHO = 64;

  private Echo() {}

  /**
   * {@code "lookup.completed"} (quoted) when {@code value} is at most {@value #MAX_ECHO} printable
   * ASCII characters; otherwise the length and an escaped excerpt of at most {@value #MAX_ECHO}
   * characters in which quotes and backslashes are escaped and any other character outside
   * printable ASCII becomes a Java unicode escape, e.g. {@code a value of 200 characters,
   * "aaaa…"}.
   */
  public static String describe(String value) {
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
}

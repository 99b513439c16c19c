package dev.webhooks.benchmarks;

import java.nio.charset.StandardCharsets;

/** Deterministic JSON payloads of a given size, shaped like real event data. */
final class Payloads {
  private Payloads() {}

  /** A JSON object of exactly {@code bytes} bytes (at least 64). */
  static byte[] json(int bytes) {
    if (bytes < 64) {
      throw new IllegalArgumentException("bytes < 64");
    }
    StringBuilder sb = new StringBuilder("{\"type\":\"order.paid\",\"data\":{\"order_id\":42,\"note\":\"");
    String tail = "\"}}";
    int fill = bytes - sb.length() - tail.length();
    for (int i = 0; i < fill; i++) {
      sb.append((char) ('a' + i % 26));
    }
    sb.append(tail);
    byte[] out = sb.toString().getBytes(StandardCharsets.UTF_8);
    if (out.length != bytes) {
      throw new AssertionError(out.length);
    }
    return out;
  }
}

package dev.webhooks.sender.internal;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.Arrays;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One attempt's request, already signed: the URL to POST to, the headers to send in their order,
 * and the body. Immutable: the headers and the body are copied in, and {@link #body()} returns a
 * copy. {@link #toString()} shows the URL's host and the header names only, never a header value
 * (they hold signatures), the body or the URL's path and query.
 *
 * <p>Header names must be HTTP tokens and values printable ASCII (tab allowed), so that the HTTP
 * client never refuses them mid-attempt; names are compared case-insensitively and may not repeat.
 * The headers that the HTTP client computes itself ({@code Host}, {@code Content-Length},
 * {@code Transfer-Encoding}, {@code Connection} and the other hop-by-hop ones) may not be given.
 *
 * <pre>{@code
 * new DeliveryRequest(URI.create("https://hooks.example.com/in"),
 *     Map.of("webhook-id", id, "webhook-timestamp", ts, "webhook-signature", sig), json);
 * }</pre>
 *
 * @param url where to send it; checked against the URL policy before each attempt, or once when
 *     the policy does not resolve names (see {@link HttpDeliverer})
 * @param headers the headers to send, in iteration order; {@code Content-Type} among them sets the
 *     body's type (default {@code application/json})
 * @param body the raw body bytes
 */
public record DeliveryRequest(URI url, Map<String, String> headers, byte[] body) {
  private static final String[] CLIENT_HEADERS = {
      "host", "content-length", "transfer-encoding", "connection", "keep-alive", "proxy-connection",
      "te", "trailer", "upgrade", "expect"};

  /**
   * @throws NullPointerException if an argument, a header name or a header value is null
   * @throws IllegalArgumentException if a header name or value is malformed, a name repeats, or a
   *     name is one the HTTP client sets; the message names the header, never its value
   */
  public DeliveryRequest {
    requireNonNull(url, "url == null");
    requireNonNull(headers, "headers == null");
    requireNonNull(body, "body == null");
    // Built for every attempt: one map, and the names seen so far compared in a list (a request
    // has a handful of headers).
    Map<String, String> copy = new LinkedHashMap<>(Math.max(4, headers.size() * 2));
    String[] names = new String[headers.size()];
    int count = 0;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey();
      String value = header.getValue();
      requireNonNull(name, "header name == null");
      if (value == null) { // not requireNonNull: its message would be built for every header
        throw new NullPointerException("value of header " + name + " == null");
      }
      checkName(name);
      checkValue(name, value);
      if (setByClient(name)) {
        throw new IllegalArgumentException("header " + name + " is set by the HTTP client and may not be given");
      }
      for (int i = 0; i < count; i++) {
        if (names[i].equalsIgnoreCase(name)) {
          throw new IllegalArgumentException("header " + name + " is given twice (as " + names[i] + " and "
              + name + "; names are case-insensitive)");
        }
      }
      if (count == names.length) {
        throw new ConcurrentModificationException("headers changed while copied");
      }
      names[count++] = name;
      copy.put(name, value);
    }
    headers = Collections.unmodifiableMap(copy);
    body = body.clone();
  }

  /** A copy of the body. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The body itself, for the deliverer: never modify or leak it. */
  byte[] bodyBytes() {
    return body;
  }

  /** The value of {@code name}, compared case-insensitively, or null. */
  String header(String name) {
    for (Map.Entry<String, String> entry : headers.entrySet()) {
      if (entry.getKey().equalsIgnoreCase(name)) {
        return entry.getValue();
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof DeliveryRequest that
        && url.equals(that.url)
        && headers.equals(that.headers)
        && Arrays.equals(body, that.body);
  }

  @Override
  public int hashCode() {
    return (url.hashCode() * 31 + headers.hashCode()) * 31 + Arrays.hashCode(body);
  }

  /** The host, the header names and the body's size: no values, path or query. */
  @Override
  public String toString() {
    return "DeliveryRequest[host=" + url.getHost() + ", headers=" + headers.keySet() + ", body=" + body.length
        + " bytes]";
  }

  /** Whether the HTTP client sets this header itself; compared without a lower-cased copy per header. */
  private static boolean setByClient(String name) {
    for (String reserved : CLIENT_HEADERS) {
      if (reserved.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  private static void checkName(String name) {
    if (name.isEmpty()) {
      throw new IllegalArgumentException("header name is empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!token) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "header name has an unexpected character 0x%02x at index %d", (int) c, i));
      }
    }
  }

  private static void checkValue(String name, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '\t' && (c < 0x20 || c > 0x7e)) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "value of header %s has an unexpected character 0x%02x at index %d", name, (int) c, i));
      }
    }
  }
}

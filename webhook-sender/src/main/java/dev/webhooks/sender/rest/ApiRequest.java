package dev.webhooks.sender.rest;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP request to the management API, independent of any server: method, path, query
 * parameters, headers (names case-insensitive) and the raw body. Adapters build it from their
 * server's request; tests build it directly. Immutable; {@code toString} shows no header or body.
 *
 * <pre>{@code
 * ApiRequest r = ApiRequest.of("POST", URI.create("/webhooks?page=2"),
 *     Map.of("Authorization", List.of("Bearer key_123")), bodyBytes);
 * }</pre>
 */
public final class ApiRequest {
  private final String method;
  private final String path;
  private final Map<String, List<String>> query;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  private ApiRequest(String method, String path, Map<String, List<String>> query, Map<String, List<String>> headers,
      byte[] body) {
    this.method = method;
    this.path = path;
    this.query = query;
    this.headers = headers;
    this.body = body;
  }

  /**
   * A request to {@code uri} (its raw path and raw query are used; a scheme and host, if any, are
   * ignored).
   *
   * @param headers header values by name; names are matched case-insensitively
   * @param body the raw body; empty when there is none
   * @throws IllegalArgumentException when the method is not an HTTP token
   */
  public static ApiRequest of(String method, URI uri, Map<String, List<String>> headers, byte[] body) {
    requireNonNull(method, "method == null");
    requireNonNull(uri, "uri == null");
    requireNonNull(headers, "headers == null");
    requireNonNull(body, "body == null");
    if (method.isEmpty() || !method.chars().allMatch(c -> c > 32 && c < 127)) {
      throw new IllegalArgumentException("not an HTTP method");
    }
    Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> {
      if (name != null && values != null) {
        h.computeIfAbsent(name, k -> new ArrayList<>()).addAll(values);
      }
    });
    String rawPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return new ApiRequest(method, rawPath, parseQuery(uri.getRawQuery()),
        Collections.unmodifiableMap(h), body.clone());
  }

  private static Map<String, List<String>> parseQuery(String raw) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        out.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // a malformed escape is kept as sent; the parameter's own check refuses it
    }
  }

  /** The method, as sent: HTTP methods are case-sensitive, so {@code get} is not {@code GET}. */
  public String method() {
    return method;
  }

  /** The raw (still percent-encoded) path, e.g. {@code /webhooks/3f…/deliveries}. */
  public String path() {
    return path;
  }

  /** The first value of query parameter {@code name}. */
  public Optional<String> query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Every query parameter, decoded. */
  public Map<String, List<String>> queryParameters() {
    return query;
  }

  /** The first value of header {@code name}, matched case-insensitively. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The token of an {@code Authorization: Bearer <token>} header. */
  public Optional<String> bearerToken() {
    return header("Authorization")
        .filter(a -> a.regionMatches(true, 0, "Bearer ", 0, 7))
        .map(a -> a.substring(7).strip())
        .filter(t -> !t.isEmpty());
  }

  /** The raw body, a copy. */
  public byte[] body() {
    return body.clone();
  }

  int bodyLength() {
    return body.length;
  }

  byte[] bodyShared() {
    return body;
  }

  @Override
  public String toString() {
    return "ApiRequest[" + method + " " + path + ", " + body.length + " bytes]";
  }
}

package dev.webhooks.sender.rest;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The management API's answer: a status, headers and a body (JSON, or empty for 204). Adapters copy
 * it onto their server's response. Immutable; {@code toString} shows no body (it may hold a secret).
 */
public final class ApiResponse {
  private final int status;
  private final Map<String, String> headers;
  private final byte[] body;

  ApiResponse(int status, Map<String, String> headers, byte[] body) {
    this.status = status;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(headers, "headers == null")));
    this.body = requireNonNull(body, "body == null");
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The headers to send, e.g. {@code Content-Type}, {@code Allow}, {@code Retry-After}. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The body, a copy; empty for 204. */
  public byte[] body() {
    return body.clone();
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  byte[] bodyShared() {
    return body;
  }

  @Override
  public String toString() {
    return "ApiResponse[" + status + ", " + body.length + " bytes]";
  }
}

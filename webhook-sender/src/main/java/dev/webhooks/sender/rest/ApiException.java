package dev.webhooks.sender.rest;

import static java.util.Objects.requireNonNull;

import dev.webhooks.core.WebhookException;
import java.time.Duration;
import java.util.Optional;

/**
 * A refusal of the management API with its HTTP status and wire code, answered as {@code
 * {"error": {"code", "message", "field"}}}. Authenticators throw the first three; the API throws
 * the others itself. The message is sent to the caller: never put a key or a secret in it.
 *
 * <pre>{@code
 * throw ApiException.invalidKey();                        // 401 invalid_key
 * throw ApiException.rateLimited(Duration.ofSeconds(2));  // 429 rate_limited, Retry-After: 2
 * }</pre>
 */
public class ApiException extends WebhookException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String code;
  private final String field;
  private final transient Duration retryAfter;

  public ApiException(int status, String code, String field, String message) {
    this(status, code, field, message, null);
  }

  private ApiException(int status, String code, String field, String message, Duration retryAfter) {
    super(requireNonNull(message, "message == null"));
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("an API refusal needs a 4xx or 5xx status: " + status);
    }
    this.status = status;
    this.code = requireNonNull(code, "code == null");
    this.field = field;
    this.retryAfter = retryAfter;
  }

  /** 401 {@code invalid_key}: no API key, or one that is unknown or expired. */
  public static ApiException invalidKey() {
    return new ApiException(401, "invalid_key", null, "invalid or expired API key");
  }

  /** 403 {@code insufficient_permissions}: the key lacks {@code permission}. */
  public static ApiException insufficientPermissions(ApiPermission permission) {
    return new ApiException(403, "insufficient_permissions", null, "missing " + permission.scope() + " permission");
  }

  /** 429 {@code rate_limited}, with {@code Retry-After} in whole seconds, at least 1. */
  public static ApiException rateLimited(Duration retryAfter) {
    requireNonNull(retryAfter, "retryAfter == null");
    return new ApiException(429, "rate_limited", null, "rate limit exceeded", retryAfter);
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  /** The wire code, e.g. {@code "invalid_key"}. */
  public String code() {
    return code;
  }

  /** The request field at fault, when one is. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }

  /** For 429: when to try again. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}

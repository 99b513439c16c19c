package dev.webhooks.core;

/**
 * Stable, machine-readable codes for refused input. Their {@link #code() wire form} is the one the
 * management API answers with, in the {@code {"error": {"code": …}}} shape of the products this SDK
 * is modelled on.
 */
public enum ErrorCode {
  /** A required field is absent or blank ({@code url}, {@code events}, a tenant id). */
  MISSING_REQUIRED_FIELD("missing_required_field"),
  /** The URL is malformed, not HTTPS, or points at a non-public address. */
  INVALID_URL("invalid_url"),
  /** An event name or filter is malformed or names no type of the catalog. */
  INVALID_EVENTS("invalid_events"),
  /** The description is too long or holds control characters. */
  INVALID_DESCRIPTION("invalid_description"),
  /** A custom header has a bad name or value, or tries to override a reserved header. */
  INVALID_HEADERS("invalid_headers"),
  /** Metadata has too many entries, or a key or value that is too long. */
  INVALID_METADATA("invalid_metadata"),
  /** A secret or key is malformed or too short. */
  INVALID_SECRET("invalid_secret"),
  /** The tenant id is malformed. */
  INVALID_TENANT("invalid_tenant"),
  /** A JSON document is malformed or does not have the expected shape. */
  INVALID_JSON("invalid_json"),
  /** A query parameter is malformed or out of range ({@code page}, {@code per_page}, {@code from}, {@code status}…). */
  INVALID_PARAMETER("invalid_parameter"),
  /** Another webhook of the same tenant already has this URL. */
  DUPLICATE_WEBHOOK("duplicate_webhook"),
  /** The webhook, delivery or event does not exist (or belongs to another tenant). */
  NOT_FOUND("not_found");

  private final String code;

  ErrorCode(String code) {
    this.code = code;
  }

  /** The snake_case wire form, e.g. {@code "invalid_url"}. */
  public String code() {
    return code;
  }
}

package dev.webhooks.sender.store;

/** Where a delivery stands. */
public enum DeliveryStatus {
  /** Waiting for its next attempt (the first one included). */
  PENDING,
  /** A 2xx answer was received. */
  DELIVERED,
  /** Given up: retries exhausted, or its subscription answered 410 or was disabled. Can be retried by hand. */
  FAILED;

  /** The lower-case wire form used by the management API: {@code pending}, {@code delivered}, {@code failed}. */
  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

package dev.webhooks.sender.store;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * An event to publish: its envelope's bytes (one copy, shared by its whole fan-out), and what the
 * store needs to fan it out. Immutable; {@code toString()} never shows the payload.
 */
public final class EventRecord {
  private final String id;
  private final String tenantId;
  private final String type;
  private final Instant createdAt;
  private final byte[] payload;
  private final String idempotencyKey;
  private final UUID onlySubscription;

  private EventRecord(String id, String tenantId, String type, Instant createdAt, byte[] payload,
      String idempotencyKey, UUID onlySubscription) {
    this.id = requireNonNull(id, "id == null");
    this.tenantId = requireNonNull(tenantId, "tenantId == null");
    this.type = requireNonNull(type, "type == null");
    this.createdAt = requireNonNull(createdAt, "createdAt == null");
    this.payload = requireNonNull(payload, "payload == null");
    this.idempotencyKey = idempotencyKey;
    this.onlySubscription = onlySubscription;
  }

  /**
   * An event fanned out to every enabled subscription of the tenant whose filters match its type.
   *
   * @param payload the envelope's JSON bytes; not copied, so do not modify them afterwards
   * @param idempotencyKey {@code null}, or a key: a second publish with it returns the first event
   */
  public static EventRecord of(String id, String tenantId, String type, Instant createdAt, byte[] payload,
      String idempotencyKey) {
    return new EventRecord(id, tenantId, type, createdAt, payload, idempotencyKey, null);
  }

  /** A test event, delivered to {@code subscription} only, whatever its filters and enabled flag. */
  public static EventRecord forOneSubscription(String id, String tenantId, String type, Instant createdAt,
      byte[] payload, UUID subscription) {
    return new EventRecord(id, tenantId, type, createdAt, payload, null,
        requireNonNull(subscription, "subscription == null"));
  }

  public String id() {
    return id;
  }

  public String tenantId() {
    return tenantId;
  }

  public String type() {
    return type;
  }

  public Instant createdAt() {
    return createdAt;
  }

  /** The envelope's bytes, shared: do not modify. */
  public byte[] payload() {
    return payload;
  }

  public Optional<String> idempotencyKey() {
    return Optional.ofNullable(idempotencyKey);
  }

  /** For a test event, the one subscription it goes to. */
  public Optional<UUID> onlySubscription() {
    return Optional.ofNullable(onlySubscription);
  }

  @Override
  public String toString() {
    return "EventRecord[id=" + id + ", tenant=" + tenantId + ", type=" + type + ", bytes=" + payload.length + "]";
  }
}

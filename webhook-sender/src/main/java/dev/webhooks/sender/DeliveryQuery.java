package dev.webhooks.sender;

import static java.util.Objects.requireNonNull;

import dev.webhooks.sender.store.DeliveryStatus;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Which deliveries of a tenant to list, newest first: the management API's {@code from},
 * {@code to}, {@code status}, {@code page} and {@code per_page}, plus a subscription and an event
 * type. Every filter is optional. Immutable.
 *
 * <pre>{@code
 * DeliveryQuery.builder().subscription(id).status(DeliveryStatus.FAILED)
 *     .from(Instant.parse("2026-06-01T00:00:00Z")).page(new PageRequest(1, 50)).build();
 * }</pre>
 */
public final class DeliveryQuery {
  private final UUID subscription;
  private final String eventType;
  private final DeliveryStatus status;
  private final Instant from;
  private final Instant to;
  private final PageRequest page;

  private DeliveryQuery(Builder b) {
    this.subscription = b.subscription;
    this.eventType = b.eventType;
    this.status = b.status;
    this.from = b.from;
    this.to = b.to;
    this.page = b.page;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Every delivery of the tenant, first page. */
  public static DeliveryQuery all() {
    return builder().build();
  }

  public Optional<UUID> subscription() {
    return Optional.ofNullable(subscription);
  }

  public Optional<String> eventType() {
    return Optional.ofNullable(eventType);
  }

  public Optional<DeliveryStatus> status() {
    return Optional.ofNullable(status);
  }

  /** Created at or after, inclusive. */
  public Optional<Instant> from() {
    return Optional.ofNullable(from);
  }

  /** Created before, exclusive. */
  public Optional<Instant> to() {
    return Optional.ofNullable(to);
  }

  public PageRequest page() {
    return page;
  }

  @Override
  public String toString() {
    return "DeliveryQuery[subscription=" + subscription + ", eventType=" + eventType + ", status=" + status
        + ", from=" + from + ", to=" + to + ", " + page + "]";
  }

  /** Builds a {@link DeliveryQuery}. Not thread-safe. */
  public static final class Builder {
    private UUID subscription;
    private String eventType;
    private DeliveryStatus status;
    private Instant from;
    private Instant to;
    private PageRequest page = PageRequest.first();

    private Builder() {}

    public Builder subscription(UUID subscription) {
      this.subscription = requireNonNull(subscription, "subscription == null");
      return this;
    }

    public Builder eventType(String eventType) {
      this.eventType = requireNonNull(eventType, "eventType == null");
      return this;
    }

    public Builder status(DeliveryStatus status) {
      this.status = requireNonNull(status, "status == null");
      return this;
    }

    public Builder from(Instant from) {
      this.from = requireNonNull(from, "from == null");
      return this;
    }

    public Builder to(Instant to) {
      this.to = requireNonNull(to, "to == null");
      return this;
    }

    /** Default {@link PageRequest#first()}. */
    public Builder page(PageRequest page) {
      this.page = requireNonNull(page, "page == null");
      return this;
    }

    /** @throws IllegalArgumentException when {@code to} is not after {@code from} */
    public DeliveryQuery build() {
      if (from != null && to != null && !to.isAfter(from)) {
        throw new IllegalArgumentException("to must be after from");
      }
      return new DeliveryQuery(this);
    }
  }
}

package dev.webhooks.core.subscription;

import dev.webhooks.core.internal.Echo;
import static java.util.Objects.requireNonNull;

import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.event.EventFilterSet;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A stored subscription (endpoint), as the management API returns it. It never holds the signing
 * secret: that is shown once, at creation or rotation, and kept by the store alone.
 *
 * <p>Instances are immutable and thread-safe. {@code equals} and {@code hashCode} compare every
 * field; {@code toString} never shows header or metadata values (custom headers often carry
 * tokens), nor the URL's query.
 *
 * <pre>{@code
 * ValidatedSubscription v = validator.validate(spec);
 * Instant now = clock.instant();
 * Subscription sub = Subscription.builder()
 *     .id(UUID.randomUUID())
 *     .tenantId("tenant_42")
 *     .from(v)
 *     .createdAt(now).updatedAt(now).secretLastRotatedAt(now)
 *     .build();
 * sub.events();   // ["lookup.completed", "apikey.created"]
 *
 * Subscription gone = sub.toBuilder()
 *     .enabled(false).disabledReason(DisabledReason.ENDPOINT_GONE).updatedAt(later)
 *     .build();
 * }</pre>
 */
public final class Subscription {
  private final UUID id;
  private final String tenantId;
  private final URI url;
  private final EventFilterSet filters;
  private final String description;
  private final boolean enabled;
  private final Map<String, String> headers;
  private final Map<String, String> metadata;
  private final Instant createdAt;
  private final Instant updatedAt;
  private final Instant secretLastRotatedAt;
  private final Instant lastDeliveredAt;
  private final DisabledReason disabledReason;

  private Subscription(Builder b) {
    this.id = b.id;
    this.tenantId = b.tenantId;
    this.url = b.url;
    this.filters = b.filters;
    this.description = b.description;
    this.enabled = b.enabled;
    this.headers = b.headers;
    this.metadata = b.metadata;
    this.createdAt = b.createdAt;
    this.updatedAt = b.updatedAt;
    this.secretLastRotatedAt = b.secretLastRotatedAt;
    this.lastDeliveredAt = b.lastDeliveredAt;
    this.disabledReason = b.disabledReason;
  }

  /** A new builder: nothing set, enabled, no description, headers or metadata. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding every field of this subscription, to derive an updated one. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The subscription's id. */
  public UUID id() {
    return id;
  }

  /** The tenant that owns it. */
  public String tenantId() {
    return tenantId;
  }

  /** The normalised endpoint URL. */
  public URI url() {
    return url;
  }

  /** The normalised event filters; never empty. */
  public EventFilterSet filters() {
    return filters;
  }

  /** The filters' wire form, {@code filters().toWireForm()}: {@code ["lookup.completed"]}. */
  public List<String> events() {
    return filters.toWireForm();
  }

  /** The description; {@code ""} when none. */
  public String description() {
    return description;
  }

  /** Whether deliveries are sent. */
  public boolean enabled() {
    return enabled;
  }

  /** The custom headers sent with every delivery, in order; unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The application's key/values, in order; unmodifiable. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** When it was created. */
  public Instant createdAt() {
    return createdAt;
  }

  /** When it was last changed. */
  public Instant updatedAt() {
    return updatedAt;
  }

  /** When its secret was last created or rotated. */
  public Instant secretLastRotatedAt() {
    return secretLastRotatedAt;
  }

  /** When a delivery to it last succeeded, if ever. */
  public Optional<Instant> lastDeliveredAt() {
    return Optional.ofNullable(lastDeliveredAt);
  }

  /** Why it is disabled; present only while it is disabled, and then not necessarily. */
  public Optional<DisabledReason> disabledReason() {
    return Optional.ofNullable(disabledReason);
  }

  /**
   * The spec that recreates this subscription's settings: URL, filters' wire form, description
   * (absent when {@code ""}), enabled flag, headers and metadata. It is the base a {@link
   * SubscriptionPatch} is applied to.
   */
  public SubscriptionSpec toSpec() {
    return SubscriptionSpec.builder()
        .url(url.toString())
        .events(events())
        .description(description.isEmpty() ? null : description)
        .enabled(enabled)
        .headers(headers)
        .metadata(metadata)
        .build();
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof Subscription)) {
      return false;
    }
    Subscription that = (Subscription) other;
    return enabled == that.enabled
        && id.equals(that.id)
        && tenantId.equals(that.tenantId)
        && url.equals(that.url)
        && filters.equals(that.filters)
        && description.equals(that.description)
        && headers.equals(that.headers)
        && metadata.equals(that.metadata)
        && createdAt.equals(that.createdAt)
        && updatedAt.equals(that.updatedAt)
        && secretLastRotatedAt.equals(that.secretLastRotatedAt)
        && Objects.equals(lastDeliveredAt, that.lastDeliveredAt)
        && disabledReason == that.disabledReason;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, tenantId, url, filters, description, enabled, headers, metadata,
        createdAt, updatedAt, secretLastRotatedAt, lastDeliveredAt, disabledReason);
  }

  /** Every field, with header and metadata values redacted and the URL's query cut. */
  @Override
  public String toString() {
    return "Subscription{id=" + id
        + ", tenantId=" + tenantId
        + ", url=" + Inputs.redactQuery(url.toString())
        + ", events=" + filters
        + ", description=" + Echo.describe(description)
        + ", enabled=" + enabled
        + (disabledReason == null ? "" : ", disabledReason=" + disabledReason)
        + ", headers=" + Inputs.redactValues(headers)
        + ", metadata=" + Inputs.redactValues(metadata)
        + ", createdAt=" + createdAt
        + ", updatedAt=" + updatedAt
        + ", secretLastRotatedAt=" + secretLastRotatedAt
        + (lastDeliveredAt == null ? "" : ", lastDeliveredAt=" + lastDeliveredAt)
        + '}';
  }

  /**
   * Builds a {@link Subscription}, typically {@link #from(ValidatedSubscription) from} a validated
   * spec plus the fields the management service owns. Each setter checks its argument; {@link
   * #build()} checks that the required ones are set. Not thread-safe; the subscription it builds
   * is.
   *
   * <p>Required: {@code id}, {@code tenantId}, {@code url}, {@code filters}, {@code createdAt},
   * {@code updatedAt}, {@code secretLastRotatedAt}. Defaults: enabled, description {@code ""}, no
   * headers, no metadata, never delivered, no disabled reason.
   */
  public static final class Builder {
    private UUID id;
    private String tenantId;
    private URI url;
    private EventFilterSet filters;
    private String description = "";
    private boolean enabled = true;
    private Map<String, String> headers = Map.of();
    private Map<String, String> metadata = Map.of();
    private Instant createdAt;
    private Instant updatedAt;
    private Instant secretLastRotatedAt;
    private Instant lastDeliveredAt;
    private DisabledReason disabledReason;

    private Builder() {}

    private Builder(Subscription s) {
      this.id = s.id;
      this.tenantId = s.tenantId;
      this.url = s.url;
      this.filters = s.filters;
      this.description = s.description;
      this.enabled = s.enabled;
      this.headers = s.headers;
      this.metadata = s.metadata;
      this.createdAt = s.createdAt;
      this.updatedAt = s.updatedAt;
      this.secretLastRotatedAt = s.secretLastRotatedAt;
      this.lastDeliveredAt = s.lastDeliveredAt;
      this.disabledReason = s.disabledReason;
    }

    /**
     * Sets the settings a tenant controls from a validated spec: url, filters, description,
     * enabled, headers and metadata.
     *
     * @throws NullPointerException if {@code validated} is null
     */
    public Builder from(ValidatedSubscription validated) {
      requireNonNull(validated, "validated == null");
      this.url = validated.url();
      this.filters = validated.filters();
      this.description = validated.description();
      this.enabled = validated.enabled();
      this.headers = validated.headers();
      this.metadata = validated.metadata();
      return this;
    }

    /**
     * The id; required.
     *
     * @throws NullPointerException if {@code id} is null
     */
    public Builder id(UUID id) {
      this.id = requireNonNull(id, "id == null");
      return this;
    }

    /**
     * The owning tenant; required, checked by {@link SubscriptionValidator#requireTenantId}.
     *
     * @throws WebhookValidationException if {@code tenantId} is missing or malformed
     */
    public Builder tenantId(String tenantId) {
      this.tenantId = SubscriptionValidator.requireTenantId(tenantId);
      return this;
    }

    /**
     * The endpoint URL, as normalised by the URL policy; required.
     *
     * @throws NullPointerException if {@code url} is null
     */
    public Builder url(URI url) {
      this.url = requireNonNull(url, "url == null");
      return this;
    }

    /**
     * The event filters; required.
     *
     * @throws NullPointerException if {@code filters} is null
     */
    public Builder filters(EventFilterSet filters) {
      this.filters = requireNonNull(filters, "filters == null");
      return this;
    }

    /**
     * The description, {@code ""} (the default) for none.
     *
     * @throws NullPointerException if {@code description} is null
     */
    public Builder description(String description) {
      this.description = requireNonNull(description, "description == null");
      return this;
    }

    /** Whether deliveries are sent; defaults to true. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * The custom headers, copied in iteration order; default none.
     *
     * @throws NullPointerException if the map, a name or a value is null
     */
    public Builder headers(Map<String, String> headers) {
      this.headers = Inputs.copyStrict(headers, "headers");
      return this;
    }

    /**
     * The metadata, copied in iteration order; default none.
     *
     * @throws NullPointerException if the map, a key or a value is null
     */
    public Builder metadata(Map<String, String> metadata) {
      this.metadata = Inputs.copyStrict(metadata, "metadata");
      return this;
    }

    /**
     * When it was created; required.
     *
     * @throws NullPointerException if {@code createdAt} is null
     */
    public Builder createdAt(Instant createdAt) {
      this.createdAt = requireNonNull(createdAt, "createdAt == null");
      return this;
    }

    /**
     * When it was last changed; required.
     *
     * @throws NullPointerException if {@code updatedAt} is null
     */
    public Builder updatedAt(Instant updatedAt) {
      this.updatedAt = requireNonNull(updatedAt, "updatedAt == null");
      return this;
    }

    /**
     * When its secret was last created or rotated; required.
     *
     * @throws NullPointerException if {@code secretLastRotatedAt} is null
     */
    public Builder secretLastRotatedAt(Instant secretLastRotatedAt) {
      this.secretLastRotatedAt = requireNonNull(secretLastRotatedAt, "secretLastRotatedAt == null");
      return this;
    }

    /** When a delivery last succeeded; {@code null} (the default) for never. */
    public Builder lastDeliveredAt(Instant lastDeliveredAt) {
      this.lastDeliveredAt = lastDeliveredAt;
      return this;
    }

    /**
     * Why it is disabled; {@code null} (the default) for none. Only a disabled subscription may
     * have a reason: set {@code enabled(false)} too.
     */
    public Builder disabledReason(DisabledReason disabledReason) {
      this.disabledReason = disabledReason;
      return this;
    }

    /**
     * The subscription. The builder stays usable.
     *
     * @throws IllegalStateException naming the field if a required field is not set, or if the
     *     subscription is enabled while a disabled reason is set
     */
    public Subscription build() {
      require(id, "id");
      require(tenantId, "tenantId");
      require(url, "url");
      require(filters, "filters");
      require(createdAt, "createdAt");
      require(updatedAt, "updatedAt");
      require(secretLastRotatedAt, "secretLastRotatedAt");
      if (enabled && disabledReason != null) {
        throw new IllegalStateException(
            "an enabled subscription cannot have a disabledReason (" + disabledReason
                + "): set enabled(false) or clear the reason");
      }
      return new Subscription(this);
    }

    private static void require(Object value, String name) {
      if (value == null) {
        throw new IllegalStateException(name + " is required but was not set");
      }
    }
  }
}

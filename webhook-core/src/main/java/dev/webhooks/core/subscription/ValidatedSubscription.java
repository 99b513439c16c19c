package dev.webhooks.core.subscription;

import dev.webhooks.core.internal.Echo;
import static java.util.Objects.requireNonNull;

import dev.webhooks.core.event.EventFilterSet;
import java.net.URI;
import java.util.Map;

/**
 * The normalised, validated form of a {@link SubscriptionSpec}, as {@link
 * SubscriptionValidator#validate} returns it: the URL normalised by the URL policy, the filters
 * normalised by the catalog, the description stripped ({@code ""} when none), and the headers and
 * metadata in their given order.
 *
 * <p>Instances are immutable and thread-safe; {@code toString} never shows header or metadata
 * values, nor the URL's query.
 *
 * <pre>{@code
 * ValidatedSubscription v = validator.validate(spec);
 * Subscription created = Subscription.builder()
 *     .from(v)
 *     .id(UUID.randomUUID()).tenantId(tenantId)
 *     .createdAt(now).updatedAt(now).secretLastRotatedAt(now)
 *     .build();
 * }</pre>
 *
 * @param url the normalised URL
 * @param filters the normalised event filters, never empty
 * @param description the stripped description, {@code ""} when none
 * @param enabled whether deliveries are sent
 * @param headers the custom headers, in order; copied into an unmodifiable map
 * @param metadata the metadata, in order; copied into an unmodifiable map
 */
public record ValidatedSubscription(
    URI url,
    EventFilterSet filters,
    String description,
    boolean enabled,
    Map<String, String> headers,
    Map<String, String> metadata) {

  /**
   * Copies the maps, keeping their order. It checks nulls only: use {@link
   * SubscriptionValidator#validate} to get a value that obeys the rules.
   *
   * @throws NullPointerException if a component, a header or a metadata key or value is null
   */
  public ValidatedSubscription {
    requireNonNull(url, "url == null");
    requireNonNull(filters, "filters == null");
    requireNonNull(description, "description == null");
    headers = Inputs.copyStrict(headers, "headers");
    metadata = Inputs.copyStrict(metadata, "metadata");
  }

  /** Every component, with header and metadata values redacted and the URL's query cut. */
  @Override
  public String toString() {
    return "ValidatedSubscription{url=" + Inputs.redactQuery(url.toString())
        + ", filters=" + filters
        + ", description=" + Echo.describe(description)
        + ", enabled=" + enabled
        + ", headers=" + Inputs.redactValues(headers)
        + ", metadata=" + Inputs.redactValues(metadata)
        + '}';
  }
}

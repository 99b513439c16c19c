package dev.webhooks.core.subscription;

import dev.webhooks.core.internal.Echo;
import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A partial update ({@code PATCH}): only the fields set are changed. {@link #applyTo} turns it into
 * the full {@link SubscriptionSpec} to validate, so that a patch is checked by exactly the rules of
 * a create. Like a spec, a patch holds input as given and is not validated by itself.
 *
 * <p>Instances are immutable and thread-safe. {@code toString} never shows header or metadata
 * values.
 *
 * <pre>{@code
 * SubscriptionPatch patch = SubscriptionPatch.builder()
 *     .events("*")
 *     .enabled(false)
 *     .build();
 * ValidatedSubscription updated = validator.validate(patch.applyTo(current));
 * }</pre>
 */
public final class SubscriptionPatch {
  private final String url;
  private final List<String> events;
  private final String description;
  private final Boolean enabled;
  private final Map<String, String> headers;
  private final Map<String, String> metadata;

  private SubscriptionPatch(Builder builder) {
    this.url = builder.url;
    this.events = builder.events;
    this.description = builder.description;
    this.enabled = builder.enabled;
    this.headers = builder.headers;
    this.metadata = builder.metadata;
  }

  /** A new builder with no field set: it builds an {@linkplain #isEmpty() empty} patch. */
  public static Builder builder() {
    return new Builder();
  }

  /** The new URL as given, if set. */
  public Optional<String> url() {
    return Optional.ofNullable(url);
  }

  /** The new event filters as given (unmodifiable, may hold nulls), if set. */
  public Optional<List<String>> events() {
    return Optional.ofNullable(events);
  }

  /** The new description, if set; {@code ""} clears it. */
  public Optional<String> description() {
    return Optional.ofNullable(description);
  }

  /** The new enabled flag, if set. */
  public Optional<Boolean> enabled() {
    return Optional.ofNullable(enabled);
  }

  /** The headers that replace all current ones (unmodifiable, in order), if set. */
  public Optional<Map<String, String>> headers() {
    return Optional.ofNullable(headers);
  }

  /** The metadata that replaces all current entries (unmodifiable, in order), if set. */
  public Optional<Map<String, String>> metadata() {
    return Optional.ofNullable(metadata);
  }

  /** Whether no field is set: applying this patch changes nothing. */
  public boolean isEmpty() {
    return url == null
        && events == null
        && description == null
        && enabled == null
        && headers == null
        && metadata == null;
  }

  /**
   * The full spec that results from applying this patch to {@code current}: every field set here
   * replaces the current one, the others are kept. Headers and metadata, when set, replace the
   * current ones wholesale (set an empty map to remove them all); a description of {@code ""}
   * clears it. The result is not validated: pass it to {@link SubscriptionValidator#validate}.
   *
   * <pre>{@code
   * SubscriptionPatch.builder().description("").build().applyTo(current).description();  // empty
   * }</pre>
   *
   * @throws NullPointerException if {@code current} is null
   */
  public SubscriptionSpec applyTo(Subscription current) {
    requireNonNull(current, "current == null");
    SubscriptionSpec.Builder spec = current.toSpec().toBuilder();
    if (url != null) {
      spec.url(url);
    }
    if (events != null) {
      spec.events(events);
    }
    if (description != null) {
      spec.description(description.isEmpty() ? null : description);
    }
    if (enabled != null) {
      spec.enabled(enabled);
    }
    if (headers != null) {
      spec.headers(headers);
    }
    if (metadata != null) {
      spec.metadata(metadata);
    }
    return spec.build();
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof SubscriptionPatch)) {
      return false;
    }
    SubscriptionPatch that = (SubscriptionPatch) other;
    return Objects.equals(url, that.url)
        && Objects.equals(events, that.events)
        && Objects.equals(description, that.description)
        && Objects.equals(enabled, that.enabled)
        && Objects.equals(headers, that.headers)
        && Objects.equals(metadata, that.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(url, events, description, enabled, headers, metadata);
  }

  /**
   * {@code SubscriptionPatch{events=[*], enabled=false}}: the fields set only; never a header or
   * metadata value, never the URL's query.
   */
  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("SubscriptionPatch{");
    if (url != null) {
      out.append("url=").append(Inputs.redactQuery(url)).append(", ");
    }
    if (events != null) {
      out.append("events=").append(events).append(", ");
    }
    if (description != null) {
      out.append("description=").append(Echo.describe(description)).append(", ");
    }
    if (enabled != null) {
      out.append("enabled=").append(enabled).append(", ");
    }
    if (headers != null) {
      out.append("headers=").append(Inputs.redactValues(headers)).append(", ");
    }
    if (metadata != null) {
      out.append("metadata=").append(Inputs.redactValues(metadata)).append(", ");
    }
    if (!isEmpty()) {
      out.setLength(out.length() - 2);
    }
    return out.append('}').toString();
  }

  /**
   * Builds a {@link SubscriptionPatch}. Each setter marks its field as set; passing {@code null}
   * unsets it again (the field is then left unchanged by the patch). Values are taken as given,
   * since validation happens on the {@linkplain #applyTo applied} spec. Not thread-safe; the patch
   * it builds is.
   *
   * <pre>{@code
   * SubscriptionPatch patch = SubscriptionPatch.builder()
   *     .url("https://new-url.example.com/hook")
   *     .headers(Map.of())     // remove every custom header
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private String url;
    private List<String> events;
    private String description;
    private Boolean enabled;
    private Map<String, String> headers;
    private Map<String, String> metadata;

    private Builder() {}

    /** Sets the new URL; {@code null} unsets it. */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /** Sets the new event filters, copied; {@code null} unsets them. */
    public Builder events(List<String> events) {
      this.events = events == null ? null : Collections.unmodifiableList(new ArrayList<>(events));
      return this;
    }

    /** {@link #events(List)} from an array; {@code null} unsets them. */
    public Builder events(String... events) {
      return events(events == null ? null : Arrays.asList(events));
    }

    /** Sets the new description, {@code ""} to clear it; {@code null} unsets it. */
    public Builder description(String description) {
      this.description = description;
      return this;
    }

    /** Sets the new enabled flag. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Sets the headers that replace all current ones, copied in iteration order; an empty map
     * removes them all, {@code null} unsets the field.
     */
    public Builder headers(Map<String, String> headers) {
      this.headers = headers == null ? null : Inputs.copyLenient(headers);
      return this;
    }

    /**
     * Sets the metadata that replaces all current entries, copied in iteration order; an empty map
     * removes them all, {@code null} unsets the field.
     */
    public Builder metadata(Map<String, String> metadata) {
      this.metadata = metadata == null ? null : Inputs.copyLenient(metadata);
      return this;
    }

    /** The patch; not validated. The builder stays usable. */
    public SubscriptionPatch build() {
      return new SubscriptionPatch(this);
    }
  }
}

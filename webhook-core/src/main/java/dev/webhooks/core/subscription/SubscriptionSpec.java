package dev.webhooks.core.subscription;

import dev.webhooks.core.internal.Echo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a tenant asks for: the body of a create request and of a full update ({@code PUT}). It
 * holds the input as given and is <em>not</em> validated by itself: {@link
 * SubscriptionValidator#validate} checks and normalises it, field by field, with the stable error
 * codes of the management API.
 *
 * <p>Instances are immutable and thread-safe. {@code equals} and {@code hashCode} compare every
 * field; {@code toString} shows header names and metadata keys but never their values (custom
 * headers often carry tokens), and cuts the URL's query.
 *
 * <pre>{@code
 * SubscriptionSpec spec = SubscriptionSpec.builder()
 *     .url("https://example.com/webhook")
 *     .events("lookup.completed", "apikey.created")
 *     .description("Production webhook")
 *     .header("Authorization", "Bearer s3cr3t-token")
 *     .metadata("team", "growth")
 *     .build();
 * ValidatedSubscription valid = validator.validate(spec);
 * }</pre>
 */
public final class SubscriptionSpec {
  private final String url;
  private final List<String> events;
  private final String description;
  private final boolean enabled;
  private final Map<String, String> headers;
  private final Map<String, String> metadata;

  private SubscriptionSpec(Builder builder) {
    this.url = builder.url;
    this.events = builder.events;
    this.description = builder.description;
    this.enabled = builder.enabled;
    this.headers = Inputs.copyLenient(builder.headers);
    this.metadata = Inputs.copyLenient(builder.metadata);
  }

  /** A new builder: every field unset, {@link #enabled()} true. */
  public static Builder builder() {
    return new Builder();
  }

  /** The URL as given, e.g. {@code "https://example.com/webhook"}; null when not set. */
  public String url() {
    return url;
  }

  /**
   * The event filters as given, e.g. {@code ["lookup.completed", "survey.*"]}; unmodifiable, may
   * hold nulls, empty (never null) when not set.
   */
  public List<String> events() {
    return events;
  }

  /** The description as given; empty when not set. */
  public Optional<String> description() {
    return Optional.ofNullable(description);
  }

  /** Whether deliveries are sent; defaults to true. */
  public boolean enabled() {
    return enabled;
  }

  /**
   * The custom headers sent with every delivery, in insertion order; unmodifiable, may hold nulls
   * as given, empty by default.
   */
  public Map<String, String> headers() {
    return headers;
  }

  /**
   * Free-form key/values for the application, in insertion order; unmodifiable, may hold nulls as
   * given, empty by default.
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** A builder holding every field of this spec, to derive a variant. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  @Override
  public boolean equals(Object other) {
    if (this == other) {
      return true;
    }
    if (!(other instanceof SubscriptionSpec)) {
      return false;
    }
    SubscriptionSpec that = (SubscriptionSpec) other;
    return enabled == that.enabled
        && Objects.equals(url, that.url)
        && events.equals(that.events)
        && Objects.equals(description, that.description)
        && headers.equals(that.headers)
        && metadata.equals(that.metadata);
  }

  @Override
  public int hashCode() {
    return Objects.hash(url, events, description, enabled, headers, metadata);
  }

  /**
   * {@code SubscriptionSpec{url=https://example.com/webhook, events=[lookup.completed], …,
   * headers={Authorization=<redacted>}, metadata={team=<redacted>}}}: never a header or metadata
   * value, never the URL's query.
   */
  @Override
  public String toString() {
    return "SubscriptionSpec{url=" + Inputs.redactQuery(url)
        + ", events=" + events
        + ", description=" + (description == null ? "<none>" : Echo.describe(description))
        + ", enabled=" + enabled
        + ", headers=" + Inputs.redactValues(headers)
        + ", metadata=" + Inputs.redactValues(metadata)
        + '}';
  }

  /**
   * Builds a {@link SubscriptionSpec}. Setters take input as given, nulls included, since the
   * validator is what reports bad input; {@code null} for a map means none. Not thread-safe; the
   * spec it builds is.
   *
   * <pre>{@code
   * SubscriptionSpec spec = SubscriptionSpec.builder()
   *     .url("https://hooks.example.com/enafeedback")
   *     .events(List.of("survey.response.created", "feedback.ticket.created"))
   *     .enabled(false)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private String url;
    private List<String> events = List.of();
    private String description;
    private boolean enabled = true;
    private final LinkedHashMap<String, String> headers = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> metadata = new LinkedHashMap<>();

    private Builder() {}

    private Builder(SubscriptionSpec spec) {
      this.url = spec.url;
      this.events = spec.events;
      this.description = spec.description;
      this.enabled = spec.enabled;
      this.headers.putAll(spec.headers);
      this.metadata.putAll(spec.metadata);
    }

    /** The endpoint URL, e.g. {@code "https://example.com/webhook"}; required by validation. */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /**
     * The event filters, replacing any set before: names ({@code "lookup.completed"}), prefixes
     * ({@code "survey.*"}) or {@code "*"}; at least one is required by validation. The list is
     * copied; {@code null} means none.
     */
    public Builder events(List<String> events) {
      this.events = events == null || events.isEmpty()
          ? List.of()
          : Collections.unmodifiableList(new ArrayList<>(events));
      return this;
    }

    /** {@link #events(List)} from an array; {@code null} means none. */
    public Builder events(String... events) {
      return events(events == null ? null : Arrays.asList(events));
    }

    /** A human-readable description of at most 200 characters; {@code null} (default) for none. */
    public Builder description(String description) {
      this.description = description;
      return this;
    }

    /** Whether deliveries are sent; defaults to true. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * The custom headers, replacing any set before; copied in iteration order. {@code null} means
     * none (the default).
     */
    public Builder headers(Map<String, String> headers) {
      this.headers.clear();
      if (headers != null) {
        this.headers.putAll(headers);
      }
      return this;
    }

    /** Adds or replaces the custom header {@code name} (exact spelling), keeping the order. */
    public Builder header(String name, String value) {
      headers.put(name, value);
      return this;
    }

    /**
     * The metadata, replacing any set before; copied in iteration order. {@code null} means none
     * (the default).
     */
    public Builder metadata(Map<String, String> metadata) {
      this.metadata.clear();
      if (metadata != null) {
        this.metadata.putAll(metadata);
      }
      return this;
    }

    /** Adds or replaces the metadata entry {@code key}, keeping the order. */
    public Builder metadata(String key, String value) {
      metadata.put(key, value);
      return this;
    }

    /** The spec; not validated. The builder stays usable. */
    public SubscriptionSpec build() {
      return new SubscriptionSpec(this);
    }
  }
}

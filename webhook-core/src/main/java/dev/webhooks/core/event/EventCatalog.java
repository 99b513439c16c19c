package dev.webhooks.core.event;

import dev.webhooks.core.internal.Echo;
import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The event types an application emits, declared once at start-up. It is what subscription
 * filters are checked against: an exact filter must name a type of the catalog and a prefix
 * filter must cover at least one, so that a typo is refused with {@code invalid_events} instead of
 * silently matching nothing. Types declared but not emitted yet ({@link EventTypeState#DECLARED})
 * are subscribable, for forward compatibility.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * EventCatalog catalog = EventCatalog.builder()
 *     .event("lookup.completed", "An email lookup finished.", lookupExample)
 *     .event("survey.response.created", "A survey response was submitted.", responseExample)
 *     .declared("proof_pack.sealed", "A proof pack was sealed (not emitted yet).", null)
 *     .build();
 *
 * EventFilterSet filters = catalog.filters(List.of("survey.*", "proof_pack.sealed"));
 * catalog.filters(List.of("lookup.complete"));  // throws: invalid_events, field events[0]
 * }</pre>
 */
public final class EventCatalog {
  private final List<EventType> types;
  private final Map<String, EventType> byName;
  /** Every proper dot-prefix of every name: "survey" and "survey.response" of "survey.x.y". */
  private final Set<String> prefixes;

  private EventCatalog(Builder builder) {
    this.types = List.copyOf(builder.types.values());
    this.byName = Map.copyOf(builder.types);
    Set<String> prefixes = new HashSet<>();
    for (String name : byName.keySet()) {
      for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
        prefixes.add(name.substring(0, dot));
      }
    }
    this.prefixes = Set.copyOf(prefixes);
  }

  /** A new builder for a catalog. */
  public static Builder builder() {
    return new Builder();
  }

  /** Every type, in declaration order; unmodifiable. */
  public List<EventType> types() {
    return types;
  }

  /**
   * The type named {@code name}, whatever its state, or empty if the catalog has none (including
   * when {@code name} is null or malformed).
   */
  public Optional<EventType> find(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(byName.get(name));
  }

  /** Whether the catalog declares {@code name}, as {@code ACTIVE} or {@code DECLARED}. */
  public boolean contains(String name) {
    return name != null && byName.containsKey(name);
  }

  /** The number of types. */
  public int size() {
    return types.size();
  }

  /**
   * Parses the wire form of a subscription's filters, checks them against this catalog and
   * normalises them (see {@link EventFilterSet}): duplicates are dropped, {@code *} absorbs
   * everything else, names and prefixes covered by a prefix are dropped, and the order of first
   * occurrence is kept.
   *
   * <pre>{@code
   * catalog.filters(List.of("survey.response.created", "survey.*", "lookup.completed"))
   *     .toWireForm();  // ["survey.*", "lookup.completed"]
   * }</pre>
   *
   * @param filters the filters as sent by a user, e.g. {@code ["lookup.completed", "survey.*"]}
   * @throws WebhookValidationException with {@link ErrorCode#MISSING_REQUIRED_FIELD} and field
   *     {@code "events"} when {@code filters} is null or empty; with {@link
   *     ErrorCode#INVALID_EVENTS} and field {@code "events[i]"} (the index of the first culprit)
   *     when a filter is null or malformed, names no type of this catalog, or is a prefix that
   *     covers no type of this catalog
   */
  public EventFilterSet filters(List<String> filters) {
    if (filters == null || filters.isEmpty()) {
      throw new WebhookValidationException(
          ErrorCode.MISSING_REQUIRED_FIELD, "events", "at least one event filter is required");
    }
    List<EventFilter> parsed = new ArrayList<>(filters.size());
    for (int i = 0; i < filters.size(); i++) {
      String field = "events[" + i + "]";
      EventFilter filter = EventFilter.parse(filters.get(i), field);
      switch (filter.kind()) {
        case ALL:
          break;
        case EXACT:
          if (!byName.containsKey(filter.value())) {
            throw new WebhookValidationException(
                ErrorCode.INVALID_EVENTS,
                field,
                "unknown event type " + Echo.describe(filter.value()));
          }
          break;
        case PREFIX:
          if (!prefixes.contains(filter.value())) {
            throw new WebhookValidationException(
                ErrorCode.INVALID_EVENTS,
                field,
                "event filter " + Echo.describe(filter.toString()) + " matches no event type");
          }
          break;
        default:
          throw new AssertionError(filter.kind());
      }
      parsed.add(filter);
    }
    return EventFilterSet.of(parsed);
  }

  /** {@code EventCatalog[lookup.completed, survey.response.created, …]}: the names only. */
  @Override
  public String toString() {
    List<String> names = new ArrayList<>(types.size());
    for (EventType type : types) {
      names.add(type.name());
    }
    return "EventCatalog" + names;
  }

  /**
   * Declares the types of an {@link EventCatalog}, in order. Each argument is checked as it is
   * given. Not thread-safe; the catalog it builds is.
   *
   * <pre>{@code
   * EventCatalog catalog = EventCatalog.builder()
   *     .event("right.issued", "A right was issued.", example)
   *     .declared("key.rotated", "A signing key was rotated (not emitted yet).", null)
   *     .build();
   * }</pre>
   */
  public static final class Builder {
    private final LinkedHashMap<String, EventType> types = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Declares a type the application emits ({@link EventTypeState#ACTIVE}).
     *
     * @param name a {@linkplain EventType#isValidName valid name}, e.g. {@code "lookup.completed"}
     * @param description for integrators; may be empty
     * @param examplePayload the {@code data} of test events, copied; {@code null} means an empty
     *     object
     * @throws WebhookValidationException with {@link ErrorCode#INVALID_EVENTS} if {@code name} is
     *     malformed, or {@link ErrorCode#MISSING_REQUIRED_FIELD} if it is null
     * @throws IllegalArgumentException if {@code name} is already declared
     * @throws NullPointerException if {@code description} is null
     */
    public Builder event(String name, String description, JsonNode examplePayload) {
      return add(name, description, examplePayload, EventTypeState.ACTIVE);
    }

    /**
     * Declares a type that is not emitted yet ({@link EventTypeState#DECLARED}) but may already be
     * subscribed to. Arguments and exceptions as for {@link #event}.
     */
    public Builder declared(String name, String description, JsonNode examplePayload) {
      return add(name, description, examplePayload, EventTypeState.DECLARED);
    }

    private Builder add(
        String name, String description, JsonNode examplePayload, EventTypeState state) {
      EventType type = new EventType(name, description, examplePayload, state);
      if (types.containsKey(name)) {
        throw new IllegalArgumentException(
            "event type " + Echo.describe(name) + " is declared twice");
      }
      types.put(name, type);
      return this;
    }

    /**
     * The catalog of the types declared so far; the builder stays usable.
     *
     * @throws IllegalStateException if no type was declared
     */
    public EventCatalog build() {
      if (types.isEmpty()) {
        throw new IllegalStateException("no event type declared");
      }
      return new EventCatalog(this);
    }
  }
}

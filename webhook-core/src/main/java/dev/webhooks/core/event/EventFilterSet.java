package dev.webhooks.core.event;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The normalised filters of one subscription, with matching that costs one hash lookup per
 * segment of the event type, however many filters there are.
 *
 * <p>Normalisation keeps the first occurrence of each filter, in the given order, and drops what
 * another filter already covers: {@code *} absorbs everything else, {@code survey.*} absorbs
 * {@code survey.response.created} and {@code survey.response.*}. So {@code ["survey.response.*",
 * "lookup.completed", "survey.*", "lookup.completed"]} becomes {@code ["lookup.completed",
 * "survey.*"]}. Normalisation never changes which types match.
 *
 * <p>Instances are immutable and thread-safe. {@code equals} compares the normalised filters
 * regardless of order; {@code toString} is the wire form.
 *
 * <pre>{@code
 * EventFilterSet set = catalog.filters(List.of("lookup.completed", "survey.*"));
 * set.matches("survey.response.created");  // true
 * set.toWireForm();                         // ["lookup.completed", "survey.*"]
 * }</pre>
 *
 * <p>Use {@link EventCatalog#filters} for input from users: it also checks that each filter names
 * types of the catalog. {@link #of} only normalises.
 */
public final class EventFilterSet {
  private final List<EventFilter> filters;
  private final boolean all;
  private final Set<String> exact;
  private final Set<String> prefixes;

  private EventFilterSet(List<EventFilter> filters) {
    this.filters = List.copyOf(filters);
    boolean all = false;
    Set<String> exact = new HashSet<>();
    Set<String> prefixes = new HashSet<>();
    for (EventFilter filter : filters) {
      switch (filter.kind()) {
        case ALL:
          all = true;
          break;
        case EXACT:
          exact.add(filter.value());
          break;
        case PREFIX:
          prefixes.add(filter.value());
          break;
        default:
          throw new AssertionError(filter.kind());
      }
    }
    this.all = all;
    this.exact = Set.copyOf(exact);
    this.prefixes = Set.copyOf(prefixes);
  }

  /**
   * Normalises {@code filters} (see the class description) into a set.
   *
   * @throws NullPointerException if {@code filters} or one of its elements is null
   * @throws IllegalArgumentException if {@code filters} is empty: a subscription has at least one
   *     filter
   */
  public static EventFilterSet of(Collection<EventFilter> filters) {
    requireNonNull(filters, "filters == null");
    if (filters.isEmpty()) {
      throw new IllegalArgumentException("filters is empty: a subscription needs at least one");
    }
    Set<EventFilter> distinct = new LinkedHashSet<>();
    Set<String> prefixes = new HashSet<>();
    for (EventFilter filter : filters) {
      requireNonNull(filter, "filters contains null");
      if (filter.kind() == EventFilter.Kind.ALL) {
        return new EventFilterSet(List.of(EventFilter.ALL));
      }
      distinct.add(filter);
      if (filter.kind() == EventFilter.Kind.PREFIX) {
        prefixes.add(filter.value());
      }
    }
    List<EventFilter> kept = new ArrayList<>(distinct.size());
    for (EventFilter filter : distinct) {
      // An exact name or a prefix is redundant when a strictly shorter prefix covers it.
      if (!coveredByPrefix(filter.value(), prefixes)) {
        kept.add(filter);
      }
    }
    return new EventFilterSet(kept);
  }

  /** Whether some proper dot-prefix of {@code name} (e.g. "a" or "a.b" of "a.b.c") is listed. */
  private static boolean coveredByPrefix(String name, Set<String> prefixes) {
    for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
      if (prefixes.contains(name.substring(0, dot))) {
        return true;
      }
    }
    return false;
  }

  /** The normalised filters, in the order of their first occurrence; unmodifiable, never empty. */
  public List<EventFilter> filters() {
    return filters;
  }

  /** The filters' wire forms, e.g. {@code ["lookup.completed", "survey.*"]}; unmodifiable. */
  public List<String> toWireForm() {
    List<String> wire = new ArrayList<>(filters.size());
    for (EventFilter filter : filters) {
      wire.add(filter.toString());
    }
    return Collections.unmodifiableList(wire);
  }

  /**
   * Whether any filter of this set matches {@code eventType}. Costs one hash lookup for the exact
   * name and one per dot-prefix of {@code eventType}, independent of the number of filters.
   *
   * @throws NullPointerException if {@code eventType} is null
   */
  public boolean matches(String eventType) {
    requireNonNull(eventType, "eventType == null");
    if (all || exact.contains(eventType)) {
      return true;
    }
    if (prefixes.isEmpty()) {
      return false;
    }
    // A prefix p matches when eventType is p + "." + something non-empty.
    int last = eventType.length() - 1;
    for (int dot = eventType.indexOf('.'); dot >= 0 && dot < last;
        dot = eventType.indexOf('.', dot + 1)) {
      if (prefixes.contains(eventType.substring(0, dot))) {
        return true;
      }
    }
    return false;
  }

  /** Whether this set is {@code ["*"]}: every event type, present and future. */
  public boolean matchesAll() {
    return all;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof EventFilterSet
        && ((EventFilterSet) other).all == all
        && ((EventFilterSet) other).exact.equals(exact)
        && ((EventFilterSet) other).prefixes.equals(prefixes);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Boolean.hashCode(all) + exact.hashCode()) + prefixes.hashCode();
  }

  /** The wire form, e.g. {@code [lookup.completed, survey.*]}. */
  @Override
  public String toString() {
    return toWireForm().toString();
  }
}

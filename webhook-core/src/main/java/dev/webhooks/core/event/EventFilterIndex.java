package dev.webhooks.core.event;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The fan-out index: which of many subscriptions want an event type. Each key (a subscription id,
 * say) has one {@link EventFilterSet}; {@link #match} answers with one hash lookup for the exact
 * type, one per dot-prefix of it, and the {@code *} subscribers, never a scan of all keys.
 *
 * <p>Thread-safe: {@link #put}, {@link #remove} and {@link #match} may be called concurrently.
 * Each update is atomic: a concurrent {@code match} sees a key's filters either wholly before or
 * wholly after a {@code put} replaces them. Matches run in parallel with one another; updates take
 * an exclusive lock for a time proportional to the number of filters involved.
 *
 * <pre>{@code
 * EventFilterIndex<UUID> index = new EventFilterIndex<>();
 * index.put(auditId, catalog.filters(List.of("*")));
 * index.put(crmId, catalog.filters(List.of("survey.*", "lookup.completed")));
 * index.match("survey.response.created");  // [auditId, crmId]
 * index.remove(crmId);
 * }</pre>
 *
 * @param <K> the key type; it must have consistent {@code equals} and {@code hashCode}
 */
public final class EventFilterIndex<K> {
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  // All guarded by lock. Key sets are never empty: an emptied set is removed from its map.
  private final Map<K, EventFilterSet> byKey = new HashMap<>();
  private final Set<K> all = new HashSet<>();
  private final Map<String, Set<K>> exact = new HashMap<>();
  private final Map<String, Set<K>> prefix = new HashMap<>();

  /** An empty index. */
  public EventFilterIndex() {}

  /**
   * Sets the filters of {@code key}, replacing any it had, atomically.
   *
   * @throws NullPointerException if {@code key} or {@code filters} is null
   */
  public void put(K key, EventFilterSet filters) {
    requireNonNull(key, "key == null");
    requireNonNull(filters, "filters == null");
    lock.writeLock().lock();
    try {
      EventFilterSet previous = byKey.put(key, filters);
      if (previous != null) {
        unindex(key, previous);
      }
      for (EventFilter filter : filters.filters()) {
        switch (filter.kind()) {
          case ALL:
            all.add(key);
            break;
          case EXACT:
            exact.computeIfAbsent(filter.value(), v -> new HashSet<>()).add(key);
            break;
          case PREFIX:
            prefix.computeIfAbsent(filter.value(), v -> new HashSet<>()).add(key);
            break;
          default:
            throw new AssertionError(filter.kind());
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Removes {@code key} and its filters; does nothing if it is absent.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public void remove(K key) {
    requireNonNull(key, "key == null");
    lock.writeLock().lock();
    try {
      EventFilterSet previous = byKey.remove(key);
      if (previous != null) {
        unindex(key, previous);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void unindex(K key, EventFilterSet filters) {
    for (EventFilter filter : filters.filters()) {
      switch (filter.kind()) {
        case ALL:
          all.remove(key);
          break;
        case EXACT:
          removeFrom(exact, filter.value(), key);
          break;
        case PREFIX:
          removeFrom(prefix, filter.value(), key);
          break;
        default:
          throw new AssertionError(filter.kind());
      }
    }
  }

  private static <K> void removeFrom(Map<String, Set<K>> map, String value, K key) {
    Set<K> keys = map.get(value);
    if (keys != null && keys.remove(key) && keys.isEmpty()) {
      map.remove(value);
    }
  }

  /**
   * The keys whose filters match {@code eventType}: the {@code *} subscribers, those of the exact
   * name, and those of each prefix of it ({@code survey} and {@code survey.response} for {@code
   * survey.response.created}). Costs time proportional to the number of segments of {@code
   * eventType} plus the size of the answer.
   *
   * @return a new unmodifiable set, empty when nobody matches
   * @throws NullPointerException if {@code eventType} is null
   */
  public Set<K> match(String eventType) {
    requireNonNull(eventType, "eventType == null");
    lock.readLock().lock();
    try {
      Set<K> matched = new HashSet<>(all);
      Set<K> keys = exact.get(eventType);
      if (keys != null) {
        matched.addAll(keys);
      }
      if (!prefix.isEmpty()) {
        // As in EventFilterSet.matches: a prefix p matches p + "." + something non-empty.
        int last = eventType.length() - 1;
        for (int dot = eventType.indexOf('.'); dot >= 0 && dot < last;
            dot = eventType.indexOf('.', dot + 1)) {
          keys = prefix.get(eventType.substring(0, dot));
          if (keys != null) {
            matched.addAll(keys);
          }
        }
      }
      return matched.isEmpty() ? Set.of() : Collections.unmodifiableSet(matched);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The number of keys. */
  public int size() {
    lock.readLock().lock();
    try {
      return byKey.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** {@code EventFilterIndex{size=3}}; never the keys. */
  @Override
  public String toString() {
    return "EventFilterIndex{size=" + size() + '}';
  }
}

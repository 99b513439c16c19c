package dev.webhooks.sender;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a listing: its items in order, its 1-based number and size, and whether a next page
 * exists. No total count: it would cost a full count on large tables. Immutable.
 *
 * <pre>{@code
 * Page<Subscription> first = sender.subscriptions().list(tenant, PageRequest.first());
 * if (first.hasMore()) { … list(tenant, first.next()) … }
 * }</pre>
 */
public record Page<T>(List<T> items, PageRequest request, boolean hasMore) {
  public Page {
    items = List.copyOf(requireNonNull(items, "items == null"));
    requireNonNull(request, "request == null");
    if (items.size() > request.perPage()) {
      throw new IllegalArgumentException("more items than the page size");
    }
  }

  /** The request for the following page. */
  public PageRequest next() {
    return new PageRequest(request.page() + 1, request.perPage());
  }

  /** This page with its items mapped. */
  public <R> Page<R> map(Function<? super T, ? extends R> mapper) {
    return new Page<>(items.stream().<R>map(mapper).toList(), request, hasMore);
  }
}

package dev.webhooks.benchmarks;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.secret.WebhookSecret;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.store.SigningSecret;
import dev.webhooks.sender.store.StoredSubscription;
import dev.webhooks.sender.store.WebhookStore;
import java.net.URI;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The subscriptions of the publish and memory figures: {@code total} subscriptions over {@code
 * tenants} tenants, one of which (the big tenant) has {@code big} subscriptions that all match
 * {@link #FAN_OUT_TYPE}; the others share the rest evenly. In each other tenant exactly one
 * subscription matches {@link #SINGLE_TYPE}, and every one matches {@link #FAN_OUT_TYPE}, so a
 * tenant of ten subscriptions fans it out to ten. Filters mix the three kinds ({@code *}, {@code
 * order.*}, exact names), so that fan-out exercises every lookup of the index and of the filter
 * table. URLs are https on public-looking hosts: nothing is delivered from these.
 */
final class Population {
  static final String FAN_OUT_TYPE = "order.created";
  static final String SINGLE_TYPE = "customer.deleted";
  static final String BIG_TENANT = "tenant-big";

  final int total;
  final int tenants;
  final int big;
  private final int base;
  private final int extra;
  private final EventCatalog catalog = catalog();

  Population(int total, int tenants, int big) {
    this.total = total;
    this.tenants = tenants;
    this.big = big;
    int regular = tenants - 1;
    this.base = (total - big) / regular;
    this.extra = (total - big) % regular;
    if (base < 1 || base > 10 || (base < 10 && extra == 0)) {
      throw new IllegalArgumentException("no tenant of ten subscriptions in this layout");
    }
  }

  /** The event types of the figures. */
  static EventCatalog catalog() {
    EventCatalog.Builder b = EventCatalog.builder();
    for (String t : new String[] {"order.created", "order.paid", "customer.deleted", "invoice.paid", "invoice.voided"}) {
      b.event(t, "", JsonNodeFactory.instance.objectNode());
    }
    return b.build();
  }

  static String tenant(int r) {
    return "tenant-" + r;
  }

  /** The number of subscriptions of regular tenant {@code r}. */
  int size(int r) {
    return base + (r < extra ? 1 : 0);
  }

  /** The regular tenants with exactly ten subscriptions: {@link #FAN_OUT_TYPE} fans out to ten there. */
  List<String> tenantsOfTen() {
    List<String> out = new ArrayList<>();
    for (int r = 0; r < tenants - 1; r++) {
      if (size(r) == 10) {
        out.add(tenant(r));
      }
    }
    return out;
  }

  /** Every subscription of the big tenant, then of regular tenants {@code 0 … tenants-2}, in that order. */
  void forEach(Instant now, Consumer<StoredSubscription> sink) {
    forBig(now, sink);
    forRegular(0, tenants - 1, now, sink);
  }

  void forBig(Instant now, Consumer<StoredSubscription> sink) {
    forOneTenant(BIG_TENANT, big, k -> URI.create("https://hooks.big-customer.example.net/in/" + k), now, sink);
  }

  /** {@code n} subscriptions of {@code tenant}, every one matching {@link #FAN_OUT_TYPE} (by {@code *}, prefix or name). */
  void forOneTenant(String tenant, int n, IntFunction<URI> url, Instant now, Consumer<StoredSubscription> sink) {
    for (int k = 0; k < n; k++) {
      List<String> filters = k % 3 == 0 ? List.of("*") : k % 3 == 1 ? List.of("order.*")
          : List.of("order.created", "order.paid");
      sink.accept(subscription(tenant, url.apply(k), filters, now));
    }
  }

  void forRegular(int from, int to, Instant now, Consumer<StoredSubscription> sink) {
    for (int r = from; r < to; r++) {
      for (int j = 0; j < size(r); j++) {
        List<String> filters = j == 0 ? List.of("order.created", "customer.deleted")
            : j % 2 == 1 ? List.of("order.*") : List.of("order.created", "invoice.paid");
        sink.accept(subscription(tenant(r), URI.create("https://api.customer" + r + ".example.net/webhooks/" + j),
            filters, now));
      }
    }
  }

  /** A subscription as {@code SubscriptionService.create} makes it: enabled, one new secret. */
  StoredSubscription subscription(String tenant, URI url, List<String> filters, Instant now) {
    Instant at = now.truncatedTo(ChronoUnit.MICROS);
    Subscription s = Subscription.builder().id(UUID.randomUUID()).tenantId(tenant).url(url)
        .filters(catalog.filters(filters)).createdAt(at).updatedAt(at).secretLastRotatedAt(at).build();
    return new StoredSubscription(s, List.of(SigningSecret.current(WebhookSecret.generate().encoded())));
  }

  /** Creates every subscription through {@code store.createSubscription}, from {@code threads} threads. */
  void createAll(WebhookStore store, int threads) throws Exception {
    Instant now = Instant.now();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> work = new ArrayList<>();
      work.add(pool.submit(() -> forBig(now, store::createSubscription)));
      int regular = tenants - 1;
      int step = (regular + threads - 1) / threads;
      for (int from = 0; from < regular; from += step) {
        int f = from;
        int t = Math.min(regular, from + step);
        work.add(pool.submit(() -> forRegular(f, t, now, store::createSubscription)));
      }
      for (Future<?> w : work) {
        w.get();
      }
    } finally {
      pool.shutdown();
    }
  }
}

package dev.webhooks.sender;

import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.WebhookStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** What the fault-injection tests of this package share: the loopback policy, the delivery log read whole, waiting. */
final class Faults {
  static final UrlPolicy LOOPBACK = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build();
  static final int MIB = 1 << 20;

  private Faults() {}

  /** Every delivery of the tenant, page after page. */
  static List<DeliveryRecord> allDeliveries(WebhookStore store, String tenant) {
    List<DeliveryRecord> all = new ArrayList<>();
    PageRequest page = new PageRequest(1, PageRequest.MAX_PER_PAGE);
    while (true) {
      Page<DeliveryRecord> p = store.listDeliveries(tenant, DeliveryQuery.builder().page(page).build());
      all.addAll(p.items());
      if (!p.hasMore()) {
        return all;
      }
      page = p.next();
    }
  }

  /** The tenant's deliveries recorded delivered. */
  static int delivered(WebhookStore store, String tenant) {
    int n = 0;
    for (DeliveryRecord d : allDeliveries(store, tenant)) {
      if (d.status() == DeliveryStatus.DELIVERED) {
        n++;
      }
    }
    return n;
  }

  /** Checks {@code condition} every 10 ms until it holds or {@code max} has passed; whether it held. */
  static boolean awaitUntil(Duration max, BooleanSupplier condition) {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        return condition.getAsBoolean();
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
    }
    return true;
  }

  /** Heap in use now (after a {@code System.gc()}, what is still reachable). */
  static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}

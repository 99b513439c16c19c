package dev.webhooks.sender.store.jdbc;

import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.DeliveryListener;
import dev.webhooks.sender.RetryPolicy;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What every sender node of the multi-node and crash tests shares, in the test JVM and in the
 * child JVMs alike: the same catalog, URL policy and tuning. Nodes differ only in their store,
 * clock and listener.
 */
final class SenderNodes {
  static final String TYPE = "order.created";
  static final UrlPolicy LOOPBACK = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build();
  /** The per-attempt timeout; the lease is the shortest the sender allows with it (4 × timeout + 10 s). */
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final Duration LEASE = Duration.ofSeconds(18);
  /** Connections per node: its workers, the claiming loop, a publisher and the notification listener. */
  static final int POOL_SIZE = 12;

  private SenderNodes() {}

  static EventCatalog catalog() {
    return EventCatalog.builder().event(TYPE, "An order was placed", null).build();
  }

  /**
   * A sender on {@code store} with the shared settings: polls every 50 ms, retries after 50 ms,
   * 100 ms, … (a refused attempt is retried quickly), 8 workers, and no circuit breaker (a refusal
   * now and then must not pause an endpoint for 30 s).
   */
  static WebhookSender.Builder sender(JdbcWebhookStore store) {
    return WebhookSender.builder()
        .catalog(catalog())
        .store(store)
        .urlPolicy(LOOPBACK)
        .timeout(TIMEOUT)
        .lease(LEASE)
        .pollInterval(Duration.ofMillis(50))
        .workers(8)
        .closeGrace(Duration.ofSeconds(10))
        .circuitBreaker(Integer.MAX_VALUE, Duration.ofSeconds(1))
        .retryPolicy(RetryPolicy.schedule(List.of(Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1600),
            Duration.ofMillis(3200), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))));
  }

  /** The tenant event {@code n} of a multi-node run goes to. */
  static String tenant(int n, int tenants) {
    return "tenant-" + (n % tenants);
  }

  /** Counts what one node did, from its listener. */
  static final class Counts implements DeliveryListener {
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger delivered = new AtomicInteger();

    @Override
    public void onAttempt(DeliveryRecord delivery, AttemptRecord attempt) {
      attempts.incrementAndGet();
    }

    @Override
    public void onDelivered(DeliveryRecord delivery) {
      delivered.incrementAndGet();
    }

    @Override
    public String toString() {
      return "delivered=" + delivered + " attempts=" + attempts;
    }
  }

  /**
   * Checks {@code condition} every 10 ms until it holds or {@code max} has passed; no fixed sleep.
   *
   * @return whether it held
   */
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
}

package dev.webhooks.sender.store.jdbc;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.sender.DeliveryListener;
import dev.webhooks.sender.RetryPolicy;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The sender of {@link SustainedLoadTest}, in a JVM of its own with a 256 MiB heap: a started
 * sender on a PostgreSQL store (notifications on, the builder's default circuit breaker) with
 * {@code tenants × perTenant} subscriptions to {@code <base>/r/<i>}, which publishes
 * {@code publishes} events at an even pace over {@code publishSeconds} (each fans out to the
 * tenant's {@code perTenant} subscriptions), and meanwhile samples its heap every
 * {@code sampleSeconds}: {@code System.gc()}, then the heap in use.
 *
 * <p>Arguments: JDBC URL, receiver base URL, tenants, perTenant, publishes, publishSeconds,
 * sampleSeconds. Prints {@code started}, then {@code heap t=<s> used=<bytes> published=<n>
 * delivered=<n> attempts=<n>} lines, {@code published=<n> seconds=<s>} when the burst is out, and
 * after a {@code stop} line (or the end of stdin) closes gracefully and prints
 * {@code summary delivered=<n> attempts=<n> givenUp=<n>}; exit code 0, or 1 on any error.
 */
public final class SustainedLoadMain {
  private SustainedLoadMain() {}

  /** The retry schedule: 11 attempts within about a minute, then the delivery is given up. */
  static final RetryPolicy RETRIES = RetryPolicy.schedule(List.of(Duration.ofMillis(100), Duration.ofMillis(500),
      Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8),
      Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(8)));

  public static void main(String[] args) {
    try {
      run(args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]),
          Integer.parseInt(args[5]), Integer.parseInt(args[6]));
    } catch (Throwable e) {
      e.printStackTrace(System.out);
      System.out.flush();
      System.exit(1);
    }
    System.exit(0);
  }

  /** What the listener counted. */
  static final class Counts implements DeliveryListener {
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicInteger delivered = new AtomicInteger();
    final AtomicInteger givenUp = new AtomicInteger();

    @Override
    public void onAttempt(DeliveryRecord delivery, AttemptRecord attempt) {
      attempts.incrementAndGet();
    }

    @Override
    public void onDelivered(DeliveryRecord delivery) {
      delivered.incrementAndGet();
    }

    @Override
    public void onGivenUp(DeliveryRecord delivery) {
      givenUp.incrementAndGet();
    }
  }

  private static void run(String url, String base, int tenants, int perTenant, int publishes, int publishSeconds,
      int sampleSeconds) throws IOException, InterruptedException {
    Counts counts = new Counts();
    AtomicInteger published = new AtomicInteger();
    AtomicBoolean sampling = new AtomicBoolean(true);
    try (PooledTestDataSource pool = new PooledTestDataSource(url, 16);
        JdbcWebhookStore store = JdbcWebhookStore.builder(pool).listenForNotifications(true).build()) {
      WebhookSender sender = WebhookSender.builder()
          .catalog(SenderNodes.catalog())
          .store(store)
          .urlPolicy(SenderNodes.LOOPBACK)
          .timeout(SenderNodes.TIMEOUT)
          .lease(SenderNodes.LEASE)
          .pollInterval(Duration.ofMillis(50))
          .closeGrace(Duration.ofSeconds(10))
          .retryPolicy(RETRIES)
          .listener(counts)
          .build();
      for (int t = 0; t < tenants; t++) {
        for (int j = 0; j < perTenant; j++) {
          sender.subscriptions().create(tenant(t), SubscriptionSpec.builder().url(base + "/r/" + (t * perTenant + j))
              .events("*").build());
        }
      }
      sender.start();
      long start = System.nanoTime();
      Thread sampler = new Thread(() -> {
        for (long next = start; sampling.get(); ) {
          Runtime r = Runtime.getRuntime();
          System.gc();
          System.out.printf("heap t=%.1f used=%d published=%d delivered=%d attempts=%d%n", (System.nanoTime() - start) / 1e9,
              r.totalMemory() - r.freeMemory(), published.get(), counts.delivered.get(), counts.attempts.get());
          next += TimeUnit.SECONDS.toNanos(sampleSeconds);
          while (sampling.get() && System.nanoTime() - next < 0) {
            LockSupport.parkNanos(Math.min(next - System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(100)));
          }
        }
      }, "heap-sampler");
      sampler.start();
      System.out.println("started");

      long interval = TimeUnit.SECONDS.toNanos(publishSeconds) / publishes;
      for (int n = 0; n < publishes; n++) {
        long due = start + n * interval;
        while (System.nanoTime() - due < 0) {
          LockSupport.parkNanos(due - System.nanoTime());
        }
        sender.publish(tenant(n % tenants), SenderNodes.TYPE, Map.of("n", n));
        published.incrementAndGet();
      }
      System.out.printf("published=%d seconds=%.1f%n", published.get(), (System.nanoTime() - start) / 1e9);

      BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, UTF_8));
      for (String line = stdin.readLine(); line != null && !line.equals("stop"); line = stdin.readLine()) {
        System.out.println("ignored command: " + line);
      }
      sampling.set(false);
      sampler.join();
      sender.close();
      System.out.printf("summary delivered=%d attempts=%d givenUp=%d%n", counts.delivered.get(), counts.attempts.get(),
          counts.givenUp.get());
    }
  }

  static String tenant(int t) {
    return "tenant-" + t;
  }
}

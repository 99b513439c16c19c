package dev.webhooks.sender.store.jdbc;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges finished deliveries, their attempts and the events nothing refers to any more, in
 * batches, each its own short transaction: on demand, or on a schedule when a retention age is
 * configured.
 */
final class Retention implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Retention.class);

  private final Transactions transactions;
  private final int batchSize;
  private final ScheduledExecutorService scheduler;
  private volatile boolean closed;

  /** With {@code age}, purges what is older every {@code interval} on a daemon thread; without, on demand only. */
  Retention(Transactions transactions, int batchSize, Clock clock, Duration age, Duration interval) {
    this.transactions = transactions;
    this.batchSize = batchSize;
    if (age == null) {
      scheduler = null;
      return;
    }
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "webhooks-retention");
      t.setDaemon(true);
      return t;
    });
    long every = interval.toMillis();
    scheduler.scheduleWithFixedDelay(() -> purgeQuietly(clock, age), every, every, TimeUnit.MILLISECONDS);
  }

  /** See {@link JdbcWebhookStore#purgeFinishedBefore}. */
  JdbcWebhookStore.Purged purgeFinishedBefore(Instant cutoff) {
    requireNonNull(cutoff, "cutoff == null");
    long deliveries = 0;
    long events = 0;
    int n;
    do {
      n = transactions.run("purge deliveries", c -> {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM webhook_delivery WHERE id IN (SELECT id FROM "
            + "webhook_delivery WHERE created_at < ? AND status <> 'pending' ORDER BY created_at LIMIT ?)")) {
          Rows.timestamp(p, 1, cutoff);
          p.setInt(2, batchSize);
          return p.executeUpdate();
        }
      });
      deliveries += n;
    } while (n == batchSize && !closed);
    do {
      n = transactions.run("purge events", c -> {
        try (PreparedStatement p = c.prepareStatement("DELETE FROM webhook_event WHERE id IN (SELECT e.id FROM "
            + "webhook_event e WHERE e.created_at < ? AND NOT EXISTS (SELECT 1 FROM webhook_delivery d "
            + "WHERE d.event_id = e.id) ORDER BY e.created_at LIMIT ?)")) {
          Rows.timestamp(p, 1, cutoff);
          p.setInt(2, batchSize);
          return p.executeUpdate();
        }
      });
      events += n;
    } while (n == batchSize && !closed);
    return new JdbcWebhookStore.Purged(deliveries, events);
  }

  private void purgeQuietly(Clock clock, Duration age) {
    try {
      JdbcWebhookStore.Purged p = purgeFinishedBefore(clock.instant().minus(age));
      if (p.deliveries() > 0 || p.events() > 0) {
        log.info("webhooks retention: purged {} deliveries and {} events older than {}", p.deliveries(), p.events(),
            age);
      }
    } catch (RuntimeException e) {
      log.warn("webhooks retention: purge failed; trying again at the next interval", e);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
  }
}

package dev.webhooks.benchmarks;

import dev.webhooks.sender.store.InMemoryWebhookStore;
import dev.webhooks.sender.store.WebhookStore;
import dev.webhooks.sender.store.jdbc.JdbcWebhookStore;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;

/**
 * Issue 6, section 4: the end-to-end throughput run with 10% of the endpoints (2 of {@value
 * DeliveryRig#ENDPOINTS}) hanging: they read each request and never answer, until the sender's
 * timeout ({@link #TIMEOUT}, in both runs) ends the attempt. The figure is the throughput to the
 * 18 other endpoints over their throughput in the all-healthy run: both runs publish the same
 * events (the same number to each endpoint), and both count the deliveries to those 18 and the
 * time to the last of them. (Counting all 20 in the all-healthy run would cap the ratio at 0.9
 * whenever delivery keeps pace with publishing, as on PostgreSQL: the same time for a tenth fewer
 * deliveries.) Each run has a new store and a new sender warmed up on healthy endpoints, the
 * builder's defaults otherwise (circuit breaker: 5 failures, 30 s).
 */
final class IsolationSection {
  static final Duration TIMEOUT = Duration.ofSeconds(1);
  /** Tenant 0's order.created and tenant 2's invoice.paid endpoints. */
  static final int[] HANGING = {0, 13};

  private IsolationSection() {}

  /** Opens a new store for one run. */
  private interface Stores {
    Opened open() throws Exception;
  }

  /** A store and what closes it. */
  private record Opened(WebhookStore store, Closer closer) implements AutoCloseable {
    @Override
    public void close() throws SQLException, IOException {
      closer.close();
    }
  }

  private interface Closer {
    void close() throws SQLException, IOException;
  }

  static void run(Report report, boolean quick) throws Exception {
    int warmup = quick ? 1_000 : 4_000;
    int events = quick ? 4_000 : 30_000;
    // Quick: PostgreSQL delivers some 600-900/s on the slower machine of 2026-11-28.
    int jdbcWarmup = quick ? 300 : 2_000;
    int jdbcEvents = quick ? 1_000 : 10_000;
    try (BenchReceiver receiver = BenchReceiver.start(DeliveryRig.ENDPOINTS)) {
      measure(report, "in-memory", receiver, warmup, events, () -> new Opened(new InMemoryWebhookStore(), () -> {}));
      measure(report, "PostgreSQL", receiver, jdbcWarmup, jdbcEvents, () -> {
        BenchDatabases.Db db = BenchDatabases.postgres(EndToEndSection.POOL);
        JdbcWebhookStore store = JdbcWebhookStore.builder(db.pool).listenForNotifications(true).build();
        return new Opened(store, () -> {
          store.close();
          db.close();
        });
      });
    }
  }

  private static void measure(Report report, String name, BenchReceiver receiver, int warmup, int events,
      Stores stores) throws Exception {
    boolean[] healthy = DeliveryRig.all();
    for (int h : HANGING) {
      healthy[h] = false;
    }
    // All healthy and isolated in turn, twice, and the better run of each: the runs grow faster
    // as the JVM and the database warm up (on PostgreSQL the first measured run was 40% slower
    // than the third), so a single run of each would compare a colder run with a warmer one.
    DeliveryRig.Run all = null;
    DeliveryRig.Run isolated = null;
    int hung = 0;
    for (int round = 0; round < 2; round++) {
      try (Opened opened = stores.open();
          DeliveryRig rig = new DeliveryRig(name, opened.store(), receiver, TIMEOUT)) {
        rig.warmUp(warmup);
        DeliveryRig.Run r = rig.concurrent(events, healthy, 600); // all answer; the same 18 counted
        all = all == null || r.perSecond() > all.perSecond() ? r : all;
      }
      int hungBefore = receiver.hungRequests();
      try (Opened opened = stores.open();
          DeliveryRig rig = new DeliveryRig(name, opened.store(), receiver, TIMEOUT)) {
        rig.warmUp(warmup);
        receiver.hang(HANGING);
        DeliveryRig.Run r;
        try {
          r = rig.concurrent(events, healthy, 600);
        } finally {
          receiver.hang();
          receiver.releaseHeld();
        }
        isolated = isolated == null || r.perSecond() > isolated.perSecond() ? r : isolated;
      }
      hung = Math.max(hung, receiver.hungRequests() - hungBefore);
    }
    // What the workers the hanging endpoints hold (4 each, the per-subscription cap) cost by
    // themselves: the all-healthy run with that many workers fewer.
    int fewer = DeliveryRig.WORKERS - 4 * HANGING.length;
    DeliveryRig.Run fewerWorkers;
    try (Opened opened = stores.open();
        DeliveryRig rig = new DeliveryRig(name, opened.store(), receiver, TIMEOUT, null, fewer)) {
      rig.warmUp(warmup);
      fewerWorkers = rig.concurrent(events, healthy, 600);
    }
    report.add("isolation", String.format(Locale.ROOT, "isolation %s: all %d endpoints healthy, %,d events, timeout %d s: to the %d counted (%,d; the better of two runs)",
        name, DeliveryRig.ENDPOINTS, events, TIMEOUT.toSeconds(), DeliveryRig.ENDPOINTS - HANGING.length, all.delivered()), all.perSecond(), "deliveries/s");
    report.add("isolation", String.format(Locale.ROOT,
        "isolation %s: %d of %d endpoints hanging until the timeout: to the %d others (%,d; the better of two runs)", name,
        HANGING.length, DeliveryRig.ENDPOINTS, DeliveryRig.ENDPOINTS - HANGING.length, isolated.delivered()),
        isolated.perSecond(), "deliveries/s")
        .limit("all healthy", isolated.perSecond() / all.perSecond())
        .target("≥ 0.9× all healthy", isolated.perSecond() >= 0.9 * all.perSecond());
    report.add("isolation", String.format(Locale.ROOT, "isolation %s: all healthy, %d workers instead of %d: to the same %d",
        name, fewer, DeliveryRig.WORKERS, DeliveryRig.ENDPOINTS - HANGING.length), fewerWorkers.perSecond(), "deliveries/s")
        .limit("all healthy", fewerWorkers.perSecond() / all.perSecond());
    report.add("isolation", String.format(Locale.ROOT,
        "isolation %s: requests the hanging endpoints received in a run (the more of two; of %,d events to them)", name,
        events / DeliveryRig.ENDPOINTS * HANGING.length), hung, "requests");
    report.add("isolation", String.format(Locale.ROOT, "isolation %s: longest pause between two arrivals at the %d, all healthy",
        name, DeliveryRig.ENDPOINTS - HANGING.length), all.longestGapNanos() / 1e6, "ms");
    report.add("isolation", String.format(Locale.ROOT, "isolation %s: longest pause between two arrivals at the "
        + "healthy endpoints, %d hanging", name, HANGING.length), isolated.longestGapNanos() / 1e6, "ms");
  }
}

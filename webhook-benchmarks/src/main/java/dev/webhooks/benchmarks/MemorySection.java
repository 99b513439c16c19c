package dev.webhooks.benchmarks;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.event.Envelope;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.DeliveryListener;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.ClaimedDelivery;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.sender.store.InMemoryWebhookStore;
import dev.webhooks.sender.store.jdbc.JdbcWebhookStore;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 6, section 5: heap per pending delivery with the in-memory store, and heap with a large
 * backlog of pending deliveries in PostgreSQL, which must stay flat (the backlog lives in the
 * database).
 *
 * <p>Method: used heap (MemoryMXBean) after explicit full collections, repeated until two readings
 * agree within 256 KiB, before and after the deliveries exist; the difference over their number.
 * "Beyond the payload": the payload's byte array is subtracted, once for a fan-out (its
 * deliveries share one copy), once per event for distinct events.
 */
final class MemorySection {
  static final long KIB = 1024;
  static final long MIB = 1024 * KIB;
  /** Flat: the PostgreSQL backlog may grow the heap by less than this, whatever its size. */
  static final long FLAT = 32 * MIB;

  private MemorySection() {}

  static void run(Report report, boolean quick) throws Exception {
    inMemoryFanOut(report, 100_000);
    inMemoryDistinctEvents(report, 100_000);
    postgresBacklog(report, quick ? 100_000 : 1_000_000, quick ? 5 : 15);
  }

  /** Data whose envelope is about 1 KiB. */
  private static ObjectNode data(int i) {
    ObjectNode o = PublishSection.data(i);
    o.put("note", "x".repeat(800));
    return o;
  }

  /** The heap a byte array of {@code n} bytes takes (16-byte header, 8-byte alignment). */
  private static long arrayBytes(int n) {
    return (16 + n + 7) / 8 * 8;
  }

  private static int envelopeBytes(int i) {
    return Envelope.of("msg_2Rk1vYkQGyoR5K7hWcCXzO5ZrFz", Population.FAN_OUT_TYPE, Instant.now(), data(i)).toJson().length;
  }

  private static void inMemoryFanOut(Report report, int n) throws Exception {
    Population population = new Population(100_000, 10_000, 10_000);
    InMemoryWebhookStore store = new InMemoryWebhookStore();
    Instant now = Instant.now();
    population.forOneTenant("tenant-wide", n, k -> URI.create("https://hooks.wide.example.net/in/" + k), now,
        store::createSubscription);
    WebhookSender sender = WebhookSender.builder().catalog(Population.catalog()).store(store).build();
    long before = usedAfterGc();
    long t = System.nanoTime();
    int count = sender.publish("tenant-wide", Population.FAN_OUT_TYPE, data(0)).deliveries();
    double ms = (System.nanoTime() - t) / 1e6;
    if (count != n) {
      throw new IllegalStateException(count + " deliveries");
    }
    long after = usedAfterGc();
    double perDelivery = (double) (after - before - arrayBytes(envelopeBytes(0))) / n;
    report.add("memory", String.format(Locale.ROOT, "in-memory: heap per pending delivery, 1 event × %,d subscriptions "
        + "(beyond the 1 KiB payload, shared)", n), perDelivery, "B")
        .target("< 1 KiB", perDelivery < 1024);
    report.add("memory", String.format(Locale.ROOT, "in-memory: that publish (fan-out %,d) took", n), ms, "ms");

    // The same deliveries once each was claimed and failed once: each has its own record now.
    Instant at = Instant.now();
    int failed = 0;
    List<ClaimedDelivery> batch;
    while (!(batch = store.claimDue(at, 1_000, Duration.ofMinutes(5), Set.of())).isEmpty()) {
      for (ClaimedDelivery c : batch) {
        store.recordAttempt(c, new AttemptRecord(c.delivery().id(), 1, at, Duration.ofMillis(3), 0, "",
            Optional.of("connection refused")), DeliveryStatus.PENDING, at.plus(Duration.ofHours(1)));
        failed++;
      }
    }
    if (failed != n) {
      throw new IllegalStateException(failed + " failed");
    }
    long retried = usedAfterGc();
    perDelivery = (double) (retried - before - arrayBytes(envelopeBytes(0))) / n;
    report.add("memory", String.format(Locale.ROOT, "in-memory: same, each after one failed attempt "
        + "(its record and attempt kept)"), perDelivery, "B")
        .target("< 1 KiB", perDelivery < 1024);
    Reference.reachabilityFence(sender);
    Reference.reachabilityFence(store);
  }

  private static void inMemoryDistinctEvents(Report report, int n) throws Exception {
    Population population = new Population(100_000, 10_000, 10_000);
    InMemoryWebhookStore store = new InMemoryWebhookStore();
    population.forOneTenant("tenant-one", 1, k -> URI.create("https://hooks.one.example.net/in"), Instant.now(),
        store::createSubscription);
    WebhookSender sender = WebhookSender.builder().catalog(Population.catalog()).store(store).build();
    List<ObjectNode> data = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      data.add(data(i));
    }
    long payloads = 0;
    for (int i = 0; i < 100; i++) {
      payloads += arrayBytes(envelopeBytes(i));
    }
    long before = usedAfterGc();
    for (int i = 0; i < n; i++) {
      sender.publish("tenant-one", Population.FAN_OUT_TYPE, data.get(i % 100));
    }
    long after = usedAfterGc();
    double perDelivery = (double) (after - before) / n - payloads / 100.0;
    report.add("memory", String.format(Locale.ROOT, "in-memory: heap per pending delivery, %,d events × 1 subscription "
        + "(beyond each 1 KiB payload)", n), perDelivery, "B")
        .target("< 1 KiB", perDelivery < 1024);
    Reference.reachabilityFence(sender);
    Reference.reachabilityFence(store);
  }

  private static void postgresBacklog(Report report, int backlog, int workSeconds) throws Exception {
    int fanOut = 10_000;
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: every attempt is refused at once
    }
    String where = String.format(Locale.ROOT, "PostgreSQL, %,d pending%s", backlog,
        backlog < 1_000_000 ? " (quick: not 1,000,000)" : "");
    try (BenchDatabases.Db db = BenchDatabases.postgres(12)) {
      JdbcWebhookStore store = JdbcWebhookStore.create(db.pool);
      try {
        Population population = new Population(100_000, 10_000, 10_000);
        BulkSubscriptions.checkSameRows(store, db.pool, population.subscription("tenant-probe",
            URI.create("https://probe.example.net/in"), List.of("*"), Instant.now()));
        int p = port;
        try (BulkSubscriptions bulk = new BulkSubscriptions(db.pool)) {
          population.forOneTenant("tenant-backlog", fanOut, k -> URI.create("http://127.0.0.1:" + p + "/hook/" + k),
              Instant.now(), bulk);
        }
        AtomicLong attempts = new AtomicLong();
        WebhookSender sender = WebhookSender.builder().catalog(Population.catalog()).store(store)
            .urlPolicy(UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build())
            .listener(new DeliveryListener() {
              @Override
              public void onAttempt(DeliveryRecord delivery, AttemptRecord attempt) {
                attempts.incrementAndGet();
              }
            })
            .build();
        boolean closed = false;
        try {
          long before = usedAfterGc();
          long t = System.nanoTime();
          long written = 0;
          for (int i = 0; written < backlog; i++) {
            written += sender.publish("tenant-backlog", Population.FAN_OUT_TYPE, PublishSection.data(i)).deliveries();
          }
          double seconds = (System.nanoTime() - t) / 1e9;
          long idle = usedAfterGc();
          sender.start();
          long working = 0;
          long end = System.nanoTime() + workSeconds * 1_000_000_000L;
          while (System.nanoTime() < end) {
            Thread.sleep(Math.min(2_000, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            working = Math.max(working, usedAfterGc());
          }
          long tried = attempts.get();
          sender.close();
          closed = true;
          report.add("memory", String.format(Locale.ROOT, "%s: written by %,d publishes of a fan-out to %,d",
              where, written / fanOut, fanOut), seconds, "s");
          report.add("memory", where + ": heap before the backlog (sender built, 10,000 subscriptions)",
              before / (double) MIB, "MiB");
          double idleGrowth = (idle - before) / (double) MIB;
          report.add("memory", where + ": heap growth with the backlog, sender idle", idleGrowth, "MiB")
              .target("flat: < 32 MiB", idle - before < FLAT);
          double workGrowth = (working - before) / (double) MIB;
          report.add("memory", String.format(Locale.ROOT, "%s: heap growth while the started sender works on it "
              + "(max of samples; %,d attempts in %d s, each refused)", where, tried, workSeconds), workGrowth, "MiB")
              .target("flat: < 32 MiB", working - before < FLAT);
          if (tried == 0) {
            throw new IllegalStateException("the sender made no attempt");
          }
        } finally {
          if (!closed) {
            sender.close();
          }
        }
      } finally {
        store.close();
      }
    }
  }

  /** Used heap after full collections, repeated until two readings agree within 256 KiB. */
  static long usedAfterGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 8; i++) {
      System.gc();
      Thread.sleep(20);
      long used = memory.getHeapMemoryUsage().getUsed();
      if (Math.abs(used - previous) < 256 * KIB) {
        return used;
      }
      previous = used;
    }
    return previous;
  }
}

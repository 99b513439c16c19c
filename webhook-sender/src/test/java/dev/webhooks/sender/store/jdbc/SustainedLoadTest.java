package dev.webhooks.sender.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Fault 5 of the reliability suite, in the long part ({@code mvn -Plong verify}): a sustained load.
 * A sender in a child JVM with a 256 MiB heap ({@link SustainedLoadMain}) on PostgreSQL publishes
 * {@value #PUBLISHES} events at an even pace over {@value #PUBLISH_SECONDS} s, each to the ten
 * subscriptions of one of ten tenants: {@value #DELIVERIES} deliveries to 100 loopback endpoints, of
 * which two (2%) answer 500 to everything. Meanwhile the child samples its heap after a full GC
 * every {@value #SAMPLE_SECONDS} s.
 *
 * <p>It proves: every delivery to a healthy endpoint is delivered and recorded (lost: 0), each
 * pair accepted twice explained by an attempt whose outcome was not learnt; the heap in use after
 * GC is flat over the run (the mean of the last three samples is within {@value #HEAP_MARGIN_MIB}
 * MiB or 25% of the mean of the first three after warm-up); the failing endpoints' deliveries are
 * all accounted for: given up after their retry budget, or still pending behind the circuit
 * breaker, none delivered. It prints every sample and what happened to the failing endpoints.
 */
@Tag("long")
class SustainedLoadTest {
  static final int TENANTS = 10;
  static final int PER_TENANT = 10;
  static final int PUBLISHES = 20_000;
  static final int DELIVERIES = PUBLISHES * PER_TENANT;
  /** 1,000 deliveries/s: about 0.6 of what the PostgreSQL store delivered end to end on this machine. */
  static final int PUBLISH_SECONDS = 200;
  static final int SAMPLE_SECONDS = 10;
  /** Endpoints 3 and 58 (of tenants 0 and 5) answer 500 to everything. */
  static final Set<Integer> FAILING = Set.of(3, 58);
  static final int HEALTHY_DELIVERIES = DELIVERIES - FAILING.size() * PUBLISHES / TENANTS;
  /** Samples taken before this are warm-up: classes loaded, pools filled, JIT. */
  static final double WARM_UP_SECONDS = 20;
  static final int HEAP_MARGIN_MIB = 8;
  /**
   * How long after publishing ends the healthy deliveries may take to arrive. On a quiet 2-core
   * machine they keep pace with publishing (0 s); the margin is for a machine busy with other work
   * (a run beside another process's CPU-bound JVM drained 103,568 of 196,000 in 120 s, and one CI
   * run, at 1,333 deliveries/s, had 92,987 within 300 s). The runs of 2026-11-28 that fell behind
   * (by 6.7 s and 107 s, and a CI run that failed at 430/s) had another cause, a plan cached on the
   * young table ({@code Rows.checked}), which {@link #MAX_INDEX_READS_PER_DELIVERY} catches
   * whatever the machine's speed.
   */
  static final Duration DRAIN = Duration.ofSeconds(240);
  /**
   * Index entries read on {@code webhook_delivery} per delivery over the run, at most: 9.8 when
   * claims walk the due index and outcomes find their rows by primary key; 1,627 when outcomes read
   * all their subscription's deliveries through a plan cached on the young table (both measured on
   * 2026-11-28; that run also fell 240 s behind).
   */
  static final int MAX_INDEX_READS_PER_DELIVERY = 100;

  UrlDataSource database;
  final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    if (database != null) {
      TestDatabases.dropPostgresSchema(database);
    }
  }

  <T extends AutoCloseable> T closeLater(T resource) {
    resources.add(resource);
    return resource;
  }

  static int endpoint(String path) {
    return Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
  }

  @Test
  void twoHundredThousandDeliveries_twoPercentOfEndpointsFailing_heapFlat_noneLost() throws Exception {
    database = TestDatabases.postgres();
    String before = surroundings(database);
    CountingReceiver receiver = closeLater(CountingReceiver.start(Duration.ZERO,
        (path, id, arrival) -> FAILING.contains(endpoint(path)) ? 500 : 200));
    String base = receiver.url(0).substring(0, receiver.url(0).length() - "/r/0".length());
    ChildJvm child = closeLater(ChildJvm.start("sustained-load", SustainedLoadMain.class, database.url(), base,
        String.valueOf(TENANTS), String.valueOf(PER_TENANT), String.valueOf(PUBLISHES),
        String.valueOf(PUBLISH_SECONDS), String.valueOf(SAMPLE_SECONDS)));
    child.awaitLine(Duration.ofSeconds(60), "started"::equals);
    long start = System.nanoTime();
    long[] cpuAtStart = cpuTicks();
    String published = child.awaitLine(Duration.ofSeconds(PUBLISH_SECONDS * 2L),
        l -> l.startsWith("published="));
    long publishedAt = System.nanoTime();
    long[] cpuAtPublished = cpuTicks();
    String during = surroundings(database) + "; " + cpuBetween("publishing", cpuAtStart, cpuAtPublished);
    boolean all = SenderNodes.awaitUntil(DRAIN, () -> receiver.acceptedPairs() >= HEALTHY_DELIVERIES);
    long allReceived = System.nanoTime();
    during += "; " + cpuBetween("the wait after it", cpuAtPublished, cpuTicks());
    child.send("stop");
    assertEquals(0, child.awaitExit(Duration.ofSeconds(60)), child::output);
    String summary = child.awaitLine(Duration.ZERO, l -> l.startsWith("summary "));
    double indexReadsPerDelivery = indexEntriesRead(database) / (double) DELIVERIES;

    // The heap samples: t, used bytes; and the pace: deliveries published and delivered at each.
    List<double[]> samples = new ArrayList<>();
    StringBuilder pace = new StringBuilder();
    for (String line : child.lines()) {
      if (line.startsWith("heap ")) {
        samples.add(new double[] {Double.parseDouble(field(line, "t")), Double.parseDouble(field(line, "used"))});
        pace.append(String.format(" %.0fs:%d/%s", Double.parseDouble(field(line, "t")),
            Integer.parseInt(field(line, "published")) * PER_TENANT, field(line, "delivered")));
      }
    }
    List<double[]> steady = samples.stream().filter(s -> s[0] >= WARM_UP_SECONDS).toList();

    // The database's account, healthy and failing endpoints apart.
    int healthy = 0;
    int healthyNotDelivered = 0;
    int unexplained = 0;
    int unrecorded = 0;
    int attemptsHealthy = 0;
    Map<String, Integer> failing = new TreeMap<>();
    int failingAttempts = 0;
    String firstProblem = null;
    try (Connection c = database.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT d.event_id, s.url, d.status, d.attempt_count FROM webhook_delivery d "
            + "JOIN webhook_subscription s ON s.id = d.subscription_id")) {
      while (r.next()) {
        String path = URI.create(r.getString(2)).getPath();
        String pair = CountingReceiver.pair(path, r.getString(1));
        String status = r.getString(3);
        int attempts = r.getInt(4);
        if (FAILING.contains(endpoint(path))) {
          failing.merge(status, 1, Integer::sum);
          failingAttempts += attempts;
          continue;
        }
        healthy++;
        attemptsHealthy += attempts;
        if (!status.equals("delivered")) {
          healthyNotDelivered++;
          firstProblem = firstProblem != null ? firstProblem : pair + " is " + status;
        }
        int lostOutcomes = Math.max(0, receiver.received(pair) - attempts);
        unrecorded += lostOutcomes;
        if (receiver.accepted(pair) - 1 > lostOutcomes) {
          unexplained++;
          firstProblem = firstProblem != null ? firstProblem
              : pair + " accepted " + receiver.accepted(pair) + " times, " + attempts + " attempts recorded";
        }
      }
    }
    int failingRequests = 0;
    for (String pair : receiver.receivedPairs()) {
      if (FAILING.contains(endpoint(pair.substring(0, pair.indexOf(' '))))) {
        failingRequests += receiver.received(pair);
      }
    }

    StringBuilder heap = new StringBuilder();
    for (double[] s : samples) {
      heap.append(String.format(" %.0fs:%.1f", s[0], s[1] / (1 << 20)));
    }
    double first = mean(steady.subList(0, Math.min(3, steady.size())));
    double last = mean(steady.subList(Math.max(0, steady.size() - 3), steady.size()));
    double seconds = (allReceived - start) / 1e9;
    System.out.printf("SustainedLoadTest: events=%d deliveries=%d healthy=%d delivered=%d lost=%d duplicated=%d "
            + "requests=%d attemptsToHealthy=%d requestsWithoutRecordedOutcome=%d; failing endpoints %s: %s, %d attempts "
            + "recorded, %d requests received; child %s; %s; published in %.1f s, healthy all received %.1f s later "
            + "(%.0f deliveries/s overall); heap after GC (MiB, -Xmx256m) first %.1f last %.1f:%s; "
            + "deliveries published/delivered:%s%n",
        PUBLISHES, healthy + failing.values().stream().mapToInt(Integer::intValue).sum(), healthy,
        healthy - healthyNotDelivered, HEALTHY_DELIVERIES - receiver.acceptedPairs(), receiver.duplicates(),
        receiver.requests(), attemptsHealthy, unrecorded, FAILING, failing, failingAttempts, failingRequests, summary,
        published, (publishedAt - start) / 1e9, (allReceived - publishedAt) / 1e9, HEALTHY_DELIVERIES / seconds,
        first / (1 << 20), last / (1 << 20), heap, pace);
    System.out.println("SustainedLoadTest: before the run: " + before + "; at the end of publishing: " + during);
    System.out.printf("SustainedLoadTest: index entries read on webhook_delivery per delivery: %.1f%n",
        indexReadsPerDelivery);

    assertTrue(all, "healthy deliveries accepted: " + receiver.acceptedPairs() + " of " + HEALTHY_DELIVERIES
        + " within " + DRAIN + " of the end of publishing; deliveries published/delivered by the child's clock:" + pace
        + "; before the run: " + before + "; at the end of publishing: " + during);
    assertTrue(indexReadsPerDelivery <= MAX_INDEX_READS_PER_DELIVERY, String.format("index entries read on "
        + "webhook_delivery per delivery: %.1f (pg_stat_user_indexes); the deliveries' pace:%s", indexReadsPerDelivery, pace));
    assertEquals(HEALTHY_DELIVERIES, healthy, "deliveries to healthy endpoints");
    assertEquals(0, healthyNotDelivered, firstProblem);
    assertEquals(0, unexplained, firstProblem);
    assertEquals(0, receiver.overlaps(), () -> "one delivery attempted twice at once: " + receiver.firstOverlap());
    assertEquals(DELIVERIES - HEALTHY_DELIVERIES, failing.values().stream().mapToInt(Integer::intValue).sum(),
        "deliveries to the failing endpoints");
    assertEquals(null, failing.get("delivered"), "a failing endpoint's delivery recorded delivered");
    assertTrue(steady.size() >= 6, "heap samples after warm-up: " + steady.size());
    assertTrue(last <= first + Math.max(HEAP_MARGIN_MIB * (double) (1 << 20), first * 0.25),
        String.format("heap after GC grew from %.1f MiB to %.1f MiB", first / (1 << 20), last / (1 << 20)));
  }

  /** Index entries read on {@code webhook_delivery} since the schema was made, over all its indexes. */
  static long indexEntriesRead(UrlDataSource database) throws SQLException {
    try (Connection c = database.getConnection(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT COALESCE(SUM(idx_tup_read), 0) FROM pg_stat_user_indexes "
            + "WHERE schemaname = current_schema() AND relname = 'webhook_delivery'")) {
      r.next();
      return r.getLong(1);
    }
  }

  /**
   * For a slow run's message: the machine's load, the other JVMs on it, and the database's other
   * sessions (a transaction held open keeps dead rows visible to every scan).
   */
  static String surroundings(UrlDataSource database) {
    StringBuilder s = new StringBuilder();
    try {
      s.append("load average ").append(Files.readString(Path.of("/proc/loadavg")).trim());
    } catch (IOException | RuntimeException e) {
      s.append("load average unknown");
    }
    long self = ProcessHandle.current().pid();
    List<String> jvms = ProcessHandle.allProcesses()
        .filter(h -> h.pid() != self && h.parent().map(p -> p.pid() != self).orElse(true))
        .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .map(h -> h.pid() + " (CPU " + h.info().totalCpuDuration().map(Duration::toSeconds).orElse(-1L) + " s)")
        .toList();
    s.append("; other JVMs ").append(jvms);
    try (Connection c = database.getConnection(); Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT count(*), "
            + "COALESCE(max(EXTRACT(EPOCH FROM now() - xact_start)), 0), COALESCE(max(age(backend_xmin)), 0), "
            + "count(*) FILTER (WHERE state LIKE 'idle in transaction%') FROM pg_stat_activity "
            + "WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'")) {
      r.next();
      s.append(String.format("; other database sessions %d, oldest transaction %.1f s, oldest snapshot %d "
          + "transactions old, idle in transaction %d", r.getInt(1), r.getDouble(2), r.getLong(3), r.getInt(4)));
    } catch (SQLException e) {
      s.append("; database sessions unknown: ").append(e.getMessage());
    }
    return s.toString();
  }

  /**
   * The machine's CPU time so far, in ticks ({@code /proc/stat}): user, nice, system, idle, iowait,
   * irq, softirq, steal; null where there is no such file.
   */
  static long[] cpuTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long[] ticks = new long[8];
      for (int i = 0; i < ticks.length; i++) {
        ticks[i] = Long.parseLong(f[i + 1]);
      }
      return ticks;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Where the machine's CPU time went between two {@link #cpuTicks} readings: a starved machine
   * shows steal, a waiting disk iowait, a sender stuck on something else idle time.
   */
  static String cpuBetween(String what, long[] from, long[] to) {
    long total = 0;
    long[] d = new long[8];
    for (int i = 0; from != null && to != null && i < d.length; i++) {
      d[i] = to[i] - from[i];
      total += d[i];
    }
    if (total <= 0) {
      return "CPU during " + what + " unknown";
    }
    return String.format("CPU during %s: user %.0f%%, system %.0f%%, iowait %.0f%%, steal %.0f%%, idle %.0f%%", what,
        100.0 * (d[0] + d[1]) / total, 100.0 * (d[2] + d[5] + d[6]) / total, 100.0 * d[4] / total,
        100.0 * d[7] / total, 100.0 * d[3] / total);
  }

  static double mean(List<double[]> samples) {
    return samples.stream().mapToDouble(s -> s[1]).average().orElse(Double.NaN);
  }

  /** The value of {@code name=value} in a line of space-separated fields. */
  static String field(String line, String name) {
    for (String f : line.split(" ")) {
      if (f.startsWith(name + "=")) {
        return f.substring(name.length() + 1);
      }
    }
    throw new IllegalArgumentException("no " + name + " in " + line);
  }
}

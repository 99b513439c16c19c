package dev.webhooks.benchmarks;

import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.store.WebhookStore;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A started {@link WebhookSender} on one store, delivering to a {@link BenchReceiver}: {@value
 * #TENANTS} tenants with one subscription for each of the catalog's {@value #TYPES_PER_TENANT}
 * event types, i.e. {@value #ENDPOINTS} endpoints, each subscribed to exactly one type, so that every
 * event has exactly one delivery. Event {@code i} goes to endpoint {@code i % ENDPOINTS}. The
 * sender keeps the builder's defaults ({@value #WORKERS} workers, batches of 100, at most 4 attempts
 * in flight per subscription: 20 × 4 = 80 ≥ 32, so the per-endpoint cap never binds) except for
 * the URL policy (loopback over plain HTTP allowed) and the timeout.
 */
final class DeliveryRig implements AutoCloseable {
  static final int TENANTS = 4;
  static final List<String> TYPES = List.of("order.created", "order.paid", "customer.deleted", "invoice.paid",
      "invoice.voided");
  static final int TYPES_PER_TENANT = 5;
  static final int ENDPOINTS = TENANTS * TYPES_PER_TENANT;
  /** The builder's default, stated: the raw client gets as many threads. */
  static final int WORKERS = 32;
  /** Threads publishing at once, as in the publish section. */
  static final int PUBLISHERS = 4;
  static final UrlPolicy LOOPBACK = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build();

  final String name;
  private final WebhookStore store;
  private final BenchReceiver receiver;
  private final Duration timeout;
  private final AtomicInteger seq = new AtomicInteger();
  private final OkHttpClient httpClient;
  private final int workers;
  private WebhookSender sender;

  /** Creates the subscriptions through a new sender on {@code store}, and starts it. */
  DeliveryRig(String name, WebhookStore store, BenchReceiver receiver, Duration timeout) {
    this(name, store, receiver, timeout, null, WORKERS);
  }

  /** The same, the sender given {@code httpClient} (null: its own new client) and {@code workers}. */
  DeliveryRig(String name, WebhookStore store, BenchReceiver receiver, Duration timeout, OkHttpClient httpClient,
      int workers) {
    if (TYPES.size() != TYPES_PER_TENANT || receiver.endpoints != ENDPOINTS) {
      throw new AssertionError();
    }
    this.name = name;
    this.store = store;
    this.receiver = receiver;
    this.timeout = timeout;
    this.httpClient = httpClient;
    this.workers = workers;
    this.sender = newSender();
    for (int t = 0; t < TENANTS; t++) {
      for (int j = 0; j < TYPES_PER_TENANT; j++) {
        sender.subscriptions().create(tenant(t),
            SubscriptionSpec.builder().url(receiver.url(t * TYPES_PER_TENANT + j)).events(TYPES.get(j)).build());
      }
    }
    sender.start();
  }

  private WebhookSender newSender() {
    WebhookSender.Builder b = WebhookSender.builder().catalog(Population.catalog()).store(store).urlPolicy(LOOPBACK)
        .timeout(timeout).closeGrace(timeout.plusSeconds(2)).workers(workers);
    if (httpClient != null) {
      b.httpClient(httpClient);
    }
    return b.build();
  }

  static String tenant(int t) {
    return "tenant-e2e-" + t;
  }

  /** Publishes the next event; returns its sequence number's endpoint in {@code endpoint[0]}. */
  private PublishResult publishNext(int[] endpoint) {
    int i = seq.getAndIncrement();
    int e = Math.floorMod(i, ENDPOINTS);
    endpoint[0] = e;
    PublishResult r = sender.publish(tenant(e / TYPES_PER_TENANT), TYPES.get(e % TYPES_PER_TENANT),
        PublishSection.data(i));
    if (r.deliveries() != 1) {
      throw new IllegalStateException(name + ": " + r.deliveries() + " deliveries for one event");
    }
    return r;
  }

  /** At most this many warm-up rounds, however busy the JIT still is; set once by the suite. */
  static volatile int maxWarmupRounds = 10;

  /**
   * Warm-up: rounds of {@code events} as in {@link #concurrent}, until the JIT compiled for less
   * than 5% of a round's time (at most {@link #maxWarmupRounds}: 10, quick 2). On two cores the
   * compiler threads took a quarter of the CPU during the first rounds, and a run measured then
   * was half as fast as one measured later.
   */
  void warmUp(int events) throws Exception {
    for (int round = 0; round < maxWarmupRounds; round++) {
      long compiled = compileMillis();
      long t = System.nanoTime();
      Run run = concurrent(events, all(), 120);
      if (System.getenv("BENCH_WARMUP") != null) {
        System.out.printf(Locale.ROOT, "   warm-up %s round %d: %,.0f/s, JIT %d ms in %.0f ms (uptime %d ms)%n", name,
            round + 1, run.perSecond(), compileMillis() - compiled, (System.nanoTime() - t) / 1e6,
            java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
      }
      if (!jitBusy(compiled, System.nanoTime() - t)) {
        return;
      }
    }
  }

  /** The JIT's compile time so far, in ms (all compiler threads), or -1 if unknown. */
  static long compileMillis() {
    java.lang.management.CompilationMXBean jit = java.lang.management.ManagementFactory.getCompilationMXBean();
    return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
  }

  /** Whether the JIT compiled for 5% or more of {@code wallNanos} since it stood at {@code since} ms. */
  static boolean jitBusy(long since, long wallNanos) {
    return since >= 0 && (compileMillis() - since) * 1e6 >= 0.05 * wallNanos;
  }

  /** A throughput run's outcome. */
  record Run(int delivered, long publishNanos, long elapsedNanos, CpuSample.Split cpu, CpuSample.Split publishCpu,
      int connections, long longestGapNanos) {
    double perSecond() {
      return delivered / (elapsedNanos / 1e9);
    }

    double publishedPerSecond(int events) {
      return events / (publishNanos / 1e9);
    }
  }

  /**
   * {@code events} events (a multiple of {@link #ENDPOINTS}) published as fast as {@value
   * #PUBLISHERS} threads can while the sender delivers them; the clock runs from the first publish
   * to the last 2xx arrival of an event to an endpoint for which {@code counted} is true.
   */
  Run concurrent(int events, boolean[] counted, double maxSeconds) throws Exception {
    int expected = expected(events, counted);
    BenchReceiver.Arrivals arrivals = new BenchReceiver.Arrivals(expected, counted);
    receiver.tally(arrivals);
    Profile profile = Profile.start(name + "-" + events);
    receiver.connections();
    ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
    CpuSample.Split cpu;
    long start;
    long published;
    try {
      parallel(publishers, PUBLISHERS, PUBLISHERS, i -> {}); // the threads exist before the sample
      CpuSample before = CpuSample.take();
      start = System.nanoTime();
      parallel(publishers, PUBLISHERS, events, i -> publishNext(new int[1]));
      published = System.nanoTime() - start;
      if (!arrivals.await(maxSeconds)) {
        throw new IllegalStateException(String.format("%s: %,d of %,d deliveries arrived in %.0f s", name,
            arrivals.unique(), expected, maxSeconds));
      }
      CpuSample after = CpuSample.take();
      cpu = after == null ? null : after.since(before);
    } finally {
      publishers.shutdown();
    }
    profile.stop();
    receiver.tally(null);
    timeline(arrivals, start, published);
    return new Run(expected, published, arrivals.lastNanos() - start, cpu, null,
        receiver.connections(), arrivals.longestGap());
  }

  /**
   * A backlog of {@code events} published with the sender stopped (a new sender on the same store:
   * a stopped one cannot be started again), then delivered: the clock runs from {@code start()} to
   * the last arrival. {@code publishNanos} is the time the backlog took to publish.
   */
  Run drain(int events, double maxSeconds, Runnable beforeStart) throws Exception {
    sender.close();
    sender = newSender();
    BenchReceiver.Arrivals arrivals = new BenchReceiver.Arrivals(events);
    receiver.tally(arrivals);
    CpuSample beforePublish = CpuSample.take();
    long t = System.nanoTime();
    parallel(PUBLISHERS, events, i -> publishNext(new int[1]));
    long published = System.nanoTime() - t;
    beforeStart.run();
    CpuSample before = CpuSample.take();
    receiver.connections();
    long start = System.nanoTime();
    sender.start();
    if (!arrivals.await(maxSeconds)) {
      throw new IllegalStateException(String.format("%s: %,d of %,d backlog deliveries arrived in %.0f s", name,
          arrivals.unique(), events, maxSeconds));
    }
    CpuSample after = CpuSample.take();
    receiver.tally(null);
    return new Run(events, published, arrivals.lastNanos() - start, after == null ? null : after.since(before),
        before == null ? null : before.since(beforePublish), receiver.connections(), arrivals.longestGap());
  }

  /**
   * With the environment variable {@code BENCH_TIMELINE} set, prints a run's first arrivals per
   * 250 ms from its first publish: where a slower run loses its time.
   */
  private void timeline(BenchReceiver.Arrivals arrivals, long start, long publishNanos) {
    if (System.getenv("BENCH_TIMELINE") == null) {
      return;
    }
    long step = 250_000_000L;
    int[] buckets = new int[(int) ((arrivals.lastNanos() - start) / step) + 1];
    for (long t : arrivals.at.values()) {
      buckets[(int) Math.max(0, (t - start) / step)]++;
    }
    System.out.printf("   timeline %s (arrivals per 250 ms; publishing ended at %.2f s): %s%n", name,
        publishNanos / 1e9, Arrays.toString(buckets));
  }

  /** A paced run's publish-to-received latencies. */
  record Latency(int events, double p50Millis, double p99Millis, double maxMillis, double achievedRate,
      double worstLateMillis, CpuSample.Split cpu) {}

  /**
   * Publishes at {@code rate} events per second for {@code seconds} ({@value #PUBLISHERS} threads,
   * event {@code i} due at {@code i / rate} s) and measures, per event, the time from just before
   * its {@code publish} call to its arrival at the receiver.
   */
  Latency paced(double rate, double seconds, double maxWaitSeconds) throws Exception {
    int events = (int) Math.round(rate * seconds);
    BenchReceiver.Arrivals arrivals = new BenchReceiver.Arrivals(events);
    Map<String, Long> publishedAt = new ConcurrentHashMap<>(events * 2);
    AtomicLong worstLate = new AtomicLong();
    AtomicLong lastPublish = new AtomicLong();
    receiver.tally(arrivals);
    double interval = 1e9 / rate;
    CpuSample before = CpuSample.take();
    long t0 = System.nanoTime() + 10_000_000;
    ExecutorService pool = Executors.newFixedThreadPool(PUBLISHERS);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int k = 0; k < PUBLISHERS; k++) {
        int first = k;
        work.add(pool.submit(() -> {
          int[] endpoint = new int[1];
          for (int i = first; i < events; i += PUBLISHERS) {
            long due = t0 + (long) (i * interval);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
              LockSupport.parkNanos(wait);
            }
            long t = System.nanoTime();
            worstLate.accumulateAndGet(t - due, Math::max);
            PublishResult r = publishNext(endpoint);
            publishedAt.put(r.eventId(), t);
            lastPublish.accumulateAndGet(System.nanoTime(), Math::max);
          }
          return null;
        }));
      }
      for (Future<?> w : work) {
        w.get();
      }
    } finally {
      pool.shutdown();
    }
    if (!arrivals.await(maxWaitSeconds)) {
      throw new IllegalStateException(String.format("%s: %,d of %,d paced deliveries arrived", name,
          arrivals.unique(), events));
    }
    CpuSample after = CpuSample.take();
    receiver.tally(null);
    long[] nanos = new long[events];
    int n = 0;
    for (Map.Entry<String, Long> e : publishedAt.entrySet()) {
      nanos[n++] = arrivals.at.get(e.getKey()) - e.getValue();
    }
    Arrays.sort(nanos);
    double achieved = events / ((lastPublish.get() - t0) / 1e9);
    return new Latency(events, nanos[events / 2] / 1e6, nanos[(int) Math.ceil(events * 0.99) - 1] / 1e6,
        nanos[events - 1] / 1e6, achieved, worstLate.get() / 1e6, after == null ? null : after.since(before));
  }

  /** How many of {@code events} (a multiple of {@link #ENDPOINTS}) go to counted endpoints. */
  static int expected(int events, boolean[] counted) {
    if (events % ENDPOINTS != 0) {
      throw new IllegalArgumentException("events must be a multiple of " + ENDPOINTS);
    }
    int n = 0;
    for (boolean c : counted) {
      n += c ? events / ENDPOINTS : 0;
    }
    return n;
  }

  static boolean[] all() {
    boolean[] all = new boolean[ENDPOINTS];
    Arrays.fill(all, true);
    return all;
  }

  @FunctionalInterface
  interface Call {
    void run(int i) throws Exception;
  }

  /** Runs {@code call(0 … n-1)} on {@code threads} threads, each taking the next number. */
  static void parallel(int threads, int n, Call call) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      parallel(pool, threads, n, call);
    } finally {
      pool.shutdown();
    }
  }

  /**
   * The same on {@code pool}'s threads, left running: a CPU sample taken before the pool ends
   * counts their context switches (those of threads ended by then are lost to it).
   */
  static void parallel(ExecutorService pool, int threads, int n, Call call) throws Exception {
    {
      AtomicInteger next = new AtomicInteger();
      List<Future<?>> work = new ArrayList<>();
      for (int k = 0; k < threads; k++) {
        work.add(pool.submit(() -> {
          int i;
          while ((i = next.getAndIncrement()) < n) {
            call.run(i);
          }
          return null;
        }));
      }
      for (Future<?> w : work) {
        w.get();
      }
    }
  }

  /**
   * The limit: {@code requests} POSTs of the captured requests (the sender's own signed bodies and
   * headers, replayed round-robin to their paths) from {@code threads} threads through one plain
   * OkHttp client configured as the sender configures its own (a new client: default connection
   * pool; no redirects, no retries, the same timeout), and nothing else. Requests per second.
   */
  /** Connections the last {@link #rawOkHttp} measurement opened. */
  static volatile int rawConnections;
  /** Where the CPU went during the last {@link #rawOkHttp} measurement, or null. */
  static volatile CpuSample.Split rawCpu;

  static double rawOkHttp(BenchReceiver receiver, List<BenchReceiver.Captured> captured, int threads, int requests,
      Duration timeout) throws Exception {
    if (captured.isEmpty()) {
      throw new IllegalStateException("no captured requests to replay");
    }
    OkHttpClient client = new OkHttpClient.Builder().followRedirects(false).followSslRedirects(false)
        .retryOnConnectionFailure(false).connectTimeout(timeout).readTimeout(timeout).writeTimeout(timeout)
        .callTimeout(timeout).build();
    List<Request> prepared = new ArrayList<>();
    String base = receiver.base();
    for (BenchReceiver.Captured c : captured) {
      prepared.add(new Request.Builder().url(base + c.path()).headers(Headers.of(c.headers()))
          .post(RequestBody.create(c.body())).build());
    }
    receiver.tally(null);
    try {
      Call post = i -> {
        Request r = prepared.get(i % prepared.size());
        try (Response response = client.newCall(r).execute()) {
          response.body().bytes();
          if (response.code() != 200) {
            throw new IOException("raw POST answered " + response.code());
          }
        }
      };
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        for (int round = 0; round < maxWarmupRounds; round++) { // warm-up: as many again, until the JIT is done
          long compiled = compileMillis();
          long t = System.nanoTime();
          parallel(pool, threads, requests, post);
          if (!jitBusy(compiled, System.nanoTime() - t)) {
            break;
          }
        }
        receiver.connections();
        CpuSample before = CpuSample.take();
        long t = System.nanoTime();
        parallel(pool, threads, requests, post);
        double perSecond = requests / ((System.nanoTime() - t) / 1e9);
        CpuSample after = CpuSample.take();
        rawCpu = after == null ? null : after.since(before);
        rawConnections = receiver.connections();
        return perSecond;
      } finally {
        pool.shutdown();
      }
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
  }

  /**
   * With the environment variable {@code BENCH_JFR} naming a folder, a flight recording (JFR's
   * {@code profile} settings, execution samples every millisecond) of each throughput run, written
   * there as {@code e2e-LABEL-N.jfr}, N counting the recordings.
   */
  static final class Profile {
    private static final String DIR = System.getenv("BENCH_JFR");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private final jdk.jfr.Recording recording;
    private final String label;

    private Profile(jdk.jfr.Recording recording, String label) {
      this.recording = recording;
      this.label = label;
    }

    static Profile start(String label) throws IOException, java.text.ParseException {
      if (DIR == null || DIR.isEmpty()) {
        return new Profile(null, label);
      }
      jdk.jfr.Recording r = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"));
      // Runs last seconds: sample every millisecond instead of every 10 (or 20) for enough samples.
      r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
      r.start();
      return new Profile(r, label);
    }

    void stop() throws IOException {
      if (recording != null) {
        recording.stop();
        java.nio.file.Path file = java.nio.file.Path.of(DIR, "e2e-" + label.replaceAll("[^A-Za-z0-9-]", "") + "-"
            + SEQUENCE.incrementAndGet() + ".jfr");
        recording.dump(file);
        recording.close();
        System.out.println("   flight recording: " + file);
      }
    }
  }

  @Override
  public void close() {
    sender.close();
  }
}

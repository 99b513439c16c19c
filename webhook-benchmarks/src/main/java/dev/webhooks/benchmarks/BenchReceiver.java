package dev.webhooks.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiver of the end-to-end and isolation figures: the JDK's own {@link HttpServer} on
 * 127.0.0.1 with a fixed pool of {@value #THREADS} threads, in the benchmark's JVM. Endpoint
 * {@code k} is the path {@code /e/k}. A healthy endpoint reads the body and answers 200 with no
 * body; nothing is verified or parsed except the {@code webhook-id} header. The {@link
 * System#nanoTime()} at which each request reached the handler is handed to the current {@link
 * Tally}, so that publish-to-received latency is that time less the publish time.
 *
 * <p>A hanging endpoint reads the request and never answers: the exchange is parked, its thread
 * freed, until the sender's timeout closes the connection (or {@link #releaseHeld()}).
 */
final class BenchReceiver implements AutoCloseable {
  static final int THREADS = 8;

  /** Where arrivals go: each request answered 200 is handed over with its id and arrival time. */
  interface Tally {
    void arrived(int endpoint, String webhookId, long nanos);
  }

  /** Counts the first arrival of each id, until {@code expected} have arrived. */
  static final class Arrivals implements Tally {
    final Map<String, Long> at;
    final CountDownLatch all;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicLong last = new AtomicLong();

    /** Arrivals at endpoints for which {@code counted} is false are ignored; null counts all. */
    private final boolean[] counted;

    Arrivals(int expected) {
      this(expected, null);
    }

    Arrivals(int expected, boolean[] counted) {
      this.at = new ConcurrentHashMap<>(expected * 2);
      this.all = new CountDownLatch(expected);
      this.counted = counted;
    }

    @Override
    public void arrived(int endpoint, String webhookId, long nanos) {
      if (counted != null && !counted[endpoint]) {
        return;
      }
      requests.incrementAndGet();
      if (webhookId != null && at.putIfAbsent(webhookId, nanos) == null) {
        last.accumulateAndGet(nanos, Math::max);
        all.countDown();
      }
    }

    /** Waits for every expected arrival; false when {@code seconds} passed first. */
    boolean await(double seconds) throws InterruptedException {
      return all.await((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
    }

    long lastNanos() {
      return last.get();
    }

    int unique() {
      return at.size();
    }

    /** The longest time between two consecutive first arrivals, in ns. */
    long longestGap() {
      long[] t = at.values().stream().mapToLong(Long::longValue).sorted().toArray();
      long gap = 0;
      for (int i = 1; i < t.length; i++) {
        gap = Math.max(gap, t[i] - t[i - 1]);
      }
      return gap;
    }
  }

  /** One request as the sender sent it, to be sent again by the raw client. */
  record Captured(String path, Map<String, String> headers, byte[] body) {}

  private static final Tally NONE = (endpoint, id, nanos) -> {};
  private static final String[] CAPTURED_HEADERS = {"webhook-id", "webhook-timestamp", "webhook-signature",
      "content-type", "user-agent"};

  final int endpoints;
  private final HttpServer server;
  private final ExecutorService pool;
  private final boolean[] hanging;
  private volatile boolean anyHanging;
  private volatile Tally tally = NONE;
  private final Queue<HttpExchange> held = new ConcurrentLinkedQueue<>();
  private final AtomicInteger hung = new AtomicInteger();
  /** The client ports seen since {@link #connections()} was last called: one per connection. */
  private final java.util.Set<Integer> ports = ConcurrentHashMap.newKeySet();
  private volatile List<Captured> capture;
  private volatile int captureLimit;

  private BenchReceiver(int endpoints) throws IOException {
    this.endpoints = endpoints;
    this.hanging = new boolean[endpoints];
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 256);
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "bench-receiver-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(pool);
    server.createContext("/e/", this::handle);
  }

  static BenchReceiver start(int endpoints) throws IOException {
    BenchReceiver r = new BenchReceiver(endpoints);
    r.server.start();
    return r;
  }

  String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  static String path(int endpoint) {
    return "/e/" + endpoint;
  }

  String url(int endpoint) {
    return base() + path(endpoint);
  }

  /** From now on, requests answered 200 go to {@code t}. */
  void tally(Tally t) {
    this.tally = t == null ? NONE : t;
  }

  /** Endpoints that from now on never answer. */
  synchronized void hang(int... which) {
    java.util.Arrays.fill(hanging, false);
    for (int k : which) {
      hanging[k] = true;
    }
    anyHanging = which.length > 0;
  }

  /** Requests the hanging endpoints received. */
  int hungRequests() {
    return hung.get();
  }

  /** Connections (client ports) that sent requests since the last call. */
  int connections() {
    int n = ports.size();
    ports.clear();
    return n;
  }

  /** Keeps a copy of the next {@code limit} requests answered 200. */
  void capture(int limit) {
    this.captureLimit = limit;
    this.capture = java.util.Collections.synchronizedList(new ArrayList<>(limit));
  }

  List<Captured> captured() {
    List<Captured> c = capture;
    capture = null;
    return c == null ? List.of() : new ArrayList<>(c);
  }

  private void handle(HttpExchange ex) throws IOException {
    long now = System.nanoTime();
    ports.add(ex.getRemoteAddress().getPort());
    String p = ex.getRequestURI().getPath();
    int endpoint;
    try {
      endpoint = Integer.parseInt(p.substring(3));
    } catch (RuntimeException e) {
      endpoint = -1;
    }
    List<Captured> c = capture;
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = c != null ? in.readAllBytes() : null;
      if (body == null) {
        in.transferTo(java.io.OutputStream.nullOutputStream());
      }
    }
    if (endpoint < 0 || endpoint >= endpoints) {
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    if (anyHanging && hanging[endpoint]) {
      hung.incrementAndGet();
      held.add(ex); // never answered; the client's timeout closes the connection
      return;
    }
    String id = ex.getRequestHeaders().getFirst("webhook-id");
    ex.sendResponseHeaders(200, -1);
    ex.close();
    tally.arrived(endpoint, id, now);
    if (c != null && c.size() < captureLimit) {
      Map<String, String> headers = new LinkedHashMap<>();
      for (String h : CAPTURED_HEADERS) {
        String v = ex.getRequestHeaders().getFirst(h);
        if (v != null) {
          headers.put(h, v);
        }
      }
      c.add(new Captured(p, headers, body));
    }
  }

  /** Closes every parked exchange of the hanging endpoints. */
  void releaseHeld() {
    HttpExchange ex;
    while ((ex = held.poll()) != null) {
      try {
        ex.close();
      } catch (RuntimeException e) {
        // the client has gone already
      }
    }
  }

  @Override
  public void close() {
    releaseHeld();
    server.stop(0);
    pool.shutdownNow();
  }
}

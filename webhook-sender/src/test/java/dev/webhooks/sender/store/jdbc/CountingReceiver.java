package dev.webhooks.sender.store.jdbc;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A webhook receiver on 127.0.0.1 that counts, per pair ({@code path}, {@code webhook-id}): the
 * requests received, those answered 2xx, and overlaps, a request arriving while another of the
 * same pair is still being answered (the same delivery attempted twice at once). Endpoints are
 * {@code /r/0} to {@code /r/(n-1)}; the {@link Rule} picks each answer's status. Each request is
 * held for a moment before it is answered, so that two attempts of one delivery at once do
 * overlap here rather than slip past each other in microseconds. Thread-safe:
 * MockWebServer answers each connection on its own thread.
 */
final class CountingReceiver implements AutoCloseable {
  /** Picks the status of one answer; {@code arrival} is 1 for the pair's first request, 2 for its second… */
  @FunctionalInterface
  interface Rule {
    int status(String path, String webhookId, int arrival);
  }

  private final MockWebServer server = new MockWebServer();
  private final Rule rule;
  private final long holdNanos;
  private final Map<String, AtomicInteger> received = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger overlaps = new AtomicInteger();
  private final AtomicReference<String> firstOverlap = new AtomicReference<>();

  private CountingReceiver(Rule rule, Duration hold) {
    this.rule = rule;
    this.holdNanos = hold.toNanos();
  }

  /** Starts a receiver on an ephemeral port of 127.0.0.1 that holds each request for {@code hold}. */
  static CountingReceiver start(Duration hold, Rule rule) throws IOException {
    CountingReceiver receiver = new CountingReceiver(rule, hold);
    receiver.server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return receiver.answer(request);
      }
    });
    receiver.server.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    return receiver;
  }

  /** The pair key the counts are kept under. */
  static String pair(String path, String webhookId) {
    return path + " " + webhookId;
  }

  /** The path of endpoint {@code i}. */
  static String path(int i) {
    return "/r/" + i;
  }

  String url(int i) {
    return "http://127.0.0.1:" + server.getPort() + path(i);
  }

  private MockResponse answer(RecordedRequest request) {
    requests.incrementAndGet();
    String id = request.getHeaders().get("webhook-id");
    String key = pair(request.getTarget(), id);
    AtomicInteger current = inFlight.computeIfAbsent(key, k -> new AtomicInteger());
    try {
      if (current.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
        firstOverlap.compareAndSet(null, key);
      }
      LockSupport.parkNanos(holdNanos);
      int arrival = received.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      int status = id == null ? 400 : rule.status(request.getTarget(), id, arrival);
      if (status / 100 == 2) {
        accepted.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      }
      return new MockResponse.Builder().code(status).build();
    } finally {
      current.decrementAndGet();
    }
  }

  /** Requests received for the pair, whatever the answer. */
  int received(String pair) {
    AtomicInteger n = received.get(pair);
    return n == null ? 0 : n.get();
  }

  /** Requests of the pair answered 2xx. */
  int accepted(String pair) {
    AtomicInteger n = accepted.get(pair);
    return n == null ? 0 : n.get();
  }

  /** Pairs answered 2xx at least once. */
  int acceptedPairs() {
    return accepted.size();
  }

  /** Every pair that reached the receiver. */
  Set<String> receivedPairs() {
    return received.keySet();
  }

  /** Requests answered 2xx beyond the first, over all pairs. */
  int duplicates() {
    return accepted.values().stream().mapToInt(n -> n.get() - 1).sum();
  }

  int requests() {
    return requests.get();
  }

  /** Requests being answered right now. */
  int inFlight() {
    return inFlight.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  int overlaps() {
    return overlaps.get();
  }

  String firstOverlap() {
    return firstOverlap.get();
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}

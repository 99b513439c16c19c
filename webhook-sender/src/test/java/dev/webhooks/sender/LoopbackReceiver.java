package dev.webhooks.sender;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A webhook receiver on 127.0.0.1 serving {@code n} endpoints, {@code /r/0} to {@code /r/(n-1)},
 * each answered by one {@link Endpoint} rule that is given the endpoint's index. Thread-safe: the
 * rule is called on MockWebServer's connection threads, one per open connection, concurrently.
 *
 * <p>A MockWebServer with a custom {@link Dispatcher}, not the JDK's {@code HttpServer}: tests are
 * patched into the module {@code dev.webhooks.sender}, which does not read {@code jdk.httpserver}.
 *
 * <pre>{@code
 * try (LoopbackReceiver receiver = LoopbackReceiver.start(20, (i, request) -> LoopbackReceiver.OK)) {
 *   String url = receiver.url(3);   // http://127.0.0.1:<port>/r/3
 * }
 * }</pre>
 */
final class LoopbackReceiver implements AutoCloseable {
  static final MockResponse OK = answer(200);
  static final MockResponse SERVER_ERROR = answer(500);
  static final MockResponse BAD_REQUEST = answer(400);
  static final MockResponse NOT_FOUND = answer(404);

  /** Answers one request to one endpoint. May block (to hang an endpoint); must not throw. */
  @FunctionalInterface
  interface Endpoint {
    MockResponse answer(int endpoint, RecordedRequest request) throws InterruptedException;
  }

  private final MockWebServer server = new MockWebServer();
  private final int endpoints;
  private final AtomicInteger requests = new AtomicInteger();

  private LoopbackReceiver(int endpoints) {
    this.endpoints = endpoints;
  }

  /** Starts a receiver on an ephemeral port of 127.0.0.1. */
  static LoopbackReceiver start(int endpoints, Endpoint rule) throws IOException {
    requireNonNull(rule, "rule == null");
    LoopbackReceiver receiver = new LoopbackReceiver(endpoints);
    receiver.server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
        receiver.requests.incrementAndGet();
        int endpoint = receiver.endpointOf(request.getTarget());
        return endpoint < 0 ? NOT_FOUND : rule.answer(endpoint, request);
      }
    });
    receiver.server.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    return receiver;
  }

  /** The URL of endpoint {@code i}. */
  String url(int i) {
    return "http://127.0.0.1:" + server.getPort() + "/r/" + i;
  }

  /** Every request received so far, to any path. */
  int requestCount() {
    return requests.get();
  }

  /** The request's headers, names in lower case, as receivers hand them to a verifier. */
  static Map<String, List<String>> headers(RecordedRequest request) {
    return request.getHeaders().toMultimap();
  }

  /** The raw body, exactly as received. */
  static byte[] body(RecordedRequest request) {
    return request.getBody() == null ? new byte[0] : request.getBody().toByteArray();
  }

  /** The index in {@code /r/<index>}, or -1 for any other target. */
  private int endpointOf(String target) {
    if (target == null || !target.startsWith("/r/")) {
      return -1;
    }
    try {
      int i = Integer.parseInt(target.substring(3));
      return i >= 0 && i < endpoints ? i : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static MockResponse answer(int code) {
    return new MockResponse.Builder().code(code).build();
  }

  @Override
  public void close() {
    server.close();
  }
}

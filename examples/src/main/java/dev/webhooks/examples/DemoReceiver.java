package dev.webhooks.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.webhooks.core.signature.WebhookVerificationException;
import dev.webhooks.verifier.ReplayGuard;
import dev.webhooks.verifier.VerifiedWebhook;
import dev.webhooks.verifier.WebhookVerifier;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A customer's webhook receiver on 127.0.0.1, on the JDK's own HTTP server. Each endpoint (a path)
 * verifies every request with its subscription's secret, the way the README shows: a verification
 * failure is answered 400, a replay of an event already processed 200 (a duplicate), and a verified
 * event as the receiver's {@link Behaviour} says. When it answers an error after verifying, it
 * tells the verifier to forget the event so that the sender's retry is accepted.
 */
final class DemoReceiver implements AutoCloseable {
  /** How a receiver answers the events it verified. */
  enum Behaviour {
    HEALTHY("answers 204"),
    FLAKY("answers 503 + Retry-After: 1 to ~25% of first attempts, 500 to ~20% more and to some second ones"),
    GONE("answers 410 Gone: the customer removed this endpoint");

    final String description;

    Behaviour(String description) {
      this.description = description;
    }

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Behaviour behaviour;
  private final HttpServer server;
  private final ExecutorService executor;
  private final List<Endpoint> endpoints = new CopyOnWriteArrayList<>();

  private DemoReceiver(Behaviour behaviour, HttpServer server, ExecutorService executor) {
    this.behaviour = behaviour;
    this.server = server;
    this.executor = executor;
  }

  /** Starts a receiver on a free loopback port. */
  static DemoReceiver start(Behaviour behaviour) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "receiver-" + behaviour.label() + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    return new DemoReceiver(behaviour, server, executor);
  }

  Behaviour behaviour() {
    return behaviour;
  }

  /** {@code http://127.0.0.1:port} followed by {@code path}. */
  String url(String path) {
    return "http://" + server.getAddress().getAddress().getHostAddress() + ":" + server.getAddress().getPort() + path;
  }

  /** Serves {@code path}, verifying with {@code secret}: what a customer does with the secret shown once. */
  Endpoint endpoint(String path, String secret) {
    WebhookVerifier verifier = WebhookVerifier.builder().secret(secret).replayGuard(ReplayGuard.inMemory()).build();
    Endpoint endpoint = new Endpoint(this, path, verifier);
    server.createContext(path, endpoint::handle);
    endpoints.add(endpoint);
    return endpoint;
  }

  /**
   * For the serve mode: answers 204 to every request under {@code path}, without verifying it (the
   * secret of a webhook created through the API is known only to whoever created it), so that
   * such webhooks have somewhere to deliver to.
   */
  void acceptAll(String path) {
    server.createContext(path, exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(204, -1);
      }
    });
  }

  /** Requests received by every endpoint so far. */
  int requests() {
    return endpoints.stream().mapToInt(e -> e.requests.get()).sum();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** One endpoint's verifier and what it has seen. Thread-safe. */
  static final class Endpoint {
    private final DemoReceiver receiver;
    private final String path;
    private final WebhookVerifier verifier;
    private final Map<String, Integer> answered = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    /** Verified requests (signature, timestamp and id all good), duplicates excluded. */
    final AtomicInteger valid = new AtomicInteger();
    /** Requests that failed verification. */
    final AtomicInteger invalid = new AtomicInteger();
    /** Verified requests for an event already processed: answered 200 without processing it again. */
    final AtomicInteger duplicates = new AtomicInteger();
    /** Verified requests answered with an error on purpose (flaky or gone). */
    final AtomicInteger refused = new AtomicInteger();

    private Endpoint(DemoReceiver receiver, String path, WebhookVerifier verifier) {
      this.receiver = receiver;
      this.path = path;
      this.verifier = verifier;
    }

    DemoReceiver receiver() {
      return receiver;
    }

    String path() {
      return path;
    }

    private void handle(HttpExchange exchange) throws IOException {
      try {
        requests.incrementAndGet();
        byte[] body = exchange.getRequestBody().readAllBytes();
        VerifiedWebhook hook;
        try {
          hook = verifier.verify(exchange.getRequestHeaders(), body);
        } catch (WebhookVerificationException e) {
          if (e.reason() == WebhookVerificationException.Reason.REPLAYED) {
            duplicates.incrementAndGet();
            respond(exchange, 200, "already processed");
          } else {
            invalid.incrementAndGet();
            respond(exchange, 400, e.reason().name());
          }
          return;
        }
        valid.incrementAndGet();
        int seen = answered.merge(hook.id().orElse(""), 1, Integer::sum);
        int status = statusFor(hook.id().orElse(""), seen);
        if (status >= 300) {
          refused.incrementAndGet();
          verifier.forget(hook); // not processed: the sender's retry must be accepted
        }
        if (status == 503) {
          exchange.getResponseHeaders().set("Retry-After", "1");
        }
        respond(exchange, status, status == 204 ? "" : status == 410 ? "gone" : "temporarily unavailable");
      } finally {
        exchange.close();
      }
    }

    /** The answer to the {@code seen}-th verified request for event {@code id}. */
    private int statusFor(String id, int seen) {
      switch (receiver.behaviour) {
        case GONE:
          return 410;
        case FLAKY:
          int roll = Math.floorMod(id.hashCode(), 100);
          if (seen == 1 && roll < 25) {
            return 503;
          }
          return (seen == 1 && roll < 45) || (seen == 2 && roll >= 25 && roll < 32) ? 500 : 204;
        default:
          return 204;
      }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
      byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }
}

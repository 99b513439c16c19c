package dev.webhooks.examples;

import com.sun.net.httpserver.HttpServer;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.rest.ApiAuthenticator;
import dev.webhooks.sender.rest.ApiCaller;
import dev.webhooks.sender.rest.ApiPermission;
import dev.webhooks.sender.rest.WebhooksApi;
import dev.webhooks.sender.rest.WebhooksApiHttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's serve mode: the management REST API ({@link WebhooksApi}) over the demo's sender, on
 * the JDK's own HTTP server, with fixed API keys (one read-write key per tenant, one read-only),
 * and the OpenAPI document at {@code /openapi.json}. Bound when the demo starts, so that a port in
 * use is reported at once; served once the burst has settled.
 */
final class DemoApi implements AutoCloseable {
  /** The demo's API keys, each for one caller. Fixed, so that the README's curl session can be replayed. */
  static final Map<String, ApiCaller> KEYS = keys();

  private final HttpServer server;
  private final ExecutorService executor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private DemoApi(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  private static Map<String, ApiCaller> keys() {
    Map<String, ApiCaller> keys = new LinkedHashMap<>();
    for (String tenant : Demo.TENANTS) {
      keys.put("demo_" + tenant + "_rw", ApiCaller.of(tenant, ApiPermission.READ, ApiPermission.WRITE));
    }
    keys.put("demo_acme_ro", ApiCaller.of("acme", ApiPermission.READ));
    return Collections.unmodifiableMap(keys);
  }

  /** Binds {@code host:port} (0: any free port); serves nothing until {@link #serve}. */
  static DemoApi bind(String host, int port) throws IOException {
    // Before the JDK server's classes load: without it each kept-alive answer waits ~40 ms (Nagle).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 0);
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "demo-api-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    return new DemoApi(server, executor);
  }

  /** Mounts the API over {@code sender} and starts answering. */
  void serve(WebhookSender sender) {
    WebhooksApi api = WebhooksApi.builder(sender).authenticator(ApiAuthenticator.apiKeys(KEYS)).build();
    WebhooksApiHttpHandler.mount(server, api);
    byte[] document = WebhooksApi.openApiDocument();
    server.createContext("/openapi.json", exchange -> {
      try (exchange) {
        if (!exchange.getRequestMethod().equals("GET")) {
          exchange.getResponseHeaders().set("Allow", "GET");
          exchange.sendResponseHeaders(405, -1);
          return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, document.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(document);
        }
      }
    });
    server.start();
  }

  /** {@code http://host:port}, without a trailing slash. */
  URI base() {
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort());
  }

  /** Answers nothing any more; requests in progress are cut. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.stop(0);
      executor.shutdownNow();
    }
  }
}

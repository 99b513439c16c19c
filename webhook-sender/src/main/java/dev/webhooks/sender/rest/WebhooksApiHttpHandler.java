package dev.webhooks.sender.rest;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;

/**
 * Serves a {@link WebhooksApi} from the JDK's own {@code com.sun.net.httpserver.HttpServer}: no
 * web framework, no dependency. Request bodies are read only up to the API's cap; a larger one is
 * answered 413 without reading the rest. Needs the {@code jdk.httpserver} module (in every JDK;
 * add it to a jlinked runtime).
 *
 * <p>Start the JVM with {@code -Dsun.net.httpserver.nodelay=true}: without it the JDK server
 * leaves Nagle's algorithm on, and each answer on a kept-alive connection waits about 40 ms for
 * the client's acknowledgement.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 8080), 0);
 * server.setExecutor(Executors.newFixedThreadPool(8));
 * WebhooksApiHttpHandler.mount(server, api);
 * server.start();
 * }</pre>
 */
public final class WebhooksApiHttpHandler implements HttpHandler {
  private final WebhooksApi api;

  public WebhooksApiHttpHandler(WebhooksApi api) {
    this.api = requireNonNull(api, "api == null");
  }

  /** Adds contexts for the API's base path and its event types path to {@code server}. */
  public static void mount(HttpServer server, WebhooksApi api) {
    requireNonNull(server, "server == null");
    WebhooksApiHttpHandler handler = new WebhooksApiHttpHandler(api);
    server.createContext(api.basePath(), handler);
    server.createContext(api.eventTypesPath(), handler);
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      ApiResponse response;
      byte[] body = readBody(exchange, api.maxBodyBytes());
      if (body == null) {
        ApiException e = WebhooksApi.tooLarge(api.maxBodyBytes());
        response = new ApiResponse(413, Map.of("Content-Type", "application/json; charset=utf-8",
            "Connection", "close"), ApiJson.bytes(ApiJson.error(e.code(), e.getMessage(), null)));
      } else {
        response = api.handle(ApiRequest.of(exchange.getRequestMethod(), exchange.getRequestURI(),
            exchange.getRequestHeaders(), body));
      }
      response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      // A HEAD answer has no body (HEAD is no route of the API: it gets 405 with Allow).
      byte[] out = exchange.getRequestMethod().equals("HEAD") ? new byte[0] : response.bodyShared();
      exchange.sendResponseHeaders(response.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  /** The body, or {@code null} when it is longer than {@code max} (by its Content-Length or as read). */
  private static byte[] readBody(HttpExchange exchange, int max) throws IOException {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.strip()) > max) {
          return null;
        }
      } catch (NumberFormatException e) {
        // the server itself refuses a malformed Content-Length; read what comes
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try (InputStream in = exchange.getRequestBody()) {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        if (out.size() + n > max) {
          return null;
        }
        out.write(buffer, 0, n);
      }
    }
    return out.toByteArray();
  }
}

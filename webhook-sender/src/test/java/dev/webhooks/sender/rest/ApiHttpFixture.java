package dev.webhooks.sender.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.GeneratedSecrets;
import dev.webhooks.sender.RetryPolicy;
import dev.webhooks.sender.TestClock;
import dev.webhooks.sender.WebhookSender;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * The management API served over real HTTP: a {@link WebhookSender} on a {@link TestClock}, the
 * API mounted on a JDK {@link HttpServer} on 127.0.0.1 (port 0), an OkHttp client, and a
 * MockWebServer receiver on loopback for deliveries. Nothing is dispatched unless a test calls
 * {@link #dispatch()}.
 */
final class ApiHttpFixture implements AutoCloseable {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();
  static final MediaType JSON_TYPE = MediaType.get("application/json; charset=utf-8");
  static final UrlPolicy LOCAL = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build();
  /** Small enough that an oversized body still fits in the loopback socket buffers. */
  static final int MAX_BODY = 4096;

  static {
    // The JDK server writes a response's head and body apart; with Nagle on, each answer on a
    // kept-alive connection waits ~40 ms for the client's delayed ACK. Read once, when the first
    // server is created in this JVM.
    System.setProperty("sun.net.httpserver.nodelay", "true");
  }

  static final String TENANT_A = "tenant-a";
  static final String TENANT_B = "tenant-b";
  static final String KEY_A = "key_a_rw_0123456789";
  static final String KEY_A_READ = "key_a_ro_0123456789";
  static final String KEY_A_NONE = "key_a_none_0123456789";
  static final String KEY_B = "key_b_rw_0123456789";

  static final JsonNode ORDER_PAID_EXAMPLE = parse("{\"order_id\":42,\"amount\":1999}");
  static final JsonNode ORDER_SHIPPED_EXAMPLE = parse("{\"order_id\":42,\"carrier\":\"ups\"}");
  static final JsonNode CUSTOMER_CREATED_EXAMPLE = parse("{\"customer_id\":\"c_1\"}");
  static final JsonNode INVOICE_VOIDED_EXAMPLE = parse("{\"invoice_id\":\"in_1\"}");

  final TestClock clock = new TestClock(T0);
  final MockWebServer receiver = new MockWebServer();
  final WebhookSender sender;
  final WebhooksApi api;
  final HttpServer server;
  final OkHttpClient client;
  final String base;

  /** Without a rate limit. */
  ApiHttpFixture() throws IOException {
    this(b -> b);
  }

  /** With the API builder adjusted, e.g. {@code b -> b.rateLimitPerTenant(1, 2)}; the clock is always the test clock. */
  ApiHttpFixture(UnaryOperator<WebhooksApi.Builder> configure) throws IOException {
    receiver.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    EventCatalog catalog = EventCatalog.builder()
        .event("order.paid", "An order was paid", ORDER_PAID_EXAMPLE)
        .event("order.shipped", "An order was shipped", ORDER_SHIPPED_EXAMPLE)
        .event("customer.created", "A customer signed up", CUSTOMER_CREATED_EXAMPLE)
        .declared("invoice.voided", "An invoice was voided", INVOICE_VOIDED_EXAMPLE)
        .build();
    // One attempt only: a failing endpoint gives a failed delivery at once.
    sender = WebhookSender.builder().catalog(catalog).urlPolicy(LOCAL).retryPolicy(RetryPolicy.schedule(List.of()))
        .clock(clock).timeout(Duration.ofSeconds(5)).build();
    api = configure.apply(WebhooksApi.builder(sender)
        .authenticator(ApiAuthenticator.apiKeys(Map.of(
            KEY_A, ApiCaller.of(TENANT_A, ApiPermission.READ, ApiPermission.WRITE),
            KEY_A_READ, ApiCaller.of(TENANT_A, ApiPermission.READ),
            KEY_A_NONE, ApiCaller.of(TENANT_A),
            KEY_B, ApiCaller.of(TENANT_B, ApiPermission.READ, ApiPermission.WRITE))))
        .maxBodyBytes(MAX_BODY)
        .clock(clock)).build();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
    WebhooksApiHttpHandler.mount(server, api);
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
    client = new OkHttpClient.Builder().callTimeout(Duration.ofSeconds(15)).build();
  }

  @Override
  public void close() throws IOException {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
    server.stop(0);
    sender.close();
    receiver.close();
  }

  static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- responses

  /** An answer of the API as the client saw it. */
  record Resp(int status, Headers headers, String body) {
    JsonNode json() {
      assertTrue(headers.get("Content-Type") != null && headers.get("Content-Type").startsWith("application/json"),
          "not JSON: " + this);
      return parse(body);
    }

    String errorCode() {
      return json().at("/error/code").asText(null);
    }

    /** The error's field; {@code null} when JSON null. */
    String errorField() {
      JsonNode f = json().at("/error/field");
      return f.isMissingNode() || f.isNull() ? null : f.asText();
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  /** Asserts a refusal: its status, wire code and field ({@code null}: JSON null). */
  static void assertError(Resp r, int status, String code, String field) {
    assertEquals(status, r.status(), () -> "status of " + r);
    assertEquals(code, r.errorCode(), () -> "code of " + r);
    assertEquals(field, r.errorField(), () -> "field of " + r);
    assertTrue(r.json().at("/error/message").isTextual(), () -> "message of " + r);
    assertEquals(1, r.json().size(), () -> "only {\"error\": …} in " + r);
  }

  // ---- requests

  /** A request builder for {@code pathAndQuery} (raw, percent-encoded as sent), with a bearer key unless null. */
  Request.Builder request(String key, String pathAndQuery) {
    Request.Builder b = new Request.Builder().url(HttpUrl.get(base + pathAndQuery));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b;
  }

  /** {@code method pathAndQuery} with a JSON body ({@code null}: none; POST/PUT/PATCH then send an empty one). */
  Resp call(String key, String method, String pathAndQuery, String body) {
    return send(request(key, pathAndQuery).method(method, body(method, body)));
  }

  static RequestBody body(String method, String body) {
    if (body != null) {
      return RequestBody.create(body.getBytes(StandardCharsets.UTF_8), JSON_TYPE);
    }
    return switch (method) {
      case "POST", "PUT", "PATCH" -> RequestBody.create(new byte[0], JSON_TYPE);
      default -> null;
    };
  }

  Resp get(String key, String pathAndQuery) {
    return call(key, "GET", pathAndQuery, null);
  }

  Resp send(Request.Builder request) {
    Request r = request.build();
    try (Response response = client.newCall(r).execute()) {
      ResponseBody b = response.body();
      Resp resp = new Resp(response.code(), response.headers(), b == null ? "" : b.string());
      if (resp.body().startsWith("{") && resp.body().contains("\"secret\"")) {
        GeneratedSecrets.secret(parse(resp.body()).path("secret").asText(null)); // for SecretLeakScan
      }
      return resp;
    } catch (IOException e) {
      throw new UncheckedIOException(r.method() + " " + r.url() + " failed", e);
    }
  }

  /**
   * A request written byte for byte on a socket, for targets OkHttp would normalise (literal
   * {@code ..} segments): its status and body.
   */
  Resp raw(String method, String target, String key) {
    return rawExchange(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (key == null ? "" : "Authorization: Bearer " + key + "\r\n") + "Content-Length: 0\r\n\r\n");
  }

  /**
   * Writes {@code head} (a request line and headers, with no body unless it holds one) and reads
   * one response, by its Content-Length: the server may still be waiting for a body never sent.
   */
  Resp rawExchange(String head) {
    try (Socket s = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), server.getAddress().getPort())) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
      while (!headBytes.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new AssertionError("the connection closed before a response: " + headBytes);
        }
        headBytes.write(b);
      }
      String[] lines = headBytes.toString(StandardCharsets.ISO_8859_1).strip().split("\r\n");
      Headers.Builder headers = new Headers.Builder();
      for (int i = 1; i < lines.length; i++) {
        headers.add(lines[i]);
      }
      Headers h = headers.build();
      int length = h.get("Content-Length") == null ? 0 : Integer.parseInt(h.get("Content-Length"));
      byte[] body = in.readNBytes(length);
      return new Resp(Integer.parseInt(lines[0].split(" ")[1]), h, new String(body, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- shortcuts

  /** A receiver URL on loopback, unique per {@code name}. */
  String hookUrl(String name) {
    return "http://127.0.0.1:" + receiver.getPort() + "/" + name;
  }

  static String spec(String url, String... events) {
    ObjectNode o = JSON.createObjectNode();
    o.put("url", url);
    ArrayNode e = o.putArray("events");
    for (String event : events) {
      e.add(event);
    }
    return o.toString();
  }

  /** Creates a webhook through the API and returns the 201 body (with its secret). */
  JsonNode create(String key, String url, String... events) {
    Resp r = call(key, "POST", "/webhooks", spec(url, events));
    assertEquals(201, r.status(), r::toString);
    return r.json();
  }

  /** The 200 JSON of a GET. */
  JsonNode getJson(String key, String pathAndQuery) {
    Resp r = get(key, pathAndQuery);
    assertEquals(200, r.status(), () -> "GET " + pathAndQuery + ": " + r);
    return r.json();
  }

  /**
   * Everything a tenant's key can read: its webhooks, each one's deliveries and each delivery with
   * its attempts, as one JSON document to compare before and after.
   */
  JsonNode snapshot(String key) {
    ObjectNode all = JSON.createObjectNode();
    JsonNode hooks = getJson(key, "/webhooks?per_page=100");
    all.set("webhooks", hooks);
    ObjectNode deliveries = all.putObject("deliveries");
    for (JsonNode h : hooks.get("data")) {
      String id = h.get("id").asText();
      JsonNode list = getJson(key, "/webhooks/" + id + "/deliveries?per_page=100");
      ArrayNode detailed = deliveries.putArray(id);
      for (JsonNode d : list.get("data")) {
        detailed.add(getJson(key, "/webhooks/" + id + "/deliveries/" + d.get("id").asText()));
      }
    }
    return all;
  }

  /** Runs every due delivery now. */
  int dispatch() {
    return sender.dispatchDueNow();
  }

  void respond(int code) {
    receiver.enqueue(new MockResponse.Builder().code(code).body(code >= 400 ? "nope" : "").build());
  }

  RecordedRequest take() {
    try {
      RecordedRequest r = receiver.takeRequest(5, TimeUnit.SECONDS);
      assertNotNull(r, "no request reached the receiver");
      GeneratedSecrets.signatureHeader(r.getHeaders().get("webhook-signature")); // for SecretLeakScan
      return r;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The {@code v1,} entries of a delivery's {@code webhook-signature} header. */
  static long v1Signatures(RecordedRequest r) {
    String header = r.getHeaders().get("webhook-signature");
    assertNotNull(header, "no webhook-signature header");
    return List.of(header.split(" ")).stream().filter(s -> s.startsWith("v1,")).count();
  }
}

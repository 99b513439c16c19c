package dev.webhooks.sender.internal;

import dev.webhooks.core.url.UrlPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockWebServer;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the deliverer tests share: a MockWebServer on 127.0.0.1, a base client whose sockets may only
 * connect to loopback, and cleanup of every client and deliverer a test makes.
 */
abstract class DelivererFixture {
  static final InetAddress LOOPBACK = address(127, 0, 0, 1);
  static final UrlPolicy LOCAL = UrlPolicy.builder()
      .allowHttp(true).allowHost("localhost").allowCidr("127.0.0.0/8").build();
  static final String BODY = "{\"id\":\"msg_1\",\"type\":\"lookup.completed\",\"data\":{}}";

  MockWebServer server;
  LoopbackOnlySockets sockets;
  private final List<OkHttpClient> clients = new ArrayList<>();
  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    server = new MockWebServer();
    server.start(LOOPBACK, 0);
    sockets = new LoopbackOnlySockets();
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable closeable : closeables) {
      closeable.close();
    }
    for (OkHttpClient client : clients) {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    server.close();
  }

  /** A base client that only connects to loopback; cleaned up after the test. */
  OkHttpClient base(OkHttpClient.Builder builder) {
    OkHttpClient client = builder.socketFactory(sockets).build();
    clients.add(client);
    return client;
  }

  /** A deliverer on a loopback-only base client, with the {@link #LOCAL} policy. */
  HttpDeliverer deliverer(Duration timeout, int excerptBytes) {
    return track(new HttpDeliverer(base(new OkHttpClient.Builder()), LOCAL, timeout, excerptBytes, System::nanoTime));
  }

  HttpDeliverer deliverer() {
    return deliverer(HttpDeliverer.DEFAULT_TIMEOUT, HttpDeliverer.DEFAULT_EXCERPT_BYTES);
  }

  <T extends AutoCloseable> T track(T closeable) {
    closeables.add(closeable);
    return closeable;
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getPort() + path);
  }

  static DeliveryRequest request(URI url) {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("webhook-id", "msg_1");
    headers.put("webhook-timestamp", "1714651200");
    headers.put("webhook-signature", "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=");
    headers.put("Content-Type", "application/json; charset=utf-8");
    return new DeliveryRequest(url, headers, BODY.getBytes(StandardCharsets.UTF_8));
  }

  static InetAddress address(int a, int b, int c, int d) {
    try {
      return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  static long millisSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}

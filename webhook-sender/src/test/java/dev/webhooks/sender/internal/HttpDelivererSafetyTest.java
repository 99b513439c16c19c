package dev.webhooks.sender.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.internal.AttemptResult.Outcome;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.CookieJar;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** Where the deliverer refuses to go: redirects, private addresses, DNS rebinding, proxies. */
class HttpDelivererSafetyTest extends DelivererFixture {
  private static final InetAddress PRIVATE = address(10, 0, 0, 1);
  private static final UrlPolicy LOOPBACK_ONLY =
      UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.1/32").build();

  @Test
  void redirect302_isNotFollowed_andNamesOnlyTheLocationHost() {
    server.enqueue(new MockResponse.Builder().code(302)
        .addHeader("Location", "http://169.254.169.254/latest/meta-data?token=s3cr3t").build());
    server.enqueue(new MockResponse.Builder().code(200).build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals(Outcome.FAILURE, result.outcome());
    assertEquals(302, result.statusCode());
    assertEquals(Optional.of("redirect not followed (302) to 169.254.169.254"), result.error());
    assertEquals(1, server.getRequestCount());
    assertEquals(1, sockets.created.get());
    assertEquals(List.of(), sockets.refused);
  }

  @Test
  void ipLiteralOutsideThePolicy_isRefusedBeforeConnecting() {
    AttemptResult result = deliverer().deliver(
        request(URI.create("http://10.0.0.1:" + server.getPort() + "/in?token=s3cr3t")));

    assertEquals(Outcome.FAILURE, result.outcome());
    assertEquals(0, result.statusCode());
    String error = result.error().orElseThrow();
    assertTrue(error.startsWith("refused by URL policy: host 10.0.0.1 is a non-public address ("), error);
    assertFalse(error.contains("s3cr3t"), error);
    assertEquals(0, sockets.created.get());
    assertEquals(0, server.getRequestCount());
  }

  /**
   * The name answers loopback (allowed) first, then a private address. The pool is emptied between
   * the attempts so that the second must connect anew and so resolve the name again: a pooled
   * connection to the checked address would be safe to reuse, but would not test the lookup.
   */
  @Test
  void dnsRebinding_toAPrivateAddress_isRefusedAtConnectTime() {
    AtomicInteger lookups = new AtomicInteger();
    Dns rebinding = host -> lookups.getAndIncrement() == 0 ? List.of(LOOPBACK) : List.of(PRIVATE);
    HttpDeliverer deliverer = track(new HttpDeliverer(base(new OkHttpClient.Builder().dns(rebinding)),
        LOOPBACK_ONLY, HttpDeliverer.DEFAULT_TIMEOUT, HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime));
    URI url = URI.create("http://hooks.example.com:" + server.getPort() + "/x");
    server.enqueue(new MockResponse.Builder().code(200).build());
    server.enqueue(new MockResponse.Builder().code(200).build());

    AttemptResult first = deliverer.deliver(request(url));
    deliverer.client().connectionPool().evictAll();
    AttemptResult second = deliverer.deliver(request(url));

    assertEquals(Outcome.SUCCESS, first.outcome());
    assertEquals(Outcome.FAILURE, second.outcome());
    assertEquals(0, second.statusCode());
    String error = second.error().orElseThrow();
    assertTrue(error.startsWith("refused by URL policy: host hooks.example.com resolves to a non-public address ("),
        error);
    assertEquals(2, lookups.get());
    assertEquals(1, server.getRequestCount());
    assertEquals(List.of(), sockets.refused);
  }

  @Test
  void dnsMixedAnswer_isRefusedAsAWhole() {
    Dns mixed = host -> List.of(LOOPBACK, PRIVATE);
    HttpDeliverer deliverer = track(new HttpDeliverer(base(new OkHttpClient.Builder().dns(mixed)),
        LOOPBACK_ONLY, HttpDeliverer.DEFAULT_TIMEOUT, HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime));
    server.enqueue(new MockResponse.Builder().code(200).build());

    AttemptResult result = deliverer.deliver(
        request(URI.create("http://hooks.example.com:" + server.getPort() + "/x")));

    assertEquals(Outcome.FAILURE, result.outcome());
    assertTrue(result.error().orElseThrow().startsWith("refused by URL policy: host hooks.example.com resolves to"),
        result.error().orElseThrow());
    assertEquals(0, sockets.created.get());
    assertEquals(0, server.getRequestCount());
  }

  @Test
  void baseClientThatFollowsRedirectsThroughAProxy_derivedClientDoesNeither() throws IOException {
    try (MockWebServer proxy = new MockWebServer()) {
      proxy.start(LOOPBACK, 0);
      proxy.enqueue(new MockResponse.Builder().code(200).build());
      OkHttpClient base = base(new OkHttpClient.Builder()
          .followRedirects(true)
          .followSslRedirects(true)
          .proxy(new Proxy(Proxy.Type.HTTP, new InetSocketAddress(LOOPBACK, proxy.getPort()))));
      HttpDeliverer deliverer = track(new HttpDeliverer(base, LOCAL, HttpDeliverer.DEFAULT_TIMEOUT,
          HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime));
      server.enqueue(new MockResponse.Builder().code(302).addHeader("Location", "/elsewhere").build());
      server.enqueue(new MockResponse.Builder().code(200).build());

      AttemptResult result = deliverer.deliver(request(url("/in")));

      assertFalse(deliverer.client().followRedirects());
      assertFalse(deliverer.client().followSslRedirects());
      assertEquals(Proxy.NO_PROXY, deliverer.client().proxy());
      assertEquals(Optional.of("redirect not followed (302) to 127.0.0.1"), result.error());
      assertEquals(1, server.getRequestCount());
      assertEquals(0, proxy.getRequestCount());
    }
  }

  @Test
  void derivedClient_hasEveryTimeout_noRetries_noInterceptorsOrCookies_andThePolicyDns() {
    OkHttpClient base = base(new OkHttpClient.Builder()
        .retryOnConnectionFailure(true)
        .addInterceptor(chain -> chain.proceed(chain.request()))
        .addNetworkInterceptor(chain -> chain.proceed(chain.request())));
    HttpDeliverer deliverer = track(new HttpDeliverer(base, LOCAL, Duration.ofMillis(1234), 10, System::nanoTime));

    OkHttpClient client = deliverer.client();

    assertFalse(client.retryOnConnectionFailure());
    assertEquals(List.of(1234, 1234, 1234, 1234), List.of(client.connectTimeoutMillis(),
        client.readTimeoutMillis(), client.writeTimeoutMillis(), client.callTimeoutMillis()));
    assertEquals(List.of(), client.interceptors());
    assertEquals(List.of(), client.networkInterceptors());
    assertEquals(CookieJar.NO_COOKIES, client.cookieJar());
    assertInstanceOf(PolicyDns.class, client.dns());
    assertEquals(base.connectionPool(), client.connectionPool());
    assertEquals(base.dispatcher(), client.dispatcher());
  }

  @Test
  void close_leavesTheBaseClientsDispatcherAndPoolAlone() throws IOException {
    OkHttpClient base = base(new OkHttpClient.Builder());
    HttpDeliverer deliverer = new HttpDeliverer(base, LOCAL, HttpDeliverer.DEFAULT_TIMEOUT,
        HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime);
    server.enqueue(new MockResponse.Builder().code(200).build());
    server.enqueue(new MockResponse.Builder().code(200).body("still here").build());
    deliverer.deliver(request(url("/in")));

    deliverer.close();

    assertFalse(base.dispatcher().executorService().isShutdown());
    assertEquals(1, base.connectionPool().connectionCount());
    try (Response response = base.newCall(new Request.Builder().url(url("/again").toString()).build()).execute()) {
      assertEquals("still here", response.body().string());
    }
  }

  @Test
  void close_withoutABaseClient_shutsDownItsOwnDispatcher_andRefusesFurtherAttempts() {
    HttpDeliverer deliverer = new HttpDeliverer(null, LOCAL, HttpDeliverer.DEFAULT_TIMEOUT,
        HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime);
    server.enqueue(new MockResponse.Builder().code(200).build());
    assertEquals(Outcome.SUCCESS, deliverer.deliver(request(url("/in"))).outcome());

    deliverer.close();

    assertTrue(deliverer.client().dispatcher().executorService().isShutdown());
    assertEquals(0, deliverer.client().connectionPool().connectionCount());
    assertThrows(IllegalStateException.class, () -> deliverer.deliver(request(url("/in"))));
  }
  @Test
  void policyThatResolvesNames_isAskedBeforeEveryAttempt_notRemembered() {
    // The name resolves to loopback at the first check and to a private address at the second: a
    // remembered answer would let the second attempt through.
    AtomicInteger lookups = new AtomicInteger();
    UrlPolicy policy = LOCAL.newBuilder()
        .resolver(host -> List.of(lookups.incrementAndGet() == 1 ? LOOPBACK : address(10, 0, 0, 1)))
        .build();
    OkHttpClient base = base(new OkHttpClient.Builder().dns(host -> List.of(LOOPBACK)));
    HttpDeliverer deliverer = track(new HttpDeliverer(base, policy, Duration.ofSeconds(5),
        HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime));
    server.enqueue(new MockResponse.Builder().code(200).build());
    URI url = URI.create("http://receiver.example.com:" + server.getPort() + "/in");

    AttemptResult first = deliverer.deliver(request(url));
    AttemptResult second = deliverer.deliver(request(url));

    assertEquals(Outcome.SUCCESS, first.outcome());
    assertEquals(Outcome.FAILURE, second.outcome());
    assertTrue(second.error().orElseThrow().startsWith("refused by URL policy: host receiver.example.com resolves to "
        + "a non-public address"), second.error().orElseThrow());
    assertEquals(2, lookups.get());
    assertEquals(1, server.getRequestCount());
  }

  @Test
  void policyWithoutResolver_urlCheckedOnce_thenEveryAttemptSentToIt() {
    HttpDeliverer deliverer = deliverer();
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().code(200).build());
    }
    URI url = url("/in?n=1");

    for (int i = 0; i < 3; i++) {
      assertEquals(Outcome.SUCCESS, deliverer.deliver(request(url)).outcome());
    }
    // A refused URL stays refused, attempt after attempt.
    URI refused = URI.create("http://10.0.0.1:" + server.getPort() + "/in");
    for (int i = 0; i < 2; i++) {
      assertTrue(deliverer.deliver(request(refused)).error().orElseThrow().startsWith("refused by URL policy"));
    }
    assertEquals(3, server.getRequestCount());
  }
}

package dev.webhooks.sender.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webhooks.sender.internal.AttemptResult.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the deliverer makes of the receiver's answers, and what it sends. */
class HttpDelivererTest extends DelivererFixture {
  /** Headers OkHttp adds to every request, besides the ones given. */
  private static final Set<String> TRANSPORT_HEADERS =
      Set.of("host", "content-length", "connection", "accept-encoding", "user-agent");

  @ParameterizedTest
  @CsvSource({"200, ok", "201, created", "204, ''"})
  void status2xx_isSuccess_withStatusAndExcerpt(int code, String body) {
    MockResponse.Builder response = new MockResponse.Builder().code(code);
    if (!body.isEmpty()) {
      response.body(body);
    }
    server.enqueue(response.build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals(Outcome.SUCCESS, result.outcome());
    assertEquals(code, result.statusCode());
    assertEquals(body, result.responseExcerpt());
    assertEquals(Optional.empty(), result.error());
    assertEquals(Optional.empty(), result.retryAfter());
  }

  @Test
  void request_isAPostWithExactlyTheGivenHeadersAndTheBodyBytes() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).build());
    DeliveryRequest request = request(url("/in?tenant=7"));

    deliverer().deliver(request);

    RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
    assertEquals("POST", recorded.getMethod());
    assertEquals("/in?tenant=7", recorded.getTarget());
    assertEquals(new ArrayList<>(request.headers().entrySet()), givenHeaders(recorded.getHeaders()));
    assertArrayEquals(BODY.getBytes(UTF_8), recorded.getBody().toByteArray());
  }

  @Test
  void ownClient_keepsAConnectionPerConcurrentSender_insteadOfReconnecting() throws Exception {
    int threads = 16;
    int each = 20;
    for (int i = 0; i < threads * each; i++) {
      server.enqueue(new MockResponse.Builder().code(200).build());
    }
    HttpDeliverer deliverer = track(new HttpDeliverer(null, LOCAL, Duration.ofSeconds(10),
        HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime, threads));
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    try {
      List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        sent.add(pool.submit(() -> {
          for (int i = 0; i < each; i++) {
            assertEquals(Outcome.SUCCESS, deliverer.deliver(request(url("/in"))).outcome());
          }
        }));
      }
      for (java.util.concurrent.Future<?> f : sent) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    Set<Integer> connections = new java.util.HashSet<>();
    for (int i = 0; i < threads * each; i++) {
      connections.add(server.takeRequest(5, TimeUnit.SECONDS).getConnectionIndex());
    }
    // OkHttp's default pool keeps 5 idle connections: 16 senders would close and reopen them.
    assertEquals(true, connections.size() <= threads, connections.size() + " connections for " + threads + " senders");
  }

  @Test
  void contentType_whenNotGiven_isApplicationJson() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).build());

    deliverer().deliver(new DeliveryRequest(url("/in"), Map.of("webhook-id", "msg_1"), BODY.getBytes(UTF_8)));

    RecordedRequest recorded = server.takeRequest(5, TimeUnit.SECONDS);
    assertEquals(List.of(Map.entry("webhook-id", "msg_1"), Map.entry("Content-Type", "application/json")),
        givenHeaders(recorded.getHeaders()));
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 404, 500})
  void status4xxOr5xx_isFailure_withStatusAndExcerpt(int code) {
    server.enqueue(new MockResponse.Builder().code(code).body("{\"error\":\"nope\"}").build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals(Outcome.FAILURE, result.outcome());
    assertEquals(code, result.statusCode());
    assertEquals("{\"error\":\"nope\"}", result.responseExcerpt());
    assertEquals(Optional.empty(), result.error());
  }

  @Test
  void status410_isGone() {
    server.enqueue(new MockResponse.Builder().code(410).body("endpoint removed").build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals(Outcome.GONE, result.outcome());
    assertEquals(410, result.statusCode());
    assertEquals("endpoint removed", result.responseExcerpt());
  }

  @Test
  void retryAfter_deltaSecondsOn429_isThatManySeconds() {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "120").build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals(Outcome.FAILURE, result.outcome());
    assertEquals(Optional.of(Duration.ofSeconds(120)), result.retryAfter());
  }

  @Test
  void retryAfter_httpDateOn503_isRelativeToTheDateHeader() {
    server.enqueue(new MockResponse.Builder().code(503)
        .addHeader("Date", "Sat, 02 May 2026 12:00:00 GMT")
        .addHeader("Retry-After", "Sat, 02 May 2026 12:01:30 GMT")
        .build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals(Optional.of(Duration.ofSeconds(90)), result.retryAfter());
  }

  @Test
  void retryAfter_httpDateWithoutDateHeader_isRelativeToTheClock() {
    server.enqueue(new MockResponse.Builder().code(503)
        .addHeader("Retry-After", "Sat, 02 May 2026 12:05:00 GMT").build());
    Clock clock = Clock.fixed(Instant.parse("2026-05-02T12:00:00Z"), ZoneOffset.UTC);
    HttpDeliverer deliverer = track(new HttpDeliverer(base(new OkHttpClient.Builder()), LOCAL,
        HttpDeliverer.DEFAULT_TIMEOUT, HttpDeliverer.DEFAULT_EXCERPT_BYTES, System::nanoTime, clock));

    AttemptResult result = deliverer.deliver(request(url("/in")));

    assertEquals(Optional.of(Duration.ofMinutes(5)), result.retryAfter());
  }

  @Test
  void retryAfter_on500_isIgnored() {
    server.enqueue(new MockResponse.Builder().code(500).addHeader("Retry-After", "120").build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals(500, result.statusCode());
    assertEquals(Optional.empty(), result.retryAfter());
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "-5", "1.5", "120 seconds", "Sat, 31 Foo 2026 12:00:00 GMT", "0x10"})
  void retryAfter_malformed_isIgnored(String value) {
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", value).build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals(429, result.statusCode());
    assertEquals(Optional.empty(), result.retryAfter());
  }

  @Test
  void excerpt_isCutAtTheCap_dropsACharacterCutInTwo() {
    // "abc€…": the cap of 4 bytes falls inside the three bytes of '€'.
    server.enqueue(new MockResponse.Builder().code(200).body("abc€ and more").build());

    AttemptResult result = deliverer(HttpDeliverer.DEFAULT_TIMEOUT, 4).deliver(request(url("/in")));

    assertEquals(Outcome.SUCCESS, result.outcome());
    assertEquals("abc", result.responseExcerpt());
  }

  @Test
  void excerpt_malformedUtf8_isReplaced() {
    server.enqueue(new MockResponse.Builder().code(500)
        .body(new Buffer().write(new byte[] {'a', (byte) 0xff, 'b'})).build());

    AttemptResult result = deliverer().deliver(request(url("/in")));

    assertEquals("a\uFFFDb", result.responseExcerpt());
  }

  @Test
  void duration_isMeasuredWithTheInjectedNanoTime() {
    server.enqueue(new MockResponse.Builder().code(200).build());
    AtomicLong nanos = new AtomicLong(1_000_000_000L);
    HttpDeliverer deliverer = track(new HttpDeliverer(base(new OkHttpClient.Builder()), LOCAL,
        HttpDeliverer.DEFAULT_TIMEOUT, HttpDeliverer.DEFAULT_EXCERPT_BYTES, () -> nanos.getAndAdd(42_000_000L)));

    AttemptResult result = deliverer.deliver(request(url("/in")));

    assertEquals(Duration.ofMillis(42), result.duration());
  }

  /** The headers as received, in order, less the ones OkHttp adds itself. */
  private static List<Map.Entry<String, String>> givenHeaders(Headers headers) {
    List<Map.Entry<String, String>> given = new ArrayList<>();
    for (int i = 0; i < headers.size(); i++) {
      if (!TRANSPORT_HEADERS.contains(headers.name(i).toLowerCase(Locale.ROOT))) {
        given.add(Map.entry(headers.name(i), headers.value(i)));
      }
    }
    return given;
  }
}

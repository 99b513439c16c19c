package dev.webhooks.sender;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.signature.SignatureScheme;
import dev.webhooks.core.signature.WebhookVerificationException;
import dev.webhooks.core.subscription.SubscriptionSpec;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.rest.ApiAuthenticator;
import dev.webhooks.sender.rest.ApiCaller;
import dev.webhooks.sender.rest.ApiPermission;
import dev.webhooks.sender.rest.ApiRequest;
import dev.webhooks.sender.rest.ApiResponse;
import dev.webhooks.sender.rest.WebhooksApi;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.sender.store.DeliveryStatus;
import dev.webhooks.verifier.ReplayGuard;
import dev.webhooks.verifier.WebhookVerifier;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Drives the sender, its REST API and a verifying receiver through the paths that log or throw,
 * with real secrets, signatures and a credential in a custom header, all registered with {@link
 * GeneratedSecrets}: failures of every kind at the receiver (5xx, 410, redirect, 429, reset, slow,
 * huge and echoing answers), rotation with a grace period, test events, retries, forged requests
 * at the receiver, and API requests that carry a secret where it does not belong. The module's
 * {@link SecretLeakScan} then checks that none of it reached a log line or an exception message.
 */
class SecretLeakProbeTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String TENANT = "tenant-leak";
  static final String API_KEY = "key_leak_probe_0123456789";
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");

  final TestClock clock = new TestClock(T0);
  final MockWebServer receiver = new MockWebServer();
  final List<RecordedRequest> received = new CopyOnWriteArrayList<>();
  WebhookSender sender;
  WebhooksApi api;
  String base;

  @BeforeEach
  void setUp() throws IOException {
    receiver.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        received.add(request);
        GeneratedSecrets.signatureHeader(request.getHeaders().get("webhook-signature"));
        String path = request.getTarget();
        if (path.startsWith("/ok")) {
          return new MockResponse.Builder().code(204).build();
        }
        if (path.startsWith("/fail")) {
          return new MockResponse.Builder().code(500).body("{\"error\":\"database down\"}").build();
        }
        if (path.startsWith("/gone")) {
          return new MockResponse.Builder().code(410).build();
        }
        if (path.startsWith("/redirect")) {
          return new MockResponse.Builder().code(302)
              .addHeader("Location", "http://169.254.169.254/latest/meta-data/?sig="
                  + request.getHeaders().get("webhook-signature"))
              .build();
        }
        if (path.startsWith("/busy")) {
          return new MockResponse.Builder().code(429).addHeader("Retry-After", "120").build();
        }
        if (path.startsWith("/reset")) {
          return new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build();
        }
        if (path.startsWith("/slow")) {
          return new MockResponse.Builder().code(200).headersDelay(2, TimeUnit.SECONDS).build();
        }
        if (path.startsWith("/huge")) {
          return new MockResponse.Builder().code(400).body("x".repeat(1 << 20)).build();
        }
        if (path.startsWith("/echo")) {
          // A receiver that echoes the request back: its answer holds the signature and the credential.
          StringBuilder echo = new StringBuilder();
          request.getHeaders().forEach(h -> echo.append(h.getFirst()).append(": ").append(h.getSecond()).append('\n'));
          return new MockResponse.Builder().code(400).body(echo.toString()).build();
        }
        return new MockResponse.Builder().code(404).build();
      }
    });
    receiver.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    base = "http://127.0.0.1:" + receiver.getPort();
    EventCatalog catalog = EventCatalog.builder()
        .event("order.paid", "An order was paid", JSON.readTree("{\"order\":1}"))
        .build();
    sender = WebhookSender.builder().catalog(catalog)
        .urlPolicy(UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build())
        .retryPolicy(RetryPolicy.schedule(List.of(Duration.ofSeconds(10))))
        .timeout(Duration.ofMillis(200))
        .clock(clock)
        .listener(new DeliveryListener() {
          @Override
          public void onGivenUp(DeliveryRecord delivery) {
            throw new IllegalStateException("a listener that fails on " + delivery.id());
          }
        })
        .build();
    api = WebhooksApi.builder(sender)
        .authenticator(ApiAuthenticator.apiKeys(Map.of(API_KEY, ApiCaller.of(TENANT, ApiPermission.READ,
            ApiPermission.WRITE))))
        .clock(clock)
        .build();
    GeneratedSecrets.secret(API_KEY);
  }

  @AfterEach
  void tearDown() throws IOException {
    sender.close();
    receiver.close();
  }

  @Test
  void everyPathThatLogsOrThrows_withRealSecrets() throws Exception {
    String credential = "Bearer tok_" + UUID.randomUUID().toString().replace("-", "");
    GeneratedSecrets.secret(credential);
    List<String> secrets = new ArrayList<>();
    List<UUID> ids = new ArrayList<>();
    for (String path : List.of("/ok", "/fail", "/gone", "/redirect", "/busy", "/reset", "/slow", "/huge", "/echo")) {
      CreatedSubscription c = sender.subscriptions().create(TENANT, SubscriptionSpec.builder()
          .url(base + path).events("order.paid").header("Authorization", credential).build());
      GeneratedSecrets.secret(c.secret());
      secrets.add(c.secret());
      ids.add(c.subscription().id());
    }
    // Rotation with a grace period: two signatures on every request for a while.
    CreatedSubscription rotated = sender.subscriptions().rotateSecret(TENANT, ids.get(0), Duration.ofHours(1));
    GeneratedSecrets.secret(rotated.secret());

    // A payload value that must not reach a log either.
    String card = "pan_" + UUID.randomUUID().toString().replace("-", "");
    GeneratedSecrets.secret(card);
    for (int i = 0; i < 3; i++) {
      sender.publish(TENANT, "order.paid", Map.of("n", i, "card", card));
    }
    sender.subscriptions().sendTest(TENANT, ids.get(1), "order.paid");
    sender.dispatchDueNow();
    clock.advance(Duration.ofMinutes(3));
    sender.dispatchDueNow();

    // The receiver verifies what it got, and refuses forgeries (at DEBUG, with their reasons).
    WebhookVerifier verifier = WebhookVerifier.builder().secret(rotated.secret()).clock(clock)
        .replayGuard(ReplayGuard.inMemory()).build();
    int verified = 0;
    for (RecordedRequest r : received) {
      if (!r.getTarget().startsWith("/ok")) {
        continue;
      }
      Map<String, List<String>> headers = new LinkedHashMap<>();
      r.getHeaders().forEach(h -> headers.computeIfAbsent(h.getFirst(), k -> new ArrayList<>()).add(h.getSecond()));
      byte[] body = r.getBody().toByteArray();
      verifier.verify(headers, body);
      verified++;
      assertThrows(WebhookVerificationException.class, () -> verifier.verify(headers, body)); // replayed
      byte[] forged = (new String(body, StandardCharsets.UTF_8) + " ").getBytes(StandardCharsets.UTF_8);
      assertThrows(WebhookVerificationException.class, () -> verifier.verify(headers, forged));
      Map<String, List<String>> otherKey = new LinkedHashMap<>(headers);
      otherKey.put("webhook-signature", List.of(SignatureScheme.standardWebhooks().sign("msg_x", clock.instant(), body,
          List.of(dev.webhooks.core.secret.WebhookSecret.generate())).get("webhook-signature")));
      GeneratedSecrets.signatureHeader(otherKey.get("webhook-signature").get(0));
      assertThrows(WebhookVerificationException.class, () -> verifier.verify(otherKey, body));
    }
    assertTrue(verified >= 3, "verified " + verified);

    // Failed deliveries: retried by hand; the disabled endpoint's are recovered.
    for (DeliveryRecord d : sender.deliveries().list(TENANT, DeliveryQuery.builder().status(DeliveryStatus.FAILED)
        .build()).items()) {
      try {
        sender.deliveries().retry(TENANT, d.id());
      } catch (RuntimeException e) {
        assertFalse(e.getMessage().contains("whsec_"), e.getMessage());
      }
    }
    clock.advance(Duration.ofMinutes(1));
    sender.dispatchDueNow();

    // The REST API: a secret shown once, then secrets where values belong. (Not where names
    // belong: an answer names the unknown field or the bad header by the name its caller gave.)
    JsonNode created = json(call("POST", "/webhooks", "{\"url\":\"" + base + "/ok/api\",\"events\":[\"order.paid\"],"
        + "\"headers\":{\"Authorization\":\"" + credential + "\"}}"), 201);
    String apiSecret = created.get("secret").asText();
    GeneratedSecrets.secret(apiSecret);
    String id = created.get("id").asText();
    JsonNode rotatedByApi = json(call("POST", "/webhooks/" + id + "/rotate-secret", "{\"grace_period_seconds\":60}"),
        200);
    GeneratedSecrets.secret(rotatedByApi.get("secret").asText());
    // A real secret (its base64 may hold + and /, where a quoting parser stops), and a credential
    // of letters and digits only (quoted whole, if quoted at all).
    for (String s : List.of(secrets.get(2), credential.substring("Bearer ".length()))) {
      misplacedSecrets(id, s, credential);
    }
    ApiResponse wrongKey = api.handle(ApiRequest.of("GET", URI.create("/webhooks"),
        Map.of("Authorization", List.of("Bearer " + secrets.get(2))), new byte[0]));
    assertEquals(401, wrongKey.status());

    // The subscription that answered 410 was disabled, and the listener's failures were survived.
    assertFalse(sender.subscriptions().get(TENANT, ids.get(2)).enabled());
  }

  /** API requests with a secret where a value belongs: refused, and the answer never repeats it. */
  void misplacedSecrets(String id, String s, String credential) {
    List<String[]> misplaced = List.of(
        new String[] {"PATCH", "/webhooks/" + id, "{\"secret\":\"" + s + "\"}"},
        new String[] {"PATCH", "/webhooks/" + id, "{\"headers\":{\"X-Secret\":\"" + s + "\\r\\n\"}}"},
        new String[] {"PATCH", "/webhooks/" + id, "{\"headers\":{\"Authorization\":\"" + credential + "\\n\"}}"},
        new String[] {"PATCH", "/webhooks/" + id, "{\"url\":\"http://user:" + s + "@127.0.0.1/x\"}"},
        new String[] {"PATCH", "/webhooks/" + id, "{\"url\":\"http://169.254.169.254/?k=" + s + "\"}"},
        new String[] {"PATCH", "/webhooks/" + id, "{\"metadata\":{\"k\":" + "[".repeat(40) + "\"" + s + "\""
            + "]".repeat(40) + "}}"},
        new String[] {"PATCH", "/webhooks/" + id, "{\"description\":\"" + s + "x".repeat(300) + "\"}"},
        new String[] {"PATCH", "/webhooks/" + id, "{\"url\": " + s + "}"},
        new String[] {"POST", "/webhooks/" + id + "/test", "{\"event\":\"" + s + "\"}"},
        new String[] {"GET", "/webhooks/" + s, null},
        new String[] {"GET", "/webhooks/" + id + "/deliveries?event=" + s + "&status=" + s, null},
        new String[] {"GET", "/webhooks/" + id + "/deliveries?from=" + s, null});
    for (String[] m : misplaced) {
      ApiResponse r = call(m[0], m[1], m[2]);
      assertTrue(r.status() >= 400 && r.status() < 500, m[1] + ": " + r.status());
      String answer = new String(r.body(), StandardCharsets.UTF_8);
      assertFalse(answer.contains(s), () -> "the answer repeats the secret: " + m[0] + " " + m[2]);
    }
  }

  ApiResponse call(String method, String target, String body) {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    headers.put("Authorization", List.of("Bearer " + API_KEY));
    if (body != null) {
      headers.put("Content-Type", List.of("application/json"));
    }
    return api.handle(ApiRequest.of(method, URI.create(target), headers,
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
  }

  static JsonNode json(ApiResponse r, int status) throws IOException {
    assertEquals(status, r.status(), () -> new String(r.body(), StandardCharsets.UTF_8));
    return JSON.readTree(r.body());
  }
}

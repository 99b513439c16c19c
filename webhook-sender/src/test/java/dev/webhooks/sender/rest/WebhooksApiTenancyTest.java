package dev.webhooks.sender.rest;

import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_A;
import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_B;
import static dev.webhooks.sender.rest.ApiHttpFixture.TENANT_A;
import static dev.webhooks.sender.rest.ApiHttpFixture.TENANT_B;
import static dev.webhooks.sender.rest.ApiHttpFixture.assertError;
import static dev.webhooks.sender.rest.ApiHttpFixture.spec;
import static dev.webhooks.sender.rest.ApiHttpFixture.v1Signatures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.rest.ApiHttpFixture.Resp;
import dev.webhooks.verifier.WebhookVerifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tenant isolation over HTTP: tenant B never sees or touches tenant A's webhooks or deliveries,
 * even with their exact ids; every attempt is the same 404 as an id that does not exist, and A's
 * data is unchanged afterwards. Within a tenant, a delivery is reachable under its own webhook only.
 */
class WebhooksApiTenancyTest {
  ApiHttpFixture fx;
  /** A's webhook, its secret, a delivered and a failed delivery of it; A's second webhook. */
  String wa;
  String secretA;
  String daDelivered;
  String daFailed;
  String wa2;
  /** B's webhook and its delivered delivery. */
  String wb;
  String db;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ApiHttpFixture();
    JsonNode a = fx.create(KEY_A, fx.hookUrl("a"), "*");
    wa = a.get("id").asText();
    secretA = a.get("secret").asText();
    wa2 = fx.create(KEY_A, fx.hookUrl("a2"), "customer.created").get("id").asText();
    wb = fx.create(KEY_B, fx.hookUrl("b"), "*").get("id").asText();
    fx.respond(204);
    fx.respond(204);
    PublishResult paidA = fx.sender.publish(TENANT_A, "order.paid", Map.of("tenant", "a"));
    PublishResult paidB = fx.sender.publish(TENANT_B, "order.paid", Map.of("tenant", "b"));
    assertEquals(2, fx.dispatch());
    fx.take();
    fx.take();
    fx.clock.advance(Duration.ofMinutes(1));
    fx.respond(500);
    PublishResult shippedA = fx.sender.publish(TENANT_A, "order.shipped", Map.of("tenant", "a"));
    assertEquals(1, fx.dispatch());
    fx.take();
    daDelivered = deliveryOf(KEY_A, wa, paidA);
    daFailed = deliveryOf(KEY_A, wa, shippedA);
    db = deliveryOf(KEY_B, wb, paidB);
    fx.clock.advance(Duration.ofMinutes(1));
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  String deliveryOf(String key, String webhook, PublishResult p) {
    for (JsonNode d : fx.getJson(key, "/webhooks/" + webhook + "/deliveries?per_page=100").get("data")) {
      if (d.get("event_id").asText().equals(p.eventId())) {
        return d.get("id").asText();
      }
    }
    throw new AssertionError("no delivery of " + p.eventId() + " under " + webhook);
  }

  String path(String template) {
    return template.replace("{wa2}", wa2).replace("{WA}", wa.toUpperCase(Locale.ROOT)).replace("{wa}", wa)
        .replace("{wb}", wb).replace("{da}", daFailed).replace("{dd}", daDelivered).replace("{db}", db);
  }

  static List<String> ids(JsonNode page) {
    List<String> out = new ArrayList<>();
    page.get("data").forEach(n -> out.add(n.get("id").asText()));
    return out;
  }

  // ---- B against A

  @Test
  void listUnderB_showsOnlyBsWebhooksAndDeliveries() {
    assertEquals(List.of(wb), ids(fx.getJson(KEY_B, "/webhooks?per_page=100")));
    assertEquals(List.of(db), ids(fx.getJson(KEY_B, "/webhooks/" + wb + "/deliveries?per_page=100")));
    assertEquals(List.of(db), ids(fx.getJson(KEY_B, "/webhooks/" + wb + "/deliveries?status=delivered")));
    assertEquals(List.of(), ids(fx.getJson(KEY_B, "/webhooks/" + wb + "/deliveries?status=failed")),
        "A's failed delivery is not B's");
    assertEquals(List.of(wa, wa2), ids(fx.getJson(KEY_A, "/webhooks?per_page=100")));
  }

  static Stream<Arguments> routesWithAsIds() {
    return Stream.of(
        Arguments.of("GET", "/webhooks/{wa}", null),
        Arguments.of("PUT", "/webhooks/{wa}", spec("https://example.com/stolen", "*")),
        Arguments.of("PATCH", "/webhooks/{wa}", "{\"enabled\":false}"),
        Arguments.of("PATCH", "/webhooks/{wa}", "{\"url\":\"https://example.com/stolen\"}"),
        Arguments.of("PATCH", "/webhooks/{wa}", "{}"),
        Arguments.of("DELETE", "/webhooks/{wa}", null),
        Arguments.of("POST", "/webhooks/{wa}/rotate-secret", null),
        Arguments.of("POST", "/webhooks/{wa}/rotate-secret", "{\"grace_period_seconds\":60}"),
        Arguments.of("POST", "/webhooks/{wa}/test", "{\"event\":\"order.paid\"}"),
        Arguments.of("GET", "/webhooks/{wa}/deliveries", null),
        Arguments.of("GET", "/webhooks/{wa}/deliveries?status=failed&per_page=100", null),
        Arguments.of("GET", "/webhooks/{wa}/deliveries/{da}", null),
        Arguments.of("GET", "/webhooks/{wa}/deliveries/{dd}", null),
        Arguments.of("POST", "/webhooks/{wa}/deliveries/{da}/retry", null),
        Arguments.of("GET", "/webhooks/{wb}/deliveries/{da}", null),
        Arguments.of("POST", "/webhooks/{wb}/deliveries/{da}/retry", null),
        Arguments.of("POST", "/webhooks/{wb}/deliveries/{dd}/retry", null),
        Arguments.of("GET", "/webhooks/{WA}", null),
        Arguments.of("DELETE", "/webhooks/{WA}", null),
        Arguments.of("POST", "/webhooks/{WA}/rotate-secret", null));
  }

  @ParameterizedTest(name = "B: {0} {1} {2}")
  @MethodSource("routesWithAsIds")
  void asIdsUnderBsKey_404NotFound_asDataUnchanged(String method, String template, String body) {
    JsonNode aBefore = fx.snapshot(KEY_A);
    JsonNode bBefore = fx.snapshot(KEY_B);

    Resp r = fx.call(KEY_B, method, path(template), body);

    assertEquals(404, r.status(), r::toString);
    assertEquals("not_found", r.errorCode());
    assertEquals(aBefore, fx.snapshot(KEY_A));
    assertEquals(bBefore, fx.snapshot(KEY_B));
    assertEquals(0, fx.dispatch(), "no test event or retry was queued");
  }

  @ParameterizedTest(name = "B: {0} {1}")
  @MethodSource("routesWithAsIds")
  void asIdsUnderBsKey_answerIsTheSameAsForAnIdThatDoesNotExist(String method, String template, String body) {
    String unknown = UUID.randomUUID().toString();
    String guessed = template.replace("{wa}", unknown).replace("{WA}", unknown).replace("{da}", unknown)
        .replace("{dd}", unknown);

    Resp forA = fx.call(KEY_B, method, path(template), body);
    Resp forNothing = fx.call(KEY_B, method, path(guessed), body);

    assertEquals(forNothing.status(), forA.status());
    assertEquals(forNothing.json(), forA.json(), "nothing tells an existing id of another tenant apart");
    assertEquals(forNothing.headers().get("Content-Type"), forA.headers().get("Content-Type"));
  }

  @Test
  void asSecretStillTheOnlyOne_afterBsRotationAttempts() {
    fx.call(KEY_B, "POST", "/webhooks/" + wa + "/rotate-secret", null);
    fx.call(KEY_B, "POST", "/webhooks/" + wa + "/rotate-secret", "{\"grace_period_seconds\":3600}");

    fx.respond(204);
    fx.sender.publish(TENANT_A, "order.paid", Map.of());
    assertEquals(1, fx.dispatch());
    RecordedRequest sent = fx.take();
    assertEquals("/a", sent.getTarget());
    assertEquals(1, v1Signatures(sent));
    WebhookVerifier.builder().secret(secretA).clock(fx.clock).build()
        .verify(sent.getHeaders().toMultimap(), sent.getBody().toByteArray());
  }

  @Test
  void bCreatingAsUrl_201_noDuplicateThatWouldRevealIt() {
    JsonNode aBefore = fx.snapshot(KEY_A);

    Resp r = fx.call(KEY_B, "POST", "/webhooks", spec(fx.hookUrl("a"), "order.paid"));

    assertEquals(201, r.status(), r::toString);
    assertNotEquals(wa, r.json().get("id").asText());
    assertEquals(aBefore, fx.snapshot(KEY_A));
  }

  @Test
  void bPatchingItsWebhookToAsUrl_200_asWebhookUnchanged() {
    JsonNode aBefore = fx.snapshot(KEY_A);

    Resp r = fx.call(KEY_B, "PATCH", "/webhooks/" + wb, "{\"url\":\"" + fx.hookUrl("a") + "\"}");

    assertEquals(200, r.status(), r::toString);
    assertEquals(aBefore, fx.snapshot(KEY_A));
  }

  @Test
  void dotSegmentsSentVerbatim_underB_neverReachAsWebhook() {
    JsonNode aBefore = fx.snapshot(KEY_A);

    for (String target : List.of("/webhooks/" + wb + "/../" + wa, "/webhooks/" + wb + "/%2e%2e/" + wa,
        "/webhooks/" + wb + "/..%2F" + wa, "/webhooks/%2e%2e%2f" + wa, "/webhooks/./" + wa,
        "/webhooks/" + wb + "/deliveries/../../" + wa + "/deliveries/" + daFailed)) {
      for (String method : List.of("GET", "DELETE")) {
        Resp r = fx.raw(method, target, KEY_B);
        assertEquals(404, r.status(), () -> method + " " + target + ": " + r);
        assertEquals("not_found", r.errorCode(), () -> method + " " + target + ": " + r);
      }
    }

    assertEquals(aBefore, fx.snapshot(KEY_A));
  }

  // ---- within a tenant

  @Test
  void deliveryOfWebhookX_underWebhookY_404_andNotRetried() {
    JsonNode before = fx.snapshot(KEY_A);

    assertError(fx.get(KEY_A, "/webhooks/" + wa2 + "/deliveries/" + daFailed), 404, "not_found", "delivery_id");
    assertError(fx.get(KEY_A, "/webhooks/" + wa2 + "/deliveries/" + daDelivered), 404, "not_found", "delivery_id");
    assertError(fx.call(KEY_A, "POST", "/webhooks/" + wa2 + "/deliveries/" + daFailed + "/retry", null), 404,
        "not_found", "delivery_id");
    assertEquals(List.of(), ids(fx.getJson(KEY_A, "/webhooks/" + wa2 + "/deliveries")));

    assertEquals(before, fx.snapshot(KEY_A));
    assertEquals(0, fx.dispatch());
    assertEquals("failed", fx.getJson(KEY_A, "/webhooks/" + wa + "/deliveries/" + daFailed).get("status").asText());
  }

  @Test
  void aWebhookIdUsedAsADeliveryId_orTheOtherWayRound_404() {
    assertError(fx.get(KEY_A, "/webhooks/" + wa + "/deliveries/" + wa), 404, "not_found", "delivery_id");
    assertError(fx.get(KEY_A, "/webhooks/" + daFailed), 404, "not_found", "id");
    Resp r = fx.get(KEY_A, "/webhooks/" + daFailed + "/deliveries/" + daFailed);
    assertEquals(404, r.status(), r::toString);
    assertEquals("not_found", r.errorCode());
  }

  @Test
  void uppercaseFormOfAnId_namesTheSameWebhook_forItsOwnTenantOnly() {
    JsonNode own = fx.getJson(KEY_A, "/webhooks/" + wa.toUpperCase(Locale.ROOT));

    assertEquals(fx.getJson(KEY_A, "/webhooks/" + wa), own);
    assertError(fx.get(KEY_B, "/webhooks/" + wa.toUpperCase(Locale.ROOT)), 404, "not_found", "id");
  }
}

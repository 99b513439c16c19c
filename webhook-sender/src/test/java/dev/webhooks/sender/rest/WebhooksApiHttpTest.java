package dev.webhooks.sender.rest;

import static dev.webhooks.sender.rest.ApiHttpFixture.CUSTOMER_CREATED_EXAMPLE;
import static dev.webhooks.sender.rest.ApiHttpFixture.INVOICE_VOIDED_EXAMPLE;
import static dev.webhooks.sender.rest.ApiHttpFixture.JSON;
import static dev.webhooks.sender.rest.ApiHttpFixture.JSON_TYPE;
import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_A;
import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_A_NONE;
import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_A_READ;
import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_B;
import static dev.webhooks.sender.rest.ApiHttpFixture.MAX_BODY;
import static dev.webhooks.sender.rest.ApiHttpFixture.ORDER_PAID_EXAMPLE;
import static dev.webhooks.sender.rest.ApiHttpFixture.T0;
import static dev.webhooks.sender.rest.ApiHttpFixture.TENANT_A;
import static dev.webhooks.sender.rest.ApiHttpFixture.assertError;
import static dev.webhooks.sender.rest.ApiHttpFixture.parse;
import static dev.webhooks.sender.rest.ApiHttpFixture.spec;
import static dev.webhooks.sender.rest.ApiHttpFixture.v1Signatures;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.WebhookValidationException;
import dev.webhooks.core.signature.WebhookVerificationException;
import dev.webhooks.sender.DeliveryQuery;
import dev.webhooks.sender.PublishResult;
import dev.webhooks.sender.rest.ApiHttpFixture.Resp;
import dev.webhooks.sender.store.DeliveryRecord;
import dev.webhooks.verifier.VerifiedWebhook;
import dev.webhooks.verifier.WebhookVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The management API over real HTTP (JDK server on loopback, OkHttp client): every route, and
 * every error status with its wire code, field and headers; a refused request changes nothing.
 */
class WebhooksApiHttpTest {
  static final Set<String> WEBHOOK_FIELDS = Set.of("id", "url", "events", "description", "enabled",
      "disabled_reason", "headers", "metadata", "created_at", "updated_at", "secret_last_rotated_at",
      "last_delivered_at");
  static final Set<String> DELIVERY_FIELDS = Set.of("id", "webhook_id", "event", "event_id", "status",
      "http_status", "attempt_count", "created_at", "delivered_at", "next_attempt_at", "last_error");

  ApiHttpFixture fx;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ApiHttpFixture();
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  static Set<String> names(JsonNode o) {
    Set<String> out = new HashSet<>();
    o.fieldNames().forEachRemaining(out::add);
    return out;
  }

  static List<String> texts(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.get(field).asText()));
    return out;
  }

  static ObjectNode withoutSecret(JsonNode created) {
    ObjectNode o = created.deepCopy();
    o.remove("secret");
    return o;
  }

  VerifiedWebhook verify(RecordedRequest r, String secret) {
    return WebhookVerifier.builder().secret(secret).clock(fx.clock).build()
        .verify(r.getHeaders().toMultimap(), r.getBody().toByteArray());
  }

  List<DeliveryRecord> allDeliveries() {
    return fx.sender.deliveries().list(TENANT_A, DeliveryQuery.all()).items();
  }

  // ---- webhooks

  @Test
  void create_201_withSecretOnce_location_snakeCaseFields() {
    String url = fx.hookUrl("billing");
    Resp r = fx.call(KEY_A, "POST", "/webhooks", "{\"url\":\"" + url + "\",\"events\":[\"order.paid\",\"order.shipped\"],"
        + "\"description\":\"  prod  \",\"headers\":{\"Authorization\":\"Bearer rcv\"},\"metadata\":{\"team\":\"billing\"}}");

    assertEquals(201, r.status(), r::toString);
    JsonNode c = r.json();
    String id = c.get("id").asText();
    assertEquals(UUID.fromString(id).toString(), id);
    assertEquals("/webhooks/" + id, r.headers().get("Location"));
    assertEquals("no-store", r.headers().get("Cache-Control"));
    Set<String> expected = new HashSet<>(WEBHOOK_FIELDS);
    expected.add("secret");
    assertEquals(expected, names(c));
    assertTrue(c.get("secret").asText().startsWith("whsec_"), c::toString);
    assertEquals(url, c.get("url").asText());
    assertEquals(Set.of("order.paid", "order.shipped"), new HashSet<>(texts(c.get("events"))));
    assertEquals("prod", c.get("description").asText());
    assertTrue(c.get("enabled").asBoolean());
    assertTrue(c.get("disabled_reason").isNull());
    assertEquals(parse("{\"Authorization\":\"Bearer rcv\"}"), c.get("headers"));
    assertEquals(parse("{\"team\":\"billing\"}"), c.get("metadata"));
    assertEquals(T0.toString(), c.get("created_at").asText());
    assertEquals(T0.toString(), c.get("updated_at").asText());
    assertEquals(T0.toString(), c.get("secret_last_rotated_at").asText());
    assertTrue(c.get("last_delivered_at").isNull());

    JsonNode got = fx.getJson(KEY_A, "/webhooks/" + id);
    assertEquals(withoutSecret(c), got, "GET shows the webhook without its secret");
    JsonNode listed = fx.getJson(KEY_A_READ, "/webhooks");
    assertEquals(1, listed.get("data").size());
    assertEquals(got, listed.get("data").get(0));
    assertFalse(listed.get("data").get(0).has("secret"));
  }

  static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void list_pagedWithPageAndPerPage_hasMoreUntilTheLastPage() {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      ids.add(fx.create(KEY_A, fx.hookUrl("h" + i), "order.paid").get("id").asText());
      fx.clock.advance(Duration.ofSeconds(1));
    }

    JsonNode p1 = fx.getJson(KEY_A, "/webhooks?per_page=2");
    assertEquals(ids.subList(0, 2), texts(p1.get("data"), "id"), "oldest first");
    assertEquals(Set.of("data", "page", "per_page", "has_more"), names(p1));
    assertEquals(1, p1.get("page").asInt());
    assertEquals(2, p1.get("per_page").asInt());
    assertTrue(p1.get("has_more").asBoolean());

    JsonNode p2 = fx.getJson(KEY_A, "/webhooks?page=2&per_page=2");
    assertEquals(ids.subList(2, 3), texts(p2.get("data"), "id"));
    assertEquals(2, p2.get("page").asInt());
    assertFalse(p2.get("has_more").asBoolean());

    JsonNode p3 = fx.getJson(KEY_A, "/webhooks?page=3&per_page=2");
    assertEquals(0, p3.get("data").size());
    assertFalse(p3.get("has_more").asBoolean());

    JsonNode exact = fx.getJson(KEY_A, "/webhooks?per_page=3");
    assertEquals(ids, texts(exact.get("data"), "id"));
    assertFalse(exact.get("has_more").asBoolean(), "a full last page has no more");

    JsonNode defaults = fx.getJson(KEY_A, "/webhooks");
    assertEquals(1, defaults.get("page").asInt());
    assertEquals(20, defaults.get("per_page").asInt());
    assertEquals(ids, texts(defaults.get("data"), "id"));
  }

  @Test
  void put_replacesEveryField_keepsIdCreationAndSecret() {
    JsonNode c = fx.create(KEY_A, fx.hookUrl("old"), "order.paid");
    String id = c.get("id").asText();
    assertEquals(200, fx.call(KEY_A, "PATCH", "/webhooks/" + id,
        "{\"description\":\"d\",\"headers\":{\"X-A\":\"1\"},\"metadata\":{\"k\":\"v\"}}").status());
    fx.clock.advance(Duration.ofMinutes(1));

    Resp r = fx.call(KEY_A, "PUT", "/webhooks/" + id, spec(fx.hookUrl("new"), "order.shipped"));

    assertEquals(200, r.status(), r::toString);
    JsonNode u = r.json();
    assertEquals(WEBHOOK_FIELDS, names(u), "no secret after a PUT");
    assertEquals(id, u.get("id").asText());
    assertEquals(fx.hookUrl("new"), u.get("url").asText());
    assertEquals(List.of("order.shipped"), texts(u.get("events")));
    assertEquals("", u.get("description").asText(), "fields the PUT leaves out are reset");
    assertEquals(0, u.get("headers").size());
    assertEquals(0, u.get("metadata").size());
    assertEquals(T0.toString(), u.get("created_at").asText());
    assertEquals(T0.plus(Duration.ofMinutes(1)).toString(), u.get("updated_at").asText());
    assertEquals(T0.toString(), u.get("secret_last_rotated_at").asText());
    assertEquals(u, fx.getJson(KEY_A, "/webhooks/" + id));

    fx.respond(204);
    assertEquals(1, fx.sender.publish(TENANT_A, "order.shipped", Map.of("n", 1)).deliveries());
    assertEquals(1, fx.dispatch());
    RecordedRequest sent = fx.take();
    assertEquals("/new", sent.getTarget());
    verify(sent, c.get("secret").asText()); // the secret survived the PUT
  }

  @Test
  void patch_eventsStar_meansEveryEvent_otherFieldsKept() {
    JsonNode c = fx.create(KEY_A, fx.hookUrl("all"), "order.paid");
    String id = c.get("id").asText();
    fx.call(KEY_A, "PATCH", "/webhooks/" + id, "{\"description\":\"keep\",\"metadata\":{\"k\":\"v\"}}");
    JsonNode before = fx.getJson(KEY_A, "/webhooks/" + id);
    assertEquals(0, fx.sender.publish(TENANT_A, "customer.created", Map.of()).deliveries());

    Resp r = fx.call(KEY_A, "PATCH", "/webhooks/" + id, "{\"events\":[\"*\"]}");

    assertEquals(200, r.status(), r::toString);
    ObjectNode expected = before.deepCopy();
    expected.putArray("events").add("*");
    assertEquals(expected, r.json());
    fx.respond(204);
    PublishResult p = fx.sender.publish(TENANT_A, "customer.created", Map.of("customer_id", "c_9"));
    assertEquals(1, p.deliveries(), "a type it never named reaches it now");
    assertEquals(1, fx.dispatch());
    assertEquals("customer.created", verify(fx.take(), c.get("secret").asText()).json().get("type").asText());
  }

  @Test
  void patch_onlyTheFieldsGiven_nullDescriptionClears_enabledFalseDisablesByHand() {
    String id = fx.create(KEY_A, fx.hookUrl("p"), "order.paid").get("id").asText();
    fx.call(KEY_A, "PATCH", "/webhooks/" + id, "{\"description\":\"temp\"}");

    JsonNode cleared = fx.call(KEY_A, "PATCH", "/webhooks/" + id, "{\"description\":null}").json();
    assertEquals("", cleared.get("description").asText());
    assertEquals(List.of("order.paid"), texts(cleared.get("events")));

    JsonNode disabled = fx.call(KEY_A, "PATCH", "/webhooks/" + id, "{\"enabled\":false}").json();
    assertFalse(disabled.get("enabled").asBoolean());
    assertEquals("manual", disabled.get("disabled_reason").asText());
    assertEquals(0, fx.sender.publish(TENANT_A, "order.paid", Map.of()).deliveries(), "disabled: nothing fans out");

    fx.clock.advance(Duration.ofMinutes(1));
    Resp empty = fx.call(KEY_A, "PATCH", "/webhooks/" + id, "{}");
    assertEquals(200, empty.status());
    assertEquals(disabled, empty.json(), "an empty patch changes nothing, not even updated_at");

    JsonNode enabled = fx.call(KEY_A, "PATCH", "/webhooks/" + id, "{\"enabled\":true}").json();
    assertTrue(enabled.get("enabled").asBoolean());
    assertTrue(enabled.get("disabled_reason").isNull());
  }

  @Test
  void delete_204_webhookAndItsDeliveryHistoryGone_othersKept() {
    String gone = fx.create(KEY_A, fx.hookUrl("gone"), "order.paid").get("id").asText();
    String kept = fx.create(KEY_A, fx.hookUrl("kept"), "order.shipped").get("id").asText();
    fx.respond(204);
    fx.sender.publish(TENANT_A, "order.paid", Map.of());
    assertEquals(1, fx.dispatch());
    assertEquals("/gone", fx.take().getTarget());
    fx.sender.publish(TENANT_A, "order.paid", Map.of()); // a pending one too
    fx.sender.publish(TENANT_A, "order.shipped", Map.of());
    List<String> goneDeliveries = texts(fx.getJson(KEY_A, "/webhooks/" + gone + "/deliveries").get("data"), "id");
    assertEquals(2, goneDeliveries.size());
    JsonNode keptBefore = fx.snapshot(KEY_A).get("deliveries").get(kept);

    Resp r = fx.call(KEY_A, "DELETE", "/webhooks/" + gone, null);

    assertEquals(204, r.status(), r::toString);
    assertEquals("", r.body());
    assertError(fx.get(KEY_A, "/webhooks/" + gone), 404, "not_found", "id");
    assertError(fx.get(KEY_A, "/webhooks/" + gone + "/deliveries"), 404, "not_found", "id");
    for (String d : goneDeliveries) {
      assertError(fx.get(KEY_A, "/webhooks/" + gone + "/deliveries/" + d), 404, "not_found", "delivery_id");
      assertThrows(WebhookValidationException.class, () -> fx.sender.deliveries().get(TENANT_A, UUID.fromString(d)));
    }
    assertEquals(List.of(UUID.fromString(kept)), allDeliveries().stream().map(DeliveryRecord::subscriptionId).toList());
    assertEquals(List.of(kept), texts(fx.getJson(KEY_A, "/webhooks").get("data"), "id"));
    assertEquals(keptBefore, fx.snapshot(KEY_A).get("deliveries").get(kept));
    fx.respond(204);
    assertEquals(1, fx.dispatch(), "the deleted webhook's pending delivery is gone; the other one's is sent");
    assertEquals("/kept", fx.take().getTarget());
    assertError(fx.call(KEY_A, "DELETE", "/webhooks/" + gone, null), 404, "not_found", "id");
    fx.create(KEY_A, fx.hookUrl("gone"), "order.paid"); // its URL is free again
  }

  @Test
  void rotateSecret_withoutBody_newSecretInBody_signsAlone() {
    JsonNode c = fx.create(KEY_A, fx.hookUrl("r"), "order.paid");
    String id = c.get("id").asText();
    String old = c.get("secret").asText();
    fx.clock.advance(Duration.ofHours(1));

    Resp r = fx.call(KEY_A, "POST", "/webhooks/" + id + "/rotate-secret", null);

    assertEquals(200, r.status(), r::toString);
    String fresh = r.json().get("secret").asText();
    assertTrue(fresh.startsWith("whsec_"));
    assertNotEquals(old, fresh);
    assertEquals("no-store", r.headers().get("Cache-Control"));
    assertEquals(T0.plus(Duration.ofHours(1)).toString(), r.json().get("secret_last_rotated_at").asText());
    assertEquals(withoutSecret(r.json()), fx.getJson(KEY_A, "/webhooks/" + id));

    fx.respond(204);
    fx.sender.publish(TENANT_A, "order.paid", Map.of());
    assertEquals(1, fx.dispatch());
    RecordedRequest sent = fx.take();
    assertEquals(1, v1Signatures(sent));
    verify(sent, fresh);
    assertThrows(WebhookVerificationException.class, () -> verify(sent, old), "no grace: the old secret is void");
  }

  @Test
  void rotateSecret_withGracePeriod_oldSecretStillSigns_untilTheGraceEnds() {
    JsonNode c = fx.create(KEY_A, fx.hookUrl("g"), "order.paid");
    String id = c.get("id").asText();
    String old = c.get("secret").asText();

    Resp r = fx.call(KEY_A, "POST", "/webhooks/" + id + "/rotate-secret", "{\"grace_period_seconds\":3600}");

    assertEquals(200, r.status(), r::toString);
    String fresh = r.json().get("secret").asText();
    assertNotEquals(old, fresh);
    fx.respond(204);
    fx.sender.publish(TENANT_A, "order.paid", Map.of());
    assertEquals(1, fx.dispatch());
    RecordedRequest during = fx.take();
    assertEquals(2, v1Signatures(during), during.getHeaders().get("webhook-signature"));
    verify(during, fresh);
    verify(during, old);

    fx.clock.advance(Duration.ofSeconds(3601));
    fx.respond(204);
    fx.sender.publish(TENANT_A, "order.paid", Map.of());
    assertEquals(1, fx.dispatch());
    RecordedRequest after = fx.take();
    assertEquals(1, v1Signatures(after));
    verify(after, fresh);
    assertThrows(WebhookVerificationException.class, () -> verify(after, old));
  }

  @Test
  void test_202_testDeliveryListedForThatWebhookOnly_sentWithTestTrue() {
    JsonNode c = fx.create(KEY_A, fx.hookUrl("t"), "order.paid");
    String id = c.get("id").asText();
    String other = fx.create(KEY_A, fx.hookUrl("other"), "*").get("id").asText();

    Resp r = fx.call(KEY_A, "POST", "/webhooks/" + id + "/test", "{\"event\":\"customer.created\"}");

    assertEquals(202, r.status(), r::toString);
    JsonNode accepted = r.json();
    String eventId = accepted.get("event_id").asText();
    assertTrue(eventId.startsWith("msg_"), eventId);
    assertEquals("customer.created", accepted.get("event").asText());
    assertTrue(accepted.get("test").asBoolean());
    JsonNode listed = fx.getJson(KEY_A, "/webhooks/" + id + "/deliveries").get("data");
    assertEquals(1, listed.size());
    assertEquals(eventId, listed.get(0).get("event_id").asText());
    assertEquals("customer.created", listed.get(0).get("event").asText());
    assertEquals("pending", listed.get(0).get("status").asText());
    assertEquals(0, fx.getJson(KEY_A, "/webhooks/" + other + "/deliveries").get("data").size(),
        "a test goes to the one webhook, whatever the others' filters");

    fx.respond(204);
    assertEquals(1, fx.dispatch());
    RecordedRequest sent = fx.take();
    assertEquals("/t", sent.getTarget());
    VerifiedWebhook hook = verify(sent, c.get("secret").asText());
    assertEquals(eventId, hook.id().orElseThrow());
    assertTrue(hook.json().get("test").asBoolean(), hook.json().toString());
    assertEquals("customer.created", hook.json().get("type").asText());
    assertEquals(CUSTOMER_CREATED_EXAMPLE, hook.json().get("data"), "the catalog's example");
    JsonNode delivered = fx.getJson(KEY_A, "/webhooks/" + id + "/deliveries/" + listed.get(0).get("id").asText());
    assertEquals("delivered", delivered.get("status").asText());
    assertEquals(204, delivered.get("http_status").asInt());
  }

  @Test
  void test_onADisabledWebhook_stillSent() {
    String id = fx.create(KEY_A, fx.hookUrl("off"), "order.paid").get("id").asText();
    fx.call(KEY_A, "PATCH", "/webhooks/" + id, "{\"enabled\":false}");

    assertEquals(202, fx.call(KEY_A, "POST", "/webhooks/" + id + "/test", "{\"event\":\"order.paid\"}").status());

    fx.respond(204);
    assertEquals(1, fx.dispatch());
    assertEquals("/off", fx.take().getTarget());
  }

  static Stream<Arguments> badTestEvents() {
    return Stream.of(
        Arguments.of("{\"event\":\"nope.nothing\"}", 400, "invalid_events", "event"),
        Arguments.of("{\"event\":\"Not A Name!\"}", 400, "invalid_events", "event"),
        Arguments.of("{\"event\":\"order.*\"}", 400, "invalid_events", "event"),
        Arguments.of("{\"event\":\"\"}", 400, "invalid_events", "event"),
        Arguments.of("{}", 400, "missing_required_field", "event"),
        Arguments.of("{\"event\":1}", 400, "invalid_json", "event"),
        Arguments.of("{\"event\":\"order.paid\",\"data\":{}}", 400, "invalid_json", "data"));
  }

  @ParameterizedTest(name = "{0} → {1} {2}")
  @MethodSource("badTestEvents")
  void test_badEvent_400WithCodeAndField_noDelivery(String body, int status, String code, String field) {
    String id = fx.create(KEY_A, fx.hookUrl("t"), "order.paid").get("id").asText();

    assertError(fx.call(KEY_A, "POST", "/webhooks/" + id + "/test", body), status, code, field);

    assertEquals(0, fx.getJson(KEY_A, "/webhooks/" + id + "/deliveries").get("data").size());
    assertEquals(0, fx.dispatch());
  }

  // ---- deliveries

  /** Three deliveries of one webhook an hour apart, delivered, failed and pending, and one of another webhook. */
  final class History {
    final String webhook;
    final String secret;
    final String other;
    final PublishResult delivered;
    final PublishResult failed;
    final PublishResult pending;

    History() {
      JsonNode c = fx.create(KEY_A, fx.hookUrl("w"), "order.paid", "order.shipped");
      webhook = c.get("id").asText();
      secret = c.get("secret").asText();
      other = fx.create(KEY_A, fx.hookUrl("v"), "customer.created").get("id").asText();
      fx.respond(204);
      delivered = fx.sender.publish(TENANT_A, "order.paid", Map.of("n", 1));
      assertEquals(1, fx.dispatch());
      fx.take();
      fx.clock.advance(Duration.ofHours(1));
      fx.respond(500);
      failed = fx.sender.publish(TENANT_A, "order.shipped", Map.of("n", 2));
      assertEquals(1, fx.dispatch());
      fx.take();
      fx.clock.advance(Duration.ofHours(1));
      pending = fx.sender.publish(TENANT_A, "order.paid", Map.of("n", 3));
      fx.sender.publish(TENANT_A, "customer.created", Map.of("n", 4));
    }

    List<String> eventIds(String query) {
      return texts(fx.getJson(KEY_A, "/webhooks/" + webhook + "/deliveries" + query).get("data"), "event_id");
    }

    String deliveryId(PublishResult p) {
      for (JsonNode d : fx.getJson(KEY_A, "/webhooks/" + webhook + "/deliveries?per_page=100").get("data")) {
        if (d.get("event_id").asText().equals(p.eventId())) {
          return d.get("id").asText();
        }
      }
      throw new AssertionError("no delivery of " + p.eventId());
    }
  }

  @Test
  void deliveries_listedNewestFirst_filteredByStatusFromToEvent_paged() {
    History h = new History();
    String d = h.delivered.eventId();
    String f = h.failed.eventId();
    String p = h.pending.eventId();

    assertEquals(List.of(p, f, d), h.eventIds(""), "newest first, the other webhook's left out");
    assertEquals(List.of(d), h.eventIds("?status=delivered"));
    assertEquals(List.of(f), h.eventIds("?status=failed"));
    assertEquals(List.of(p), h.eventIds("?status=pending"));
    assertEquals(List.of(p, f), h.eventIds("?from=2026-05-02T13:00:00Z"), "from is inclusive");
    assertEquals(List.of(d), h.eventIds("?to=2026-05-02T13:00:00Z"), "to is exclusive");
    assertEquals(List.of(f), h.eventIds("?from=2026-05-02T12:30:00Z&to=2026-05-02T13:30:00Z"));
    assertEquals(List.of(p), h.eventIds("?from=2026-05-02T13:00:00Z&status=pending"));
    assertEquals(List.of(p, d), h.eventIds("?event=order.paid"));
    assertEquals(List.of(), h.eventIds("?event=order.paid&status=failed"));
    assertEquals(List.of(), h.eventIds("?from=2026-05-03T00:00:00Z"));

    JsonNode p1 = fx.getJson(KEY_A, "/webhooks/" + h.webhook + "/deliveries?per_page=2");
    assertEquals(List.of(p, f), texts(p1.get("data"), "event_id"));
    assertEquals(Set.of("data", "page", "per_page", "has_more"), names(p1));
    assertTrue(p1.get("has_more").asBoolean());
    assertEquals(2, p1.get("per_page").asInt());
    JsonNode p2 = fx.getJson(KEY_A, "/webhooks/" + h.webhook + "/deliveries?page=2&per_page=2");
    assertEquals(List.of(d), texts(p2.get("data"), "event_id"));
    assertEquals(2, p2.get("page").asInt());
    assertFalse(p2.get("has_more").asBoolean());

    JsonNode failed = p1.get("data").get(1);
    assertEquals(DELIVERY_FIELDS, names(failed), "a listed delivery has no attempts");
    assertEquals(h.webhook, failed.get("webhook_id").asText());
    assertEquals("order.shipped", failed.get("event").asText());
    assertEquals("failed", failed.get("status").asText());
    assertEquals(500, failed.get("http_status").asInt());
    assertEquals(1, failed.get("attempt_count").asInt());
    assertEquals("2026-05-02T13:00:00Z", failed.get("created_at").asText());
    assertTrue(failed.get("delivered_at").isNull());
  }

  @Test
  void delivery_withItsAttempts() {
    History h = new History();

    JsonNode failed = fx.getJson(KEY_A, "/webhooks/" + h.webhook + "/deliveries/" + h.deliveryId(h.failed));
    Set<String> fields = new HashSet<>(DELIVERY_FIELDS);
    fields.add("attempts");
    assertEquals(fields, names(failed));
    assertEquals(h.failed.eventId(), failed.get("event_id").asText());
    assertEquals(1, failed.get("attempts").size());
    JsonNode attempt = failed.get("attempts").get(0);
    assertEquals(Set.of("number", "started_at", "duration_ms", "http_status", "response_excerpt", "error"), names(attempt));
    assertEquals(1, attempt.get("number").asInt());
    assertEquals("2026-05-02T13:00:00Z", attempt.get("started_at").asText());
    assertEquals(500, attempt.get("http_status").asInt());
    assertEquals("nope", attempt.get("response_excerpt").asText());

    JsonNode delivered = fx.getJson(KEY_A, "/webhooks/" + h.webhook + "/deliveries/" + h.deliveryId(h.delivered));
    assertEquals("delivered", delivered.get("status").asText());
    Instant deliveredAt = Instant.parse(delivered.get("delivered_at").asText());
    assertFalse(deliveredAt.isBefore(T0) || deliveredAt.isAfter(T0.plusSeconds(5)), deliveredAt::toString);
    assertEquals(204, delivered.get("attempts").get(0).get("http_status").asInt());

    JsonNode pending = fx.getJson(KEY_A, "/webhooks/" + h.webhook + "/deliveries/" + h.deliveryId(h.pending));
    assertEquals("pending", pending.get("status").asText());
    assertEquals(0, pending.get("attempts").size());
    assertEquals(0, pending.get("attempt_count").asInt());
  }

  @Test
  void retry_202_failedDeliveryAttemptedAgain_sameEventId() {
    History h = new History();
    String id = h.deliveryId(h.failed);
    String path = "/webhooks/" + h.webhook + "/deliveries/" + id;

    Resp r = fx.call(KEY_A, "POST", path + "/retry", null);

    assertEquals(202, r.status(), r::toString);
    assertEquals(id, r.json().get("id").asText());
    assertEquals("pending", r.json().get("status").asText());
    for (int i = 0; i < 3; i++) {
      fx.respond(204);
    }
    assertEquals(3, fx.dispatch(), "the retried delivery and the two still pending");
    Set<String> sentIds = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      RecordedRequest sent = fx.take();
      if (sent.getTarget().equals("/w")) {
        sentIds.add(verify(sent, h.secret).id().orElseThrow());
      }
    }
    assertEquals(Set.of(h.failed.eventId(), h.pending.eventId()), sentIds);
    JsonNode after = fx.getJson(KEY_A, path);
    assertEquals(2, after.get("attempt_count").asInt());
    List<Integer> statuses = new ArrayList<>();
    after.get("attempts").forEach(a -> statuses.add(a.get("http_status").asInt()));
    assertEquals(List.of(500, 204), statuses);
  }

  @Test
  void eventTypes_theCatalogWithDescriptionsStatesAndExamples() {
    Resp r = fx.get(KEY_A_READ, "/event-types");

    assertEquals(200, r.status(), r::toString);
    JsonNode data = r.json().get("data");
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    data.forEach(t -> byName.put(t.get("name").asText(), t));
    assertEquals(Set.of("order.paid", "order.shipped", "customer.created", "invoice.voided"), byName.keySet());
    JsonNode paid = byName.get("order.paid");
    assertEquals(Set.of("name", "description", "state", "example"), names(paid));
    assertEquals("An order was paid", paid.get("description").asText());
    assertEquals("active", paid.get("state").asText());
    assertEquals(ORDER_PAID_EXAMPLE, paid.get("example"));
    assertEquals("declared", byName.get("invoice.voided").get("state").asText());
    assertEquals(INVOICE_VOIDED_EXAMPLE, byName.get("invoice.voided").get("example"));
  }

  // ---- 400

  static Stream<Arguments> invalidSpecs() {
    String ok = "\"url\":\"https://example.com/hook\",\"events\":[\"order.paid\"]";
    StringBuilder manyHeaders = new StringBuilder();
    StringBuilder manyMetadata = new StringBuilder();
    for (int i = 0; i < 51; i++) {
      if (i < 21) {
        manyHeaders.append(i == 0 ? "" : ",").append("\"X-H").append(i).append("\":\"v\"");
      }
      manyMetadata.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
    }
    return Stream.of(
        Arguments.of("no url", "{\"events\":[\"order.paid\"]}", "missing_required_field", "url"),
        Arguments.of("blank url", "{\"url\":\"  \",\"events\":[\"order.paid\"]}", "missing_required_field", "url"),
        Arguments.of("no events", "{\"url\":\"https://example.com/hook\"}", "missing_required_field", "events"),
        Arguments.of("empty events", "{\"url\":\"https://example.com/hook\",\"events\":[]}",
            "missing_required_field", "events"),
        Arguments.of("ftp url", "{\"url\":\"ftp://example.com/hook\",\"events\":[\"order.paid\"]}", "invalid_url", "url"),
        Arguments.of("not a url", "{\"url\":\"not a url\",\"events\":[\"order.paid\"]}", "invalid_url", "url"),
        Arguments.of("private address", "{\"url\":\"https://10.0.0.1/hook\",\"events\":[\"order.paid\"]}",
            "invalid_url", "url"),
        Arguments.of("metadata address", "{\"url\":\"http://169.254.169.254/latest\",\"events\":[\"order.paid\"]}",
            "invalid_url", "url"),
        Arguments.of("user info", "{\"url\":\"https://u:p@example.com/hook\",\"events\":[\"order.paid\"]}",
            "invalid_url", "url"),
        Arguments.of("unknown event", "{\"url\":\"https://example.com/hook\",\"events\":[\"order.refunded\"]}",
            "invalid_events", "events[0]"),
        Arguments.of("malformed event", "{\"url\":\"https://example.com/hook\",\"events\":[\"order.paid\",\"Bad Name\"]}",
            "invalid_events", "events[1]"),
        Arguments.of("prefix matching nothing", "{\"url\":\"https://example.com/hook\",\"events\":[\"refund.*\"]}",
            "invalid_events", "events[0]"),
        Arguments.of("description too long", "{" + ok + ",\"description\":\"" + "d".repeat(201) + "\"}",
            "invalid_description", "description"),
        Arguments.of("description control char", "{" + ok + ",\"description\":\"a\\u0007b\"}",
            "invalid_description", "description"),
        Arguments.of("reserved header", "{" + ok + ",\"headers\":{\"Content-Type\":\"text/plain\"}}",
            "invalid_headers", "headers.Content-Type"),
        Arguments.of("signature header", "{" + ok + ",\"headers\":{\"webhook-signature\":\"v1,x\"}}",
            "invalid_headers", "headers.webhook-signature"),
        Arguments.of("bad header name", "{" + ok + ",\"headers\":{\"bad name\":\"v\"}}", "invalid_headers", "headers"),
        Arguments.of("header value with newline", "{" + ok + ",\"headers\":{\"X-A\":\"a\\r\\nX-B: b\"}}",
            "invalid_headers", "headers.X-A"),
        Arguments.of("21 headers", "{" + ok + ",\"headers\":{" + manyHeaders + "}}", "invalid_headers", "headers"),
        Arguments.of("bad metadata key", "{" + ok + ",\"metadata\":{\"bad key\":\"v\"}}", "invalid_metadata", "metadata"),
        Arguments.of("metadata value too long", "{" + ok + ",\"metadata\":{\"k\":\"" + "v".repeat(513) + "\"}}",
            "invalid_metadata", "metadata.k"),
        Arguments.of("51 metadata entries", "{" + ok + ",\"metadata\":{" + manyMetadata + "}}",
            "invalid_metadata", "metadata"));
  }

  @ParameterizedTest(name = "{0} → 400 {2} {3}")
  @MethodSource("invalidSpecs")
  void create_invalidSpec_400WithCodeAndField_nothingStored(String name, String body, String code, String field) {
    assertError(fx.call(KEY_A, "POST", "/webhooks", body), 400, code, field);

    assertEquals(0, fx.getJson(KEY_A, "/webhooks").get("data").size());
  }

  @ParameterizedTest(name = "{0} → 400 {2} {3}")
  @MethodSource("invalidSpecs")
  void put_invalidSpec_400WithCodeAndField_webhookUnchanged(String name, String body, String code, String field) {
    String id = fx.create(KEY_A, fx.hookUrl("x"), "order.paid").get("id").asText();
    JsonNode before = fx.snapshot(KEY_A);
    fx.clock.advance(Duration.ofMinutes(1));

    assertError(fx.call(KEY_A, "PUT", "/webhooks/" + id, body), 400, code, field);

    assertEquals(before, fx.snapshot(KEY_A));
  }

  @Test
  void patch_invalidValue_400WithCodeAndField_webhookUnchanged() {
    String id = fx.create(KEY_A, fx.hookUrl("x"), "order.paid").get("id").asText();
    JsonNode before = fx.snapshot(KEY_A);
    fx.clock.advance(Duration.ofMinutes(1));
    String path = "/webhooks/" + id;

    assertError(fx.call(KEY_A, "PATCH", path, "{\"url\":\"ftp://example.com\",\"description\":\"new\"}"),
        400, "invalid_url", "url");
    assertError(fx.call(KEY_A, "PATCH", path, "{\"events\":[]}"), 400, "missing_required_field", "events");
    assertError(fx.call(KEY_A, "PATCH", path, "{\"events\":[\"nope.nope\"]}"), 400, "invalid_events", "events[0]");
    assertError(fx.call(KEY_A, "PATCH", path, "{\"description\":\"" + "d".repeat(201) + "\"}"),
        400, "invalid_description", "description");
    assertError(fx.call(KEY_A, "PATCH", path, "{\"headers\":{\"Host\":\"evil\"}}"), 400, "invalid_headers",
        "headers.Host");
    assertError(fx.call(KEY_A, "PATCH", path, "{\"metadata\":{\"\":\"v\"}}"), 400, "invalid_metadata", "metadata");

    assertEquals(before, fx.snapshot(KEY_A));
  }

  @Test
  void rotateSecret_gracePeriodOutOfRangeOrNotWhole_400_secretUnchanged() {
    JsonNode c = fx.create(KEY_A, fx.hookUrl("r"), "order.paid");
    String path = "/webhooks/" + c.get("id").asText() + "/rotate-secret";
    JsonNode before = fx.snapshot(KEY_A);
    fx.clock.advance(Duration.ofMinutes(1));

    for (String body : List.of("{\"grace_period_seconds\":-1}", "{\"grace_period_seconds\":2592001}",
        "{\"grace_period_seconds\":1.5}", "{\"grace_period_seconds\":\"60\"}", "{\"grace_period_seconds\":null}",
        "{\"grace_period_seconds\":99999999999999999999}")) {
      assertError(fx.call(KEY_A, "POST", path, body), 400, "invalid_json", "grace_period_seconds");
    }
    assertError(fx.call(KEY_A, "POST", path, "{\"grace\":60}"), 400, "invalid_json", "grace");

    assertEquals(before, fx.snapshot(KEY_A));
    fx.respond(204);
    fx.sender.publish(TENANT_A, "order.paid", Map.of());
    fx.dispatch();
    RecordedRequest sent = fx.take();
    assertEquals(1, v1Signatures(sent));
    verify(sent, c.get("secret").asText());
  }

  @Test
  void rotateSecret_thirtyDaysGrace_isTheMaximumAllowed() {
    String id = fx.create(KEY_A, fx.hookUrl("r"), "order.paid").get("id").asText();

    assertEquals(200, fx.call(KEY_A, "POST", "/webhooks/" + id + "/rotate-secret",
        "{\"grace_period_seconds\":2592000}").status());
  }

  // ---- 401

  static Stream<String> badAuthorizations() {
    return Stream.of("Bearer wrong_key_0123456789", "Bearer " + KEY_A + "x", "Bearer " + KEY_A.substring(1),
        KEY_A, "Basic " + Base64.getEncoder().encodeToString((KEY_A + ":").getBytes(StandardCharsets.UTF_8)),
        "Token " + KEY_A, "Bearer", "Bearer" + KEY_A, "Bearer \"" + KEY_A + "\"");
  }

  @ParameterizedTest(name = "Authorization: {0}")
  @MethodSource("badAuthorizations")
  void badAuthorization_401InvalidKey_nothingStored(String authorization) {
    Resp created = fx.send(fx.request(null, "/webhooks").header("Authorization", authorization)
        .post(RequestBody.create(spec("https://example.com/hook", "order.paid").getBytes(StandardCharsets.UTF_8),
            JSON_TYPE)));
    assertError(created, 401, "invalid_key", null);
    assertError(fx.send(fx.request(null, "/event-types").header("Authorization", authorization)), 401,
        "invalid_key", null);

    assertEquals(0, fx.getJson(KEY_A, "/webhooks").get("data").size());
  }

  @Test
  void noAuthorizationHeader_401InvalidKey_onEveryRoute() {
    String id = fx.create(KEY_A, fx.hookUrl("x"), "order.paid").get("id").asText();
    JsonNode before = fx.snapshot(KEY_A);

    assertError(fx.get(null, "/webhooks"), 401, "invalid_key", null);
    assertError(fx.call(null, "POST", "/webhooks", spec("https://example.com/hook", "order.paid")), 401,
        "invalid_key", null);
    assertError(fx.get(null, "/webhooks/" + id), 401, "invalid_key", null);
    assertError(fx.call(null, "DELETE", "/webhooks/" + id, null), 401, "invalid_key", null);
    assertError(fx.call(null, "POST", "/webhooks/" + id + "/rotate-secret", null), 401, "invalid_key", null);
    assertError(fx.get(null, "/event-types"), 401, "invalid_key", null);
    assertError(fx.get(null, "/webhooks/no/such/route/here"), 401, "invalid_key", null);

    assertEquals(before, fx.snapshot(KEY_A));
  }

  // ---- 403

  static Stream<Arguments> writes() {
    return Stream.of(
        Arguments.of("POST", "/webhooks", spec("https://example.com/new", "order.paid")),
        Arguments.of("PUT", "/webhooks/{w}", spec("https://example.com/new", "*")),
        Arguments.of("PATCH", "/webhooks/{w}", "{\"enabled\":false}"),
        Arguments.of("DELETE", "/webhooks/{w}", null),
        Arguments.of("POST", "/webhooks/{w}/rotate-secret", null),
        Arguments.of("POST", "/webhooks/{w}/rotate-secret", "{\"grace_period_seconds\":60}"),
        Arguments.of("POST", "/webhooks/{w}/test", "{\"event\":\"order.paid\"}"),
        Arguments.of("POST", "/webhooks/{w}/deliveries/{d}/retry", null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("writes")
  void readOnlyKey_writing_403InsufficientPermissions_nothingChanged(String method, String template, String body) {
    History h = new History();
    String path = template.replace("{w}", h.webhook).replace("{d}", h.deliveryId(h.failed));
    JsonNode before = fx.snapshot(KEY_A);
    fx.clock.advance(Duration.ofMinutes(1));

    Resp r = fx.call(KEY_A_READ, method, path, body);

    assertError(r, 403, "insufficient_permissions", null);
    assertTrue(r.json().at("/error/message").asText().contains("webhooks:write"), r::toString);
    assertEquals(before, fx.snapshot(KEY_A));
    fx.respond(204);
    fx.respond(204);
    assertEquals(2, fx.dispatch(), "only the two pending deliveries: no test or retry was queued");
  }

  @Test
  void keyWithoutPermissions_reading_403InsufficientPermissions() {
    String id = fx.create(KEY_A, fx.hookUrl("x"), "order.paid").get("id").asText();

    for (String path : List.of("/webhooks", "/webhooks/" + id, "/webhooks/" + id + "/deliveries", "/event-types")) {
      Resp r = fx.get(KEY_A_NONE, path);
      assertError(r, 403, "insufficient_permissions", null);
      assertTrue(r.json().at("/error/message").asText().contains("webhooks:read"), r::toString);
    }
  }

  // ---- 404

  static Stream<Arguments> routesOnUnknownIds() {
    return Stream.of(
        Arguments.of("GET", "/webhooks/{u}", null, "id"),
        Arguments.of("PUT", "/webhooks/{u}", spec("https://example.com/new", "*"), "id"),
        Arguments.of("PATCH", "/webhooks/{u}", "{\"enabled\":false}", "id"),
        Arguments.of("DELETE", "/webhooks/{u}", null, "id"),
        Arguments.of("POST", "/webhooks/{u}/rotate-secret", null, "id"),
        Arguments.of("POST", "/webhooks/{u}/test", "{\"event\":\"order.paid\"}", "id"),
        Arguments.of("GET", "/webhooks/{u}/deliveries", null, "id"),
        Arguments.of("GET", "/webhooks/{w}/deliveries/{u}", null, "delivery_id"),
        Arguments.of("POST", "/webhooks/{w}/deliveries/{u}/retry", null, "delivery_id"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("routesOnUnknownIds")
  void unknownId_404NotFound_nothingChanged(String method, String template, String body, String field) {
    History h = new History();
    JsonNode before = fx.snapshot(KEY_A);
    fx.clock.advance(Duration.ofMinutes(1));

    Resp r = fx.call(KEY_A, method, template.replace("{w}", h.webhook).replace("{u}", UUID.randomUUID().toString()),
        body);

    assertError(r, 404, "not_found", field);
    assertEquals(before, fx.snapshot(KEY_A));
  }

  @Test
  void unknownRoute_404NotFound() {
    String id = fx.create(KEY_A, fx.hookUrl("x"), "order.paid").get("id").asText();

    assertError(fx.get(KEY_A, "/webhooks/" + id + "/nope"), 404, "not_found", null);
    assertError(fx.get(KEY_A, "/webhooks/" + id + "/deliveries/" + UUID.randomUUID() + "/attempts"), 404,
        "not_found", null);
    assertError(fx.call(KEY_A, "POST", "/webhooks/" + id + "/rotate-secret/now", null), 404, "not_found", null);
    assertError(fx.get(KEY_A, "/event-types/order.paid"), 404, "not_found", null);
  }

  // ---- 405

  static Stream<Arguments> wrongMethods() {
    return Stream.of(
        Arguments.of("PUT", "/webhooks", "GET, POST"),
        Arguments.of("DELETE", "/webhooks", "GET, POST"),
        Arguments.of("PATCH", "/webhooks", "GET, POST"),
        Arguments.of("POST", "/webhooks/{w}", "GET, PUT, PATCH, DELETE"),
        Arguments.of("GET", "/webhooks/{w}/rotate-secret", "POST"),
        Arguments.of("DELETE", "/webhooks/{w}/test", "POST"),
        Arguments.of("POST", "/webhooks/{w}/deliveries", "GET"),
        Arguments.of("DELETE", "/webhooks/{w}/deliveries/{d}", "GET"),
        Arguments.of("GET", "/webhooks/{w}/deliveries/{d}/retry", "POST"),
        Arguments.of("POST", "/event-types", "GET"),
        Arguments.of("OPTIONS", "/webhooks/{w}", "GET, PUT, PATCH, DELETE"));
  }

  @ParameterizedTest(name = "{0} {1} → Allow: {2}")
  @MethodSource("wrongMethods")
  void wrongMethod_405MethodNotAllowed_withAllow_nothingChanged(String method, String template, String allow) {
    History h = new History();
    JsonNode before = fx.snapshot(KEY_A);
    fx.clock.advance(Duration.ofMinutes(1));
    String body = method.equals("GET") || method.equals("OPTIONS") ? null : spec("https://example.com/z", "*");

    Resp r = fx.call(KEY_A, method, template.replace("{w}", h.webhook).replace("{d}", h.deliveryId(h.failed)), body);

    assertError(r, 405, "method_not_allowed", null);
    assertEquals(allow, r.headers().get("Allow"));
    assertEquals(before, fx.snapshot(KEY_A));
  }

  // ---- 409

  @Test
  void create_sameUrlTwice_409DuplicateWebhook_onlyTheFirstStored() {
    String first = fx.create(KEY_A, fx.hookUrl("dup"), "order.paid").get("id").asText();

    assertError(fx.call(KEY_A, "POST", "/webhooks", spec(fx.hookUrl("dup"), "order.shipped")), 409,
        "duplicate_webhook", "url");

    assertEquals(List.of(first), texts(fx.getJson(KEY_A, "/webhooks").get("data"), "id"));
  }

  @Test
  void putOrPatch_toAnotherWebhooksUrl_409DuplicateWebhook_unchanged() {
    fx.create(KEY_A, fx.hookUrl("one"), "order.paid");
    String two = fx.create(KEY_A, fx.hookUrl("two"), "order.paid").get("id").asText();
    JsonNode before = fx.snapshot(KEY_A);
    fx.clock.advance(Duration.ofMinutes(1));

    assertError(fx.call(KEY_A, "PATCH", "/webhooks/" + two, "{\"url\":\"" + fx.hookUrl("one") + "\"}"), 409,
        "duplicate_webhook", "url");
    assertError(fx.call(KEY_A, "PUT", "/webhooks/" + two, spec(fx.hookUrl("one"), "*")), 409,
        "duplicate_webhook", "url");

    assertEquals(before, fx.snapshot(KEY_A));
  }

  // ---- 413

  /** A valid creation request of exactly {@code size} bytes (padded with JSON whitespace). */
  static byte[] createBodyOf(int size) {
    String spec = spec("https://example.com/big", "order.paid");
    return (spec.substring(0, spec.length() - 1) + " ".repeat(size - spec.length()) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A body sent chunked, without Content-Length, in small pieces. */
  static RequestBody chunked(byte[] bytes) {
    return new RequestBody() {
      @Override
      public MediaType contentType() {
        return JSON_TYPE;
      }

      @Override
      public long contentLength() {
        return -1;
      }

      @Override
      public void writeTo(BufferedSink sink) throws java.io.IOException {
        for (int i = 0; i < bytes.length; i += 512) {
          sink.write(bytes, i, Math.min(512, bytes.length - i));
          sink.flush();
        }
      }
    };
  }

  @Test
  void create_bodyOverMaxWithContentLength_413PayloadTooLarge_nothingStored() {
    Request.Builder r = fx.request(KEY_A, "/webhooks").post(RequestBody.create(createBodyOf(MAX_BODY + 1), JSON_TYPE));

    Resp resp = fx.send(r);

    assertError(resp, 413, "payload_too_large", null);
    assertEquals(0, fx.getJson(KEY_A, "/webhooks").get("data").size());
  }

  @Test
  void create_chunkedBodyOverMax_413PayloadTooLarge_nothingStored() {
    Resp resp = fx.send(fx.request(KEY_A, "/webhooks").post(chunked(createBodyOf(2 * MAX_BODY))));

    assertError(resp, 413, "payload_too_large", null);
    assertEquals(0, fx.getJson(KEY_A, "/webhooks").get("data").size());
  }

  @Test
  void create_bodyOfExactlyMax_accepted_withContentLengthAndChunked() {
    assertEquals(201, fx.send(fx.request(KEY_A, "/webhooks")
        .post(RequestBody.create(createBodyOf(MAX_BODY), JSON_TYPE))).status());
    fx.call(KEY_A, "DELETE", "/webhooks/" + fx.getJson(KEY_A, "/webhooks").at("/data/0/id").asText(), null);
    assertEquals(201, fx.send(fx.request(KEY_A, "/webhooks").post(chunked(createBodyOf(MAX_BODY)))).status());
  }

  // ---- 415

  @Test
  void nonJsonContentType_415UnsupportedMediaType_nothingChanged() {
    String id = fx.create(KEY_A, fx.hookUrl("x"), "order.paid").get("id").asText();
    JsonNode before = fx.snapshot(KEY_A);
    fx.clock.advance(Duration.ofMinutes(1));

    for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/xml")) {
      MediaType media = MediaType.get(type);
      assertError(fx.send(fx.request(KEY_A, "/webhooks").post(RequestBody.create(
          spec("https://example.com/new", "order.paid").getBytes(StandardCharsets.UTF_8), media))), 415,
          "unsupported_media_type", null);
      assertError(fx.send(fx.request(KEY_A, "/webhooks/" + id).patch(RequestBody.create(
          "{\"enabled\":false}".getBytes(StandardCharsets.UTF_8), media))), 415, "unsupported_media_type", null);
    }

    assertEquals(before, fx.snapshot(KEY_A));
  }

  // ---- 429

  @Test
  void overTheTenantRateLimit_429RateLimited_withRetryAfter_otherTenantUnaffected_refilledByTheClock()
      throws Exception {
    try (ApiHttpFixture limited = new ApiHttpFixture(b -> b.rateLimitPerTenant(1, 2))) {
      assertEquals(200, limited.get(KEY_A, "/webhooks").status());
      assertEquals(200, limited.get(KEY_A_READ, "/event-types").status());

      Resp refused = limited.call(KEY_A, "POST", "/webhooks", spec("https://example.com/hook", "order.paid"));

      assertError(refused, 429, "rate_limited", null);
      assertEquals("1", refused.headers().get("Retry-After"));
      assertError(limited.get(KEY_A_READ, "/webhooks"), 429, "rate_limited", null);
      assertEquals(200, limited.get(KEY_B, "/webhooks").status(), "another tenant has its own bucket");
      assertError(limited.get("wrong_key", "/webhooks"), 401, "invalid_key", null);

      limited.clock.advance(Duration.ofSeconds(1));
      Resp list = limited.get(KEY_A, "/webhooks");
      assertEquals(200, list.status(), list::toString);
      assertEquals(0, list.json().get("data").size(), "the refused creation stored nothing");
      assertError(limited.get(KEY_A, "/webhooks"), 429, "rate_limited", null);
    }
  }

  @Test
  void slowRefill_retryAfterIsWholeSecondsUntilTheNextToken() throws Exception {
    try (ApiHttpFixture limited = new ApiHttpFixture(b -> b.rateLimitPerTenant(0.25, 1))) {
      assertEquals(200, limited.get(KEY_A, "/webhooks").status());
      assertEquals("4", limited.get(KEY_A, "/webhooks").headers().get("Retry-After"));
      limited.clock.advance(Duration.ofMillis(2500));
      Resp r = limited.get(KEY_A, "/webhooks");
      assertError(r, 429, "rate_limited", null);
      assertEquals("2", r.headers().get("Retry-After"), "1.5 s rounds up");
      limited.clock.advance(Duration.ofMillis(1500));
      assertEquals(200, limited.get(KEY_A, "/webhooks").status());
    }
  }
}

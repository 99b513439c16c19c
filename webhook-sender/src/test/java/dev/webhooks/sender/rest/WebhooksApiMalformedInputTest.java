package dev.webhooks.sender.rest;

import static dev.webhooks.sender.rest.ApiHttpFixture.JSON_TYPE;
import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_A;
import static dev.webhooks.sender.rest.ApiHttpFixture.MAX_BODY;
import static dev.webhooks.sender.rest.ApiHttpFixture.TENANT_A;
import static dev.webhooks.sender.rest.ApiHttpFixture.assertError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooks.sender.rest.ApiHttpFixture.Resp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.HttpUrl;
import okhttp3.RequestBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed input over HTTP: bodies, ids and query parameters. Each is refused with its documented
 * status, code and field, and nothing changes: the tenant's webhooks, deliveries and attempts read
 * the same afterwards, and nothing was queued for sending.
 */
class WebhooksApiMalformedInputTest {
  static final String VALID = "{\"url\":\"https://example.com/new\",\"events\":[\"order.paid\"]}";

  ApiHttpFixture fx;
  String webhook;
  String delivery;
  JsonNode before;

  @BeforeEach
  void setUp() throws Exception {
    fx = new ApiHttpFixture();
    webhook = fx.create(KEY_A, fx.hookUrl("w"), "order.paid").get("id").asText();
    fx.sender.publish(TENANT_A, "order.paid", Map.of("n", 1)); // one pending delivery
    delivery = fx.getJson(KEY_A, "/webhooks/" + webhook + "/deliveries").at("/data/0/id").asText();
    before = fx.snapshot(KEY_A);
    fx.clock.advance(Duration.ofMinutes(1)); // a change now would show in updated_at
  }

  @AfterEach
  void tearDown() throws Exception {
    fx.close();
  }

  void assertNothingChanged() {
    assertEquals(before, fx.snapshot(KEY_A));
    fx.respond(204);
    assertEquals(1, fx.dispatch(), "only the one pending delivery is due");
    assertEquals("/w", fx.take().getTarget());
  }

  static String nested(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  // ---- bodies

  static Stream<Arguments> malformedBodies() {
    String validHead = VALID.substring(0, VALID.length() - 1);
    return Stream.of(
        Arguments.of("empty body", "", null),
        Arguments.of("whitespace only", "   \n ", null),
        Arguments.of("truncated", "{\"url\":", null),
        Arguments.of("not JSON", "url=https://example.com/new&events=order.paid", null),
        Arguments.of("trailing garbage", VALID + " x", null),
        Arguments.of("trailing second object", VALID + VALID, null),
        Arguments.of("trailing comma", validHead + ",}", null),
        Arguments.of("comment", "{/* c */" + VALID.substring(1), null),
        Arguments.of("single quotes", "{'url':'https://example.com/new','events':['order.paid']}", null),
        Arguments.of("unquoted names", "{url:\"https://example.com/new\",events:[\"order.paid\"]}", null),
        Arguments.of("NaN", validHead + ",\"enabled\":NaN}", null),
        Arguments.of("array", "[" + VALID + "]", null),
        Arguments.of("string", "\"" + VALID.replace("\"", "\\\"") + "\"", null),
        Arguments.of("number", "42", null),
        Arguments.of("null", "null", null),
        Arguments.of("true", "true", null),
        Arguments.of("duplicate key", "{\"url\":\"https://example.com/a\",\"url\":\"https://example.com/new\","
            + "\"events\":[\"order.paid\"]}", null),
        Arguments.of("duplicate nested key", validHead + ",\"metadata\":{\"k\":\"a\",\"k\":\"b\"}}", null),
        Arguments.of("100 levels deep", validHead + ",\"metadata\":{\"k\":" + nested(100) + "}}", null),
        Arguments.of("17 levels deep", validHead + ",\"metadata\":{\"k\":" + nested(15) + "}}", null),
        Arguments.of("url: 1", "{\"url\":1,\"events\":[\"order.paid\"]}", "url"),
        Arguments.of("url: null", "{\"url\":null,\"events\":[\"order.paid\"]}", "url"),
        Arguments.of("url: [..]", "{\"url\":[\"https://example.com/new\"],\"events\":[\"order.paid\"]}", "url"),
        Arguments.of("events: \"x\"", "{\"url\":\"https://example.com/new\",\"events\":\"order.paid\"}", "events"),
        Arguments.of("events: [1]", "{\"url\":\"https://example.com/new\",\"events\":[1]}", "events"),
        Arguments.of("events: [null]", "{\"url\":\"https://example.com/new\",\"events\":[null]}", "events"),
        Arguments.of("events: {}", "{\"url\":\"https://example.com/new\",\"events\":{}}", "events"),
        Arguments.of("events: null", "{\"url\":\"https://example.com/new\",\"events\":null}", "events"),
        Arguments.of("enabled: \"yes\"", validHead + ",\"enabled\":\"yes\"}", "enabled"),
        Arguments.of("enabled: 1", validHead + ",\"enabled\":1}", "enabled"),
        Arguments.of("enabled: null", validHead + ",\"enabled\":null}", "enabled"),
        Arguments.of("description: 5", validHead + ",\"description\":5}", "description"),
        Arguments.of("description: {}", validHead + ",\"description\":{}}", "description"),
        Arguments.of("headers: []", validHead + ",\"headers\":[]}", "headers"),
        Arguments.of("headers: \"x\"", validHead + ",\"headers\":\"X-A: 1\"}", "headers"),
        Arguments.of("headers: {X-A: 1}", validHead + ",\"headers\":{\"X-A\":1}}", "headers"),
        Arguments.of("headers: {X-A: null}", validHead + ",\"headers\":{\"X-A\":null}}", "headers"),
        Arguments.of("metadata: {a: 1}", validHead + ",\"metadata\":{\"a\":1}}", "metadata"),
        Arguments.of("metadata: []", validHead + ",\"metadata\":[]}", "metadata"),
        Arguments.of("metadata: {a: {}}", validHead + ",\"metadata\":{\"a\":{\"b\":\"c\"}}}", "metadata"),
        Arguments.of("metadata: {a: true}", validHead + ",\"metadata\":{\"a\":true}}", "metadata"),
        Arguments.of("unknown field", validHead + ",\"evnts\":[\"order.paid\"]}", "evnts"),
        Arguments.of("secret given", validHead + ",\"secret\":\"whsec_" + "A".repeat(32) + "\"}", "secret"),
        Arguments.of("id given", validHead + ",\"id\":\"00000000-0000-0000-0000-000000000001\"}", "id"),
        Arguments.of("field in another case", "{\"URL\":\"https://example.com/new\",\"events\":[\"order.paid\"]}",
            "URL"),
        Arguments.of("snake_case of nothing", validHead + ",\"tenant_id\":\"tenant-b\"}", "tenant_id"));
  }

  static Stream<Arguments> malformedBodiesOnEveryWrite() {
    List<Arguments> out = new ArrayList<>();
    for (String method : List.of("POST", "PUT", "PATCH")) {
      malformedBodies().forEach(a -> out.add(Arguments.of(method, a.get()[0], a.get()[1], a.get()[2])));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1} → 400 invalid_json, field {3}")
  @MethodSource("malformedBodiesOnEveryWrite")
  void malformedBody_400InvalidJsonWithField_nothingChanged(String method, String name, String body, String field) {
    String path = method.equals("POST") ? "/webhooks" : "/webhooks/" + webhook;

    assertError(fx.call(KEY_A, method, path, body), 400, "invalid_json", field);

    assertNothingChanged();
  }

  @Test
  void invalidUtf8_400InvalidJson_nothingChanged() {
    byte[] body = "{\"url\":\"https://example.com/\u00e9\",\"events\":[\"order.paid\"]}".getBytes(StandardCharsets.ISO_8859_1);

    for (String method : List.of("POST", "PUT", "PATCH")) {
      String path = method.equals("POST") ? "/webhooks" : "/webhooks/" + webhook;
      assertError(fx.send(fx.request(KEY_A, path).method(method, RequestBody.create(body, JSON_TYPE))), 400,
          "invalid_json", null);
    }

    assertNothingChanged();
  }

  @Test
  void malformedBodies_onRotateAndTest_400InvalidJson_nothingRotatedOrQueued() {
    String rotate = "/webhooks/" + webhook + "/rotate-secret";
    String test = "/webhooks/" + webhook + "/test";

    for (String path : List.of(rotate, test)) {
      assertError(fx.call(KEY_A, "POST", path, "{"), 400, "invalid_json", null);
      assertError(fx.call(KEY_A, "POST", path, "[]"), 400, "invalid_json", null);
      assertError(fx.call(KEY_A, "POST", path, "{} {}"), 400, "invalid_json", null);
      assertError(fx.call(KEY_A, "POST", path, "{\"a\":" + nested(100) + "}"), 400, "invalid_json", null);
    }
    assertError(fx.call(KEY_A, "POST", test, ""), 400, "invalid_json", null);
    assertError(fx.call(KEY_A, "POST", test, "{\"event\":\"order.paid\",\"event\":\"order.paid\"}"), 400,
        "invalid_json", null);
    assertError(fx.call(KEY_A, "POST", rotate, "{\"grace_period_seconds\":60,\"grace_period_seconds\":0}"), 400,
        "invalid_json", null);

    assertNothingChanged();
  }

  // ---- oversized bodies

  /** A body of {@code size} bytes that would be a valid request for {@code method} if it were smaller. */
  static byte[] validBodyOf(String json, int size) {
    return (json.substring(0, json.length() - 1) + " ".repeat(size - json.length()) + "}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static Stream<Arguments> writesWithBodies() {
    return Stream.of(
        Arguments.of("POST", "/webhooks", VALID),
        Arguments.of("PUT", "/webhooks/{w}", VALID),
        Arguments.of("PATCH", "/webhooks/{w}", "{\"enabled\":false}"),
        Arguments.of("POST", "/webhooks/{w}/rotate-secret", "{\"grace_period_seconds\":60}"),
        Arguments.of("POST", "/webhooks/{w}/test", "{\"event\":\"order.paid\"}"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("writesWithBodies")
  void oversizedBodyWithContentLength_413PayloadTooLarge_nothingChanged(String method, String template,
      String json) {
    Resp r = fx.send(fx.request(KEY_A, template.replace("{w}", webhook))
        .method(method, RequestBody.create(validBodyOf(json, MAX_BODY + 1), JSON_TYPE)));

    assertError(r, 413, "payload_too_large", null);
    assertNothingChanged();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("writesWithBodies")
  void oversizedChunkedBody_413PayloadTooLarge_nothingChanged(String method, String template, String json) {
    Resp r = fx.send(fx.request(KEY_A, template.replace("{w}", webhook))
        .method(method, WebhooksApiHttpTest.chunked(validBodyOf(json, 3 * MAX_BODY))));

    assertError(r, 413, "payload_too_large", null);
    assertNothingChanged();
  }

  @Test
  void oversizedBody_refusedBeforeTheKeyIsChecked_413() {
    Resp r = fx.send(fx.request("wrong_key", "/webhooks").post(RequestBody.create(validBodyOf(VALID, MAX_BODY + 1),
        JSON_TYPE)));

    assertEquals(413, r.status(), r::toString);
    assertNothingChanged();
  }

  @Test
  void hugeDeclaredContentLength_413WithoutWaitingForTheBody() {
    Resp r = fx.rawExchange("POST /webhooks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + KEY_A
        + "\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{\"url\":");

    assertError(r, 413, "payload_too_large", null);
    assertNothingChanged();
  }

  // ---- ids

  static Stream<String> badIds() {
    return Stream.of("not-a-uuid", "1-1-1-1-1", "00000000000000000000000000000001",
        "%7B00000000-0000-0000-0000-000000000001%7D", "00000000-0000-0000-0000-0000000000001",
        "00000000-0000-0000-0000-00000000000", "urn:uuid:00000000-0000-0000-0000-000000000001",
        "..%2F..%2Fevent-types", "..%2F..", "..%5C..", "%2e%2e%2F%2e%2e", "%00", "null", "0", "-1", "%20",
        "00000000-0000-0000-0000-000000000001%00", "00000000-0000-0000-0000-000000000001%2Fdeliveries",
        "%2F00000000-0000-0000-0000-000000000001", "x".repeat(2000));
  }

  /** The bad id, or the webhook's own id spoiled by {@code bad} where it says {@code W}. */
  static Stream<Arguments> badIdRoutes() {
    List<Arguments> out = new ArrayList<>();
    badIds().forEach(bad -> {
      out.add(Arguments.of("GET", "/webhooks/" + bad, null));
      out.add(Arguments.of("PUT", "/webhooks/" + bad, VALID));
      out.add(Arguments.of("PATCH", "/webhooks/" + bad, "{\"enabled\":false}"));
      out.add(Arguments.of("DELETE", "/webhooks/" + bad, null));
      out.add(Arguments.of("POST", "/webhooks/" + bad + "/rotate-secret", null));
      out.add(Arguments.of("POST", "/webhooks/" + bad + "/test", "{\"event\":\"order.paid\"}"));
      out.add(Arguments.of("GET", "/webhooks/" + bad + "/deliveries", null));
      out.add(Arguments.of("GET", "/webhooks/{w}/deliveries/" + bad, null));
      out.add(Arguments.of("POST", "/webhooks/{w}/deliveries/" + bad + "/retry", null));
    });
    return out.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badIdRoutes")
  void badId_404NotFound_nothingChanged(String method, String template, String body) {
    String path = template.replace("{w}", webhook);
    assertEquals(path, HttpUrl.get(fx.base + path).encodedPath(), "the client sends the path as written");

    assertError(fx.call(KEY_A, method, path, body), 404, "not_found",
        template.startsWith("/webhooks/{w}/deliveries/") ? "delivery_id" : "id");

    assertNothingChanged();
  }

  @Test
  void idsSpoiltByOneCharacter_404_nothingChanged() {
    List<String> spoilt = List.of(webhook.substring(1), webhook + "0", webhook.replace("-", ""),
        webhook.substring(0, 35) + "g", "{" + webhook + "}", webhook.replace('-', '_'), " " + webhook);
    for (String id : spoilt) {
      String encoded = id.replace(" ", "%20").replace("{", "%7B").replace("}", "%7D");
      assertError(fx.get(KEY_A, "/webhooks/" + encoded), 404, "not_found", "id");
      assertError(fx.call(KEY_A, "DELETE", "/webhooks/" + encoded, null), 404, "not_found", "id");
      assertError(fx.call(KEY_A, "PATCH", "/webhooks/" + encoded, "{\"enabled\":false}"), 404, "not_found", "id");
    }
    assertError(fx.get(KEY_A, "/webhooks/" + webhook + "/deliveries/" + delivery.substring(1)), 404, "not_found",
        "delivery_id");
    assertError(fx.call(KEY_A, "POST", "/webhooks/" + webhook + "/deliveries/" + delivery + "0/retry", null), 404,
        "not_found", "delivery_id");

    assertNothingChanged();
  }

  @Test
  void emptySegments_404NotFound_nothingChanged() {
    for (String path : List.of("/webhooks//", "/webhooks//deliveries", "/webhooks/" + webhook + "//",
        "/webhooks/" + webhook + "//deliveries", "/webhooks//" + webhook, "/webhooks/" + webhook + "/deliveries//",
        "/webhooks/" + webhook + "/deliveries//retry", "/webhooks/" + webhook + "/deliveries/" + delivery + "//retry",
        "/webhooks/" + webhook + "/deliveries/" + delivery + "/retry//")) {
      assertEquals(path, HttpUrl.get(fx.base + path).encodedPath());
      for (String method : List.of("GET", "DELETE", "POST", "PATCH")) {
        String body = method.equals("PATCH") ? "{\"enabled\":false}" : null;
        Resp r = fx.call(KEY_A, method, path, body);
        assertError(r, 404, "not_found", null);
      }
    }

    assertNothingChanged();
  }

  @Test
  void literalDotSegments_sentVerbatim_404_nothingChanged() {
    String w = "/webhooks/" + webhook;
    String d = w + "/deliveries/" + delivery;
    for (String request : List.of("GET /webhooks/..", "DELETE /webhooks/..", "GET /webhooks/../event-types",
        "GET /webhooks/%2e%2e", "DELETE /webhooks/%2E%2E", "DELETE " + w + "/..", "GET " + w + "/../" + webhook,
        "DELETE " + w + "/../" + webhook, "GET " + w + "/deliveries/..", "GET " + w + "/deliveries/../../" + webhook,
        "POST " + d + "/../" + delivery + "/retry", "GET /webhooks/.", "DELETE /webhooks/.",
        "DELETE /webhooks/./" + webhook, "POST " + w + "/./rotate-secret", "POST " + d + "/./retry")) {
      String[] parts = request.split(" ");
      Resp r = fx.raw(parts[0], parts[1], KEY_A);
      assertEquals(404, r.status(), () -> request + ": " + r);
      assertEquals("not_found", r.errorCode(), () -> request + ": " + r);
    }

    assertNothingChanged();
  }

  // ---- query parameters

  static Stream<Arguments> badListParameters() {
    return Stream.of(
        Arguments.of("page=0", "page"), Arguments.of("page=-1", "page"), Arguments.of("page=abc", "page"),
        Arguments.of("page=10001", "page"), Arguments.of("page=1.5", "page"), Arguments.of("page=", "page"),
        Arguments.of("page=99999999999", "page"), Arguments.of("page=0x10", "page"), Arguments.of("page=1e3", "page"),
        Arguments.of("per_page=0", "per_page"), Arguments.of("per_page=101", "per_page"),
        Arguments.of("per_page=-1", "per_page"), Arguments.of("per_page=abc", "per_page"),
        Arguments.of("per_page=", "per_page"), Arguments.of("per_page=2147483648", "per_page"),
        Arguments.of("page=1&per_page=1000", "per_page"), Arguments.of("page=%31%30%30%30%31", "page"));
  }

  @ParameterizedTest(name = "GET /webhooks?{0}")
  @MethodSource("badListParameters")
  void listWebhooks_badPaging_400InvalidParameter(String query, String field) {
    assertError(fx.get(KEY_A, "/webhooks?" + query), 400, "invalid_parameter", field);

    assertNothingChanged();
  }

  static Stream<Arguments> badDeliveryParameters() {
    List<Arguments> out = new ArrayList<>(badListParameters().toList());
    out.addAll(List.of(
        Arguments.of("from=yesterday", "from"), Arguments.of("from=2026-05-02", "from"),
        Arguments.of("from=2026-05-02T12:00:00", "from"), Arguments.of("from=1746187200", "from"),
        Arguments.of("from=", "from"), Arguments.of("to=tomorrow", "to"), Arguments.of("to=2026-13-01T00:00:00Z", "to"),
        Arguments.of("to=2026-05-02T25:00:00Z", "to"), Arguments.of("status=bogus", "status"),
        Arguments.of("status=DELIVERED", "status"), Arguments.of("status=", "status"),
        Arguments.of("status=delivered%00", "status"), Arguments.of("status=succeeded", "status"),
        Arguments.of("from=2026-05-02T13:00:00Z&to=2026-05-02T12:00:00Z", "to"),
        Arguments.of("from=2026-05-02T12:00:00Z&to=2026-05-02T12:00:00Z", "to")));
    return out.stream();
  }

  @ParameterizedTest(name = "GET /webhooks/ID/deliveries?{0}")
  @MethodSource("badDeliveryParameters")
  void listDeliveries_badParameter_400InvalidParameter(String query, String field) {
    assertError(fx.get(KEY_A, "/webhooks/" + webhook + "/deliveries?" + query), 400, "invalid_parameter", field);

    assertNothingChanged();
  }

  @Test
  void pagingBounds_accepted() {
    assertEquals(200, fx.get(KEY_A, "/webhooks?page=10000&per_page=100").status());
    assertEquals(200, fx.get(KEY_A, "/webhooks?page=1&per_page=1").status());
    JsonNode last = fx.getJson(KEY_A, "/webhooks/" + webhook + "/deliveries?page=10000&per_page=100");
    assertEquals(0, last.get("data").size());
    assertFalse(last.get("has_more").asBoolean());
    assertEquals(10000, last.get("page").asInt());
  }

  @Test
  void statusFilter_isCaseSensitiveWireName() {
    for (String status : List.of("pending", "delivered", "failed")) {
      assertEquals(200, fx.get(KEY_A, "/webhooks/" + webhook + "/deliveries?status=" + status).status());
      assertEquals(400, fx.get(KEY_A, "/webhooks/" + webhook + "/deliveries?status="
          + status.toUpperCase(Locale.ROOT)).status());
    }
  }
}

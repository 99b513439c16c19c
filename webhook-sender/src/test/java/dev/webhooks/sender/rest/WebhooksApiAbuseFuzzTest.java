package dev.webhooks.sender.rest;

import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_A;
import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_A_NONE;
import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_A_READ;
import static dev.webhooks.sender.rest.ApiHttpFixture.KEY_B;
import static dev.webhooks.sender.rest.ApiHttpFixture.MAX_BODY;
import static dev.webhooks.sender.rest.ApiHttpFixture.TENANT_A;
import static dev.webhooks.sender.rest.ApiHttpFixture.TENANT_B;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The management API under abuse: malformed JSON, wrong types, deep nesting, huge bodies, path
 * traversal and other bad ids, bad query values, bad credentials and methods. Generated requests go
 * through {@link WebhooksApi#handle} (fast, many) and, fewer, byte for byte over a socket to the JDK
 * server adapter. Never a 500; every refusal is a documented status with its documented code in
 * {@code {"error": {"code", "message", "field"}}}; and a refused request changes nothing: both
 * tenants' webhooks, deliveries and attempts read the same before and after. The inputs tried and
 * the statuses seen are printed at the end.
 */
class WebhooksApiAbuseFuzzTest {
  static ApiHttpFixture fx;
  /** Tenant A's webhook, a failed delivery of it (with an attempt), a pending one; tenant B's webhook. */
  static String w;
  static String failed;
  static String pending;
  static String wb;

  static final Map<String, LongAdder> FIGURES = new ConcurrentHashMap<>();

  /** The documented status of each error code (WebhooksApi's javadoc). */
  static final Map<String, Integer> DOCUMENTED = Map.ofEntries(
      Map.entry("missing_required_field", 400), Map.entry("invalid_url", 400), Map.entry("invalid_events", 400),
      Map.entry("invalid_description", 400), Map.entry("invalid_headers", 400), Map.entry("invalid_metadata", 400),
      Map.entry("invalid_json", 400), Map.entry("invalid_parameter", 400), Map.entry("invalid_key", 401),
      Map.entry("insufficient_permissions", 403), Map.entry("not_found", 404), Map.entry("method_not_allowed", 405),
      Map.entry("duplicate_webhook", 409), Map.entry("payload_too_large", 413),
      Map.entry("unsupported_media_type", 415), Map.entry("rate_limited", 429));

  @BeforeContainer
  static void setUp() throws IOException {
    fx = new ApiHttpFixture();
    w = fx.create(KEY_A, fx.hookUrl("w"), "order.paid").get("id").asText();
    fx.create(KEY_A, fx.hookUrl("w2"), "*");
    wb = fx.create(KEY_B, fx.hookUrl("b"), "order.paid").get("id").asText();
    fx.respond(500);
    fx.respond(204);
    fx.sender.publish(TENANT_A, "order.paid", Map.of("n", 1));
    fx.sender.publish(TENANT_B, "order.paid", Map.of("n", 2));
    fx.dispatch();
    fx.sender.publish(TENANT_A, "customer.created", Map.of("n", 3));
    JsonNode deliveries = fx.getJson(KEY_A, "/webhooks/" + w + "/deliveries");
    failed = deliveries.at("/data/0/id").asText();
    pending = fx.getJson(KEY_A, "/webhooks?per_page=100").at("/data").findValues("id").stream()
        .map(JsonNode::asText).filter(id -> !id.equals(w)).findFirst().orElseThrow();
    pending = fx.getJson(KEY_A, "/webhooks/" + pending + "/deliveries").at("/data/0/id").asText();
    fx.clock.advance(Duration.ofMinutes(1)); // a change now would show in updated_at
  }

  @AfterContainer
  static void tearDown() throws IOException {
    Map<String, Long> sorted = new TreeMap<>();
    FIGURES.forEach((k, v) -> sorted.put(k, v.sum()));
    StringBuilder detail = new StringBuilder();
    sorted.forEach((k, v) -> detail.append("\n  ").append(k).append(": ").append(v));
    System.out.println("rest-fuzz: " + figure("handler: requests") + " requests through the handler and "
        + figure("http: requests") + " over HTTP, " + figure("refused") + " refused with a documented status and "
        + "code and nothing changed, " + figure("accepted") + " accepted (reads, or writes whose mutation stayed "
        + "valid), " + figure("status 500") + " answered 500" + detail);
    fx.close();
  }

  static void count(String what) {
    FIGURES.computeIfAbsent(what, k -> new LongAdder()).increment();
  }

  static long figure(String what) {
    LongAdder a = FIGURES.get(what);
    return a == null ? 0 : a.sum();
  }

  // ---- the requests

  /**
   * A request; the target may hold {@code {W}} (A's webhook), {@code {F}} and {@code {P}} (its
   * failed and another pending delivery) and {@code {WB}} (B's webhook).
   */
  record Req(String category, String method, String target, String authorization, String contentType, byte[] body) {
    String resolvedTarget() {
      return target.replace("{W}", w).replace("{F}", failed).replace("{P}", pending).replace("{WB}", wb);
    }

    Map<String, List<String>> headers() {
      Map<String, List<String>> h = new LinkedHashMap<>();
      if (authorization != null) {
        h.put("Authorization", List.of(authorization));
      }
      if (contentType != null) {
        h.put("Content-Type", List.of(contentType));
      }
      return h;
    }

    @Override
    public String toString() {
      String b = new String(body, 0, Math.min(body.length, 120), StandardCharsets.UTF_8);
      return category + ": " + method + " " + target + " [" + authorization + "] [" + contentType + "] "
          + body.length + " bytes: " + b;
    }
  }

  static final String VALID = "{\"url\":\"https://example.com/new\",\"events\":[\"order.paid\"]}";
  static final String BEARER_A = "Bearer " + KEY_A;

  /** Writes with a body: where malformed bodies go. */
  static final List<String[]> WRITES = List.of(new String[] {"POST", "/webhooks"}, new String[] {"PUT", "/webhooks/{W}"},
      new String[] {"PATCH", "/webhooks/{W}"}, new String[] {"POST", "/webhooks/{W}/rotate-secret"},
      new String[] {"POST", "/webhooks/{W}/test"});

  @Provide
  Arbitrary<Req> requests() {
    return Arbitraries.frequencyOf(
        Tuple.of(5, malformedBodies()), Tuple.of(2, hugeBodies()), Tuple.of(3, wrongValues()),
        Tuple.of(3, badIds()), Tuple.of(3, badQueries()), Tuple.of(2, badCallers()));
  }

  static Arbitrary<String[]> writes() {
    return Arbitraries.of(WRITES);
  }

  static Arbitrary<String> contentTypes() {
    return Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just("application/json")),
        Tuple.of(1, Arbitraries.of("application/json; charset=utf-8", "application/vnd.api+json", "text/json")),
        Tuple.of(1, Arbitraries.<String>just(null)));
  }

  /** Bytes that are not a well-formed request body: garbage, broken JSON, deep nesting, odd encodings. */
  static Arbitrary<Req> malformedBodies() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(400);
    Arbitrary<byte[]> jsonish = Arbitraries.strings().withChars("{}[]\":,0123456789.-+eEtrufalsn \\u\n\t'/*#")
        .ofMinLength(1).ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> mutated = Combinators.combine(Arbitraries.of(VALID, "{\"enabled\":false}",
        "{\"grace_period_seconds\":60}", "{\"event\":\"order.paid\"}", "{\"headers\":{\"X-A\":\"1\"}}"),
        Arbitraries.integers().between(0, 200), Arbitraries.integers().between(0, 3),
        Arbitraries.chars().with("{}[]\",:\\ ax0\u0000\u00e9".toCharArray())).as((json, at, op, c) -> {
          int i = Math.min(at, json.length() - 1);
          String out = switch (op) {
            case 0 -> json.substring(0, i) + json.substring(i + 1);
            case 1 -> json.substring(0, i) + c + json.substring(i);
            case 2 -> json.substring(0, i) + c + json.substring(i + 1);
            default -> json.substring(0, i);
          };
          return out.getBytes(StandardCharsets.UTF_8);
        });
    Arbitrary<byte[]> deep = Combinators.combine(Arbitraries.integers().between(17, 20_000), Arbitraries.of(0, 1, 2))
        .as((depth, shape) -> (switch (shape) {
          case 0 -> "[".repeat(depth) + "]".repeat(depth);
          case 1 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
          default -> "{\"url\":\"https://example.com/x\",\"events\":[\"order.paid\"],\"metadata\":{\"k\":"
              + "[".repeat(depth) + "]".repeat(depth) + "}}";
        }).getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> odd = Arbitraries.of(
        "\uFEFF" + VALID, VALID + " x", VALID + VALID, "{/*c*/\"enabled\":false}", "{'enabled':false}",
        "{enabled:false}", "{\"enabled\":false,}", "{\"enabled\":NaN}", "{\"enabled\":false,\"enabled\":true}",
        "{\"events\":[\"order.paid\",]}", "{\"url\":\"\\ud800\"}", "{\"url\":\"\\u0000\"}", "null", "true", "42",
        "\"x\"", "[]", "[{}]", " ", "\n", "{", "}", "{\"a\"", "{\"a\":}", "{\"grace_period_seconds\":1e999}",
        "{\"grace_period_seconds\":99999999999999999999999}", "{\"grace_period_seconds\":-0.0}")
        .map(s -> s.getBytes(StandardCharsets.UTF_8));
    Arbitrary<byte[]> utf16 = Arbitraries.of(VALID, "{\"enabled\":false}").map(s -> s.getBytes(StandardCharsets.UTF_16));
    Arbitrary<byte[]> latin1 = Arbitraries.just("{\"description\":\"caf\u00e9\",\"url\":\"\u00ff\"}"
        .getBytes(StandardCharsets.ISO_8859_1));
    Arbitrary<byte[]> body = Arbitraries.frequencyOf(Tuple.of(2, random), Tuple.of(3, jsonish), Tuple.of(3, mutated),
        Tuple.of(2, deep), Tuple.of(2, odd), Tuple.of(1, utf16), Tuple.of(1, latin1));
    return Combinators.combine(writes(), contentTypes(), body)
        .as((wr, type, b) -> new Req("malformed body", wr[0], wr[1], BEARER_A, type, b));
  }

  /** Bodies past the cap, whether valid JSON inside or not; and long strings within it. */
  static Arbitrary<Req> hugeBodies() {
    Arbitrary<byte[]> huge = Combinators.combine(Arbitraries.of(MAX_BODY + 1, 2 * MAX_BODY, 70_000, 300_000),
        Arbitraries.of(0, 1, 2)).as((size, shape) -> switch (shape) {
          case 0 -> (VALID.substring(0, VALID.length() - 1) + " ".repeat(size - VALID.length()) + "}")
              .getBytes(StandardCharsets.UTF_8);
          case 1 -> ("{\"description\":\"" + "d".repeat(size) + "\"}").getBytes(StandardCharsets.UTF_8);
          default -> "[".repeat(size).getBytes(StandardCharsets.UTF_8);
        });
    Arbitrary<byte[]> longInside = Arbitraries.of("description", "url", "events", "headers", "metadata", "event")
        .map(field -> {
          String big = "x".repeat(MAX_BODY - 200);
          String value = switch (field) {
            case "events" -> "[\"" + big + "\"]";
            case "headers", "metadata" -> "{\"X-" + big.substring(0, 100) + "\":\"" + big.substring(100) + "\"}";
            case "url" -> "\"https://example.com/" + big + "\"";
            default -> "\"" + big + "\"";
          };
          return ("{\"" + field + "\":" + value + "}").getBytes(StandardCharsets.UTF_8);
        });
    return Combinators.combine(writes(), Arbitraries.frequencyOf(Tuple.of(3, huge), Tuple.of(1, longInside)))
        .as((wr, b) -> new Req("huge body", wr[0], wr[1], BEARER_A, "application/json", b));
  }

  /** Well-formed JSON whose values are of the wrong type, or out of their range. */
  static Arbitrary<Req> wrongValues() {
    Map<String, List<String>> wrong = new LinkedHashMap<>();
    List<String> notString = List.of("1", "-1", "1.5", "1e999", "true", "false", "[]", "{}", "[\"x\"]", "{\"a\":\"b\"}",
        "[null]");
    wrong.put("url", concat(notString, List.of("null", "\"\"", "\"   \"", "\"http://169.254.169.254/latest\"",
        "\"https://[::1]/\"", "\"javascript:alert(1)\"", "\"https://user:pw@example.com/\"",
        "\"https://example.com/\\r\\nX: y\"", "\"file:///etc/passwd\"", "\"https://2130706433/\"",
        "\"https://localhost/\"", "\"https://example.com:0/\"")));
    wrong.put("events", List.of("\"order.paid\"", "1", "null", "{}", "[1]", "[null]", "[[\"order.paid\"]]", "[]",
        "[\"nope\"]", "[\"order.*.x\"]", "[\"ORDER.PAID\"]", "[\"\"]", "[\"order.paid\\u0000\"]", "[{}]", "true"));
    wrong.put("description", List.of("1", "true", "[]", "{}", "[\"d\"]", "\"" + "d".repeat(201) + "\"",
        "\"a\\u0000b\"", "\"a\\u0007b\""));
    wrong.put("enabled", List.of("\"true\"", "1", "0", "null", "[]", "{}", "\"yes\"", "1.0"));
    wrong.put("headers", List.of("[]", "\"X-A: 1\"", "1", "null", "{\"X-A\":1}", "{\"X-A\":null}", "{\"X-A\":{}}",
        "{\"X-A\":[\"1\"]}", "{\"X-A\":\"a\\r\\nHost: evil\"}", "{\"X-A\":\"a\\nb\"}", "{\"Host\":\"evil\"}",
        "{\"webhook-signature\":\"v1,x\"}", "{\"Content-Length\":\"0\"}", "{\"bad name\":\"x\"}",
        "{\"X-A\\r\\nX-B\":\"x\"}", "{\"\":\"x\"}", "{\"Transfer-Encoding\":\"chunked\"}",
        "{\"X-A\":\"1\",\"x-a\":\"2\"}"));
    wrong.put("metadata", List.of("[]", "\"k=v\"", "1", "{\"k\":1}", "{\"k\":null}", "{\"k\":{\"a\":\"b\"}}",
        "{\"k\":[\"v\"]}", "{\"k\":true}", "{\"\":\"v\"}"));
    wrong.put("grace_period_seconds", List.of("-1", "2592001", "1e3", "1.5", "\"60\"", "null", "[]", "{}", "true",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809"));
    wrong.put("event", List.of("1", "null", "[]", "{}", "\"nope\"", "\"\"", "\"order.paid \"", "\"ORDER.PAID\"",
        "\"order.*\"", "\"*\"", "[\"order.paid\"]", "true"));
    wrong.put("secret", List.of("\"whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\""));
    wrong.put("tenant_id", List.of("\"" + TENANT_B + "\""));
    wrong.put("id", List.of("\"00000000-0000-0000-0000-000000000001\""));
    List<String[]> cases = new ArrayList<>();
    wrong.forEach((field, values) -> values.forEach(v -> cases.add(new String[] {field, v})));
    return Combinators.combine(Arbitraries.of(cases), Arbitraries.of(0, 1, 2, 3)).as((c, route) -> {
      String field = c[0];
      String value = c[1];
      String head = "{\"url\":\"https://example.com/new\",\"events\":[\"order.paid\"]";
      String[] wr;
      String body;
      if (field.equals("grace_period_seconds")) {
        wr = WRITES.get(3);
        body = "{\"" + field + "\":" + value + "}";
      } else if (field.equals("event")) {
        wr = WRITES.get(4);
        body = "{\"" + field + "\":" + value + "}";
      } else if (route == 2) {
        wr = WRITES.get(2);
        body = "{\"" + field + "\":" + value + "}";
      } else {
        wr = WRITES.get(route == 1 ? 1 : 0);
        body = field.equals("url") || field.equals("events")
            ? head.replaceFirst("\"" + field + "\":(\"[^\"]*\"|\\[[^\\]]*\\])",
                java.util.regex.Matcher.quoteReplacement("\"" + field + "\":" + value)) + "}"
            : head + ",\"" + field + "\":" + value + "}";
      }
      return new Req("wrong value: " + field, wr[0], wr[1], BEARER_A, "application/json",
          body.getBytes(StandardCharsets.UTF_8));
    });
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** Ids that name nothing, or another tenant's: path traversal, encodings, look-alikes. */
  static Arbitrary<String> badIdSegments() {
    Arbitrary<String> listed = Arbitraries.of("..", "...", "../..", "..%2F..", "..%2F..%2Fevent-types", "%2e%2e",
        "%2E%2E%2F%2E%2E", "..%5C..", ".%2e", "%252e%252e", "..;", ".", "%2e", "not-a-uuid", "null", "undefined", "0",
        "-1", "%00", "%20", "%0d%0a", "{W}%00", "{W}%2F..", "{W}%2Fdeliveries", "%2F{W}", "{W}x", "x{W}", "{W}%20",
        "%20{W}", "%7B{W}%7D", "urn:uuid:{W}", "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff", "00000000000000000000000000000001", "1-1-1-1-1",
        "0000000g-0000-0000-0000-000000000000", "%EF%BC%90%EF%BC%90%EF%BC%90", "{WB}", "{F}", "{P}",
        "%C0%AE%C0%AE", "%c0%af", "%ZZ", "%", "%2", "x".repeat(3000), "%u002e%u002e", "\u0000");
    Arbitrary<String> random = Arbitraries.strings().ofMinLength(1).ofMaxLength(60).map(WebhooksApiAbuseFuzzTest::encode);
    return Arbitraries.frequencyOf(Tuple.of(3, listed), Tuple.of(1, random));
  }

  /** Percent-encodes every byte that is not unreserved (RFC 3986), as a client must send it. */
  static String encode(String raw) {
    StringBuilder out = new StringBuilder();
    for (byte b : raw.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", c));
      }
    }
    return out.toString();
  }

  static Arbitrary<Req> badIds() {
    return Combinators.combine(badIdSegments(), Arbitraries.integers().between(0, 10), Arbitraries.of(KEY_A, KEY_B))
        .as((bad, route, key) -> {
          String raw = bad.replace("\u0000", "%00");
          // B uses A's real ids: unknown to B, whatever the route. For A, a delivery id of its own
          // goes under B's webhook, where it is unknown too.
          boolean b = key.equals(KEY_B);
          String webhook = b ? "{W}" : raw;
          String delivery = b ? "{F}" : raw;
          String parent = !b && (bad.equals("{F}") || bad.equals("{P}")) ? "{WB}" : "{W}";
          String[] r = switch (route) {
            case 0 -> new String[] {"GET", "/webhooks/" + webhook, null};
            case 1 -> new String[] {"PUT", "/webhooks/" + webhook, VALID};
            case 2 -> new String[] {"PATCH", "/webhooks/" + webhook, "{\"enabled\":false}"};
            case 3 -> new String[] {"DELETE", "/webhooks/" + webhook, null};
            case 4 -> new String[] {"POST", "/webhooks/" + webhook + "/rotate-secret", null};
            case 5 -> new String[] {"POST", "/webhooks/" + webhook + "/test", "{\"event\":\"order.paid\"}"};
            case 6 -> new String[] {"GET", "/webhooks/" + webhook + "/deliveries", null};
            case 7 -> new String[] {"GET", "/webhooks/" + parent + "/deliveries/" + delivery, null};
            case 8 -> new String[] {"POST", "/webhooks/" + parent + "/deliveries/" + delivery + "/retry", null};
            case 9 -> new String[] {"GET", "/webhooks/" + webhook + "/deliveries/{F}", null};
            default -> new String[] {"POST", "/webhooks/" + webhook + "/deliveries/{F}/retry", null};
          };
          byte[] body = r[2] == null ? new byte[0] : r[2].getBytes(StandardCharsets.UTF_8);
          return new Req(key.equals(KEY_B) ? "other tenant's id" : "bad id", r[0], r[1], "Bearer " + key,
              r[2] == null ? null : "application/json", body);
        });
  }

  static Arbitrary<Req> badQueries() {
    Arbitrary<String> names = Arbitraries.of("page", "per_page", "from", "to", "status", "event", "PAGE", "page[]",
        "x", "");
    Arbitrary<String> listed = Arbitraries.of("0", "-1", "10001", "101", "2147483648", "-2147483649",
        "99999999999999999999", "1e3", "0x10", "1.0", "%201", "1%20", "%2B1", "+1", "%EF%BC%91", "%D9%A3", "",
        "%00", "%ZZ", "%", "abc", "null", "true", "[]", "1,2", "yesterday", "2026-05-02", "2026-02-30T00:00:00Z",
        "2026-05-02T25:00:00Z", "2026-05-02T12:00:00", "2026-05-02T12:00:00%2B01:00", "1746187200",
        "%2B1000000000-12-31T23:59:59Z", "-1000000000-01-01T00:00:00Z", "%2B1000000001-01-01T00:00:00Z",
        "DELIVERED", "succeeded", "pending%00", "delivered%20", "order.paid", "order.*", "%2A", "x".repeat(5000));
    Arbitrary<String> random = Arbitraries.strings().ofMaxLength(40).map(WebhooksApiAbuseFuzzTest::encode);
    Arbitrary<String> value = Arbitraries.frequencyOf(Tuple.of(3, listed), Tuple.of(1, random));
    Arbitrary<String> pair = Combinators.combine(names, value).as((n, v) -> n + "=" + v);
    Arbitrary<String> query = pair.list().ofMinSize(1).ofMaxSize(3).map(ps -> String.join("&", ps));
    return Combinators.combine(Arbitraries.of("/webhooks", "/webhooks/{W}/deliveries", "/event-types"), query,
        Arbitraries.of(KEY_A, KEY_A_READ)).as((path, q, key) -> new Req("bad query", "GET", path + "?" + q,
            "Bearer " + key, null, new byte[0]));
  }

  /** Requests that would be valid, from a caller that may not make them, or with a method the path lacks. */
  static Arbitrary<Req> badCallers() {
    Arbitrary<String> auth = Arbitraries.of(null, "", "Bearer", "Bearer ", "Bearer wrong_key", "Basic " + KEY_A,
        KEY_A, "Token " + KEY_A, "Bearer " + KEY_A + "x", "Bearer " + KEY_A.substring(1), "Bearer " + KEY_A_NONE,
        "Bearer " + KEY_A + "\u0000", "Bearer " + "k".repeat(20_000), "Bearer \u00e9\u00e9\u00e9");
    Arbitrary<Req> unauthenticated = Combinators.combine(Arbitraries.integers().between(0, 9), auth)
        .as((route, a) -> withRoute("bad credentials", route, a));
    Arbitrary<Req> readOnly = Arbitraries.integers().between(0, 9).filter(r -> r >= 2)
        .map(route -> withRoute("read-only key writes", route, "Bearer " + KEY_A_READ))
        .filter(r -> !r.method().equals("GET"));
    Arbitrary<Req> methods = Combinators.combine(
        Arbitraries.of("HEAD", "OPTIONS", "TRACE", "CONNECT", "get", "Post", "PROPFIND", "FOO", "PATCH", "PUT",
            "DELETE"),
        Arbitraries.of("/webhooks", "/webhooks/{W}/rotate-secret", "/webhooks/{W}/test", "/webhooks/{W}/deliveries",
            "/webhooks/{W}/deliveries/{F}", "/webhooks/{W}/deliveries/{F}/retry", "/event-types", "/", "/webhooks/",
            "/event-types/x", "/webhooks/{W}/secret", "/admin", "/webhooks/{W}/deliveries/{F}/attempts"))
        .as((m, path) -> new Req("method or path", m, path, BEARER_A, "application/json",
            VALID.getBytes(StandardCharsets.UTF_8)))
        .filter(r -> !(r.method().equals("PATCH") || r.method().equals("PUT") || r.method().equals("DELETE"))
            || !r.target().equals("/webhooks/{W}"));
    Arbitrary<Req> mediaTypes = Combinators.combine(writes(), Arbitraries.of("text/plain", "application/xml",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "*/*", "text/html; charset=json"))
        .as((wr, type) -> new Req("media type", wr[0], wr[1], BEARER_A, type, VALID.getBytes(StandardCharsets.UTF_8)))
        .filter(r -> !r.contentType().toLowerCase(Locale.ROOT).contains("json"));
    return Arbitraries.oneOf(unauthenticated, readOnly, methods, mediaTypes);
  }

  static Req withRoute(String category, int route, String authorization) {
    String[] r = switch (route) {
      case 0 -> new String[] {"GET", "/webhooks", null};
      case 1 -> new String[] {"GET", "/webhooks/{W}/deliveries/{F}", null};
      case 2 -> new String[] {"POST", "/webhooks", VALID};
      case 3 -> new String[] {"PUT", "/webhooks/{W}", VALID};
      case 4 -> new String[] {"PATCH", "/webhooks/{W}", "{\"enabled\":false}"};
      case 5 -> new String[] {"DELETE", "/webhooks/{W}", null};
      case 6 -> new String[] {"POST", "/webhooks/{W}/rotate-secret", null};
      case 7 -> new String[] {"POST", "/webhooks/{W}/test", "{\"event\":\"order.paid\"}"};
      case 8 -> new String[] {"POST", "/webhooks/{W}/deliveries/{F}/retry", null};
      default -> new String[] {"GET", "/event-types", null};
    };
    return new Req(category, r[0], r[1], authorization, r[2] == null ? null : "application/json",
        r[2] == null ? new byte[0] : r[2].getBytes(StandardCharsets.UTF_8));
  }

  // ---- the properties

  @Property(tries = 6000)
  void throughTheHandler_never500_documentedRefusals_nothingChanged(@ForAll("requests") Req req) {
    URI target;
    try {
      target = new URI(req.resolvedTarget());
    } catch (java.net.URISyntaxException e) {
      // No server hands such a target to the API: the JDK server answers 400 itself (see overHttp).
      count("handler: targets no server would pass on (malformed percent-encoding)");
      return;
    }
    JsonNode before = snapshot();
    ApiResponse r = fx.api.handle(ApiRequest.of(req.method(), target, req.headers(), req.body()));
    count("handler: requests");
    check(req, r.status(), r.headers().get("Allow"), r.body(), before);
  }

  @Property(tries = 300)
  void overHttp_byteForByte_never500_documentedRefusals_nothingChanged(@ForAll("requests") Req req) {
    String path = req.resolvedTarget();
    if (!path.startsWith("/webhooks") && !path.startsWith("/event-types")) {
      // Outside the API's contexts the JDK server answers 404 itself and may close the connection
      // before reading the body: nothing of the API to test there.
      count("http: outside the API's contexts, not sent");
      return;
    }
    if (req.body().length > 3 * MAX_BODY) {
      // The server answers 413 before reading on; a body larger than the socket buffers could be
      // reset under the answer. The handler property covers these sizes.
      return;
    }
    JsonNode before = snapshot();
    RawResponse r;
    try {
      r = exchange(req);
    } catch (UncheckedIOException e) {
      if (jdkServerParses(path)) {
        throw e;
      }
      // A target that is no URI the JDK server refuses itself (400) and closes the connection
      // without reading the body: the unread body can turn the close into a reset, which discards
      // the 400 before the client reads it (CI, 2026-11-28: POST /webhooks/%u002e%u002e/test).
      count("http: refused by the JDK server itself (no URI), the answer lost to a reset");
      assertEquals(before, snapshot());
      count("refused");
      return;
    }
    count("http: requests");
    if (r.status() == 400 && !r.body().startsWith("{")) {
      // The JDK server itself refused the request line or headers before the API saw it.
      count("http: refused by the JDK server itself (400)");
      assertEquals(before, snapshot());
      count("refused");
      return;
    }
    check(req, r.status(), r.allow(), r.body().getBytes(StandardCharsets.UTF_8), before);
  }

  void check(Req req, int status, String allow, byte[] body, JsonNode before) {
    count("status " + status);
    count("category " + req.category() + ": " + status);
    if (status >= 500) {
      fail(status + " for " + req + ": " + new String(body, StandardCharsets.UTF_8));
    }
    if (status < 400) {
      count("accepted");
      count("accepted: " + req.method() + " " + req.category());
      if (req.method().equals("GET") || req.method().equals("HEAD")) {
        assertEquals(before, snapshot(), () -> "a read changed something: " + req);
      }
      return;
    }
    if (!req.method().equals("HEAD")) {
      JsonNode json = ApiHttpFixture.parse(new String(body, StandardCharsets.UTF_8));
      String code = json.at("/error/code").asText(null);
      count("code " + code);
      if (json.size() != 1 || !json.at("/error/message").isTextual() || !json.at("/error").has("field")) {
        fail("not {\"error\": {code, message, field}}: " + json + " for " + req);
      }
      Integer documented = DOCUMENTED.get(code);
      if (documented == null || documented != status) {
        fail("undocumented " + status + " " + code + " for " + req + ": " + json);
      }
      if (status == 405 && (allow == null || allow.isEmpty())) {
        fail("405 without Allow for " + req);
      }
    }
    JsonNode after = snapshot();
    if (!before.equals(after)) {
      fail("refused with " + status + " but changed: " + req);
    }
    count("refused");
  }

  /** Both tenants' webhooks, deliveries with their attempts, read through the handler. */
  static JsonNode snapshot() {
    ObjectNode all = ApiHttpFixture.JSON.createObjectNode();
    all.set(TENANT_A, snapshot(KEY_A));
    all.set(TENANT_B, snapshot(KEY_B));
    return all;
  }

  static JsonNode snapshot(String key) {
    ObjectNode all = ApiHttpFixture.JSON.createObjectNode();
    JsonNode hooks = read(key, "/webhooks?per_page=100");
    all.set("webhooks", hooks);
    ObjectNode deliveries = all.putObject("deliveries");
    for (JsonNode h : hooks.get("data")) {
      String id = h.get("id").asText();
      for (JsonNode d : read(key, "/webhooks/" + id + "/deliveries?per_page=100").get("data")) {
        deliveries.set(d.get("id").asText(), read(key, "/webhooks/" + id + "/deliveries/" + d.get("id").asText()));
      }
    }
    return all;
  }

  /**
   * The request that failed CI on 2026-11-28 (a target that is no URI, with a 22-byte body the JDK
   * server leaves unread when it refuses the request line), and the same with a 12 KB body, which
   * loses the JDK server's 400 to a reset every time (it failed so at each run without the
   * handling above). Either way, nothing changes.
   */
  @Example
  void overHttp_aTargetThatIsNoUri_withABody_isRefusedByTheJdkServer_andChangesNothing() {
    assertTrue(jdkServerParses("/webhooks/%2e%2e/test"));
    for (String body : List.of("{\"event\":\"order.paid\"}", "{\"event\":\"order.paid\",\"x\":\"" + "a".repeat(12_000) + "\"}")) {
      Req req = new Req("bad id", "POST", "/webhooks/%u002e%u002e/test", BEARER_A, "application/json",
          body.getBytes(StandardCharsets.UTF_8));
      assertFalse(jdkServerParses(req.resolvedTarget()));
      for (int i = 0; i < 10; i++) {
        overHttp_byteForByte_never500_documentedRefusals_nothingChanged(req);
      }
    }
  }

  static JsonNode read(String key, String target) {
    ApiResponse r = fx.api.handle(ApiRequest.of("GET", URI.create(target),
        Map.of("Authorization", List.of("Bearer " + key)), new byte[0]));
    assertEquals(200, r.status(), () -> target + ": " + new String(r.body(), StandardCharsets.UTF_8));
    return ApiHttpFixture.parse(new String(r.body(), StandardCharsets.UTF_8));
  }

  // ---- over the socket

  record RawResponse(int status, String allow, String body) {}

  /** Whether the JDK server parses {@code target} as a URI; it answers 400 itself for any other. */
  static boolean jdkServerParses(String target) {
    try {
      new URI(target);
      return true;
    } catch (URISyntaxException e) {
      return false;
    }
  }

  /** Writes the request byte for byte (the target as generated), with Connection: close, and reads the answer. */
  static RawResponse exchange(Req req) {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    StringBuilder h = new StringBuilder(req.method() + " " + req.resolvedTarget() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    req.headers().forEach((name, values) -> values.forEach(v -> h.append(name).append(": ")
        .append(v.replace("\r", "").replace("\n", "")).append("\r\n")));
    h.append("Content-Length: ").append(req.body().length).append("\r\nConnection: close\r\n\r\n");
    head.writeBytes(h.toString().getBytes(StandardCharsets.ISO_8859_1));
    try (Socket s = new Socket(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), fx.server.getAddress().getPort())) {
      s.setSoTimeout(15_000);
      OutputStream out = s.getOutputStream();
      out.write(head.toByteArray());
      try {
        out.write(req.body());
        out.flush();
      } catch (IOException e) {
        // The server may answer (413) and stop reading before the whole body is written.
      }
      InputStream in = s.getInputStream();
      String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int end = all.indexOf("\r\n\r\n");
      if (end < 0) {
        throw new AssertionError("no answer for " + req + ": " + all);
      }
      String[] lines = all.substring(0, end).split("\r\n");
      String allow = null;
      for (String line : lines) {
        if (line.regionMatches(true, 0, "Allow:", 0, 6)) {
          allow = line.substring(6).strip();
        }
      }
      return new RawResponse(Integer.parseInt(lines[0].split(" ")[1]), allow, all.substring(end + 4));
    } catch (IOException e) {
      throw new UncheckedIOException("exchange failed for " + req, e);
    }
  }
}

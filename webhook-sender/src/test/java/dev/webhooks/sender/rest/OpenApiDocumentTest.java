package dev.webhooks.sender.rest;

import static java.util.Map.entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.core.url.UrlPolicy;
import dev.webhooks.sender.WebhookSender;
import dev.webhooks.sender.store.WebhookStore;
import dev.webhooks.sender.store.WebhookStoreException;
import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code openapi.json} against the API it documents: the same routes both ways, well-formed
 * references, the statuses the class javadoc promises for each operation, the statuses the handler
 * really answers (provoked one by one), request bodies with exactly the fields the handler accepts,
 * and real answers (a webhook, a delivery with its attempts, the event types, errors) with exactly
 * the properties their documented schemas list.
 */
class OpenApiDocumentTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final JsonNode DOC = parse(WebhooksApi.openApiDocument());
  static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");
  static final UrlPolicy LOOPBACK = UrlPolicy.builder().allowHttp(true).allowCidr("127.0.0.0/8").build();
  static final String TENANT = "tenant-a";

  /** What the class javadoc of {@link WebhooksApi} says each route can answer (500 is always possible). */
  static final Map<String, Set<Integer>> STATUSES = Map.ofEntries(
      entry("GET /webhooks", Set.of(200, 400, 401, 403, 429, 500, 503)),
      entry("POST /webhooks", Set.of(201, 400, 401, 403, 409, 413, 415, 429, 500, 503)),
      entry("GET /webhooks/{id}", Set.of(200, 401, 403, 404, 429, 500, 503)),
      entry("PUT /webhooks/{id}", Set.of(200, 400, 401, 403, 404, 409, 413, 415, 429, 500, 503)),
      entry("PATCH /webhooks/{id}", Set.of(200, 400, 401, 403, 404, 409, 413, 415, 429, 500, 503)),
      entry("DELETE /webhooks/{id}", Set.of(204, 401, 403, 404, 429, 500, 503)),
      entry("POST /webhooks/{id}/rotate-secret", Set.of(200, 400, 401, 403, 404, 409, 413, 415, 429, 500, 503)),
      entry("POST /webhooks/{id}/test", Set.of(202, 400, 401, 403, 404, 413, 415, 429, 500, 503)),
      entry("GET /webhooks/{id}/deliveries", Set.of(200, 400, 401, 403, 404, 429, 500, 503)),
      entry("GET /webhooks/{id}/deliveries/{delivery_id}", Set.of(200, 401, 403, 404, 429, 500, 503)),
      entry("POST /webhooks/{id}/deliveries/{delivery_id}/retry", Set.of(202, 401, 403, 404, 429, 500, 503)),
      entry("GET /event-types", Set.of(200, 401, 403, 429, 500)));

  /** Every error code the class javadoc names, plus the two catch-alls of {@link WebhooksApi#handle}. */
  static final Set<String> JAVADOC_CODES = Set.of("missing_required_field", "invalid_url", "invalid_events",
      "invalid_description", "invalid_headers", "invalid_metadata", "invalid_json", "invalid_parameter",
      "invalid_key", "insufficient_permissions", "not_found", "method_not_allowed", "duplicate_webhook",
      "payload_too_large", "unsupported_media_type", "rate_limited", "unavailable", "conflict", "internal_error");

  /** One operation of the document. */
  record Operation(String method, String path, JsonNode node) {
    String route() {
      return method + " " + path;
    }

    JsonNode response(int status) {
      return resolve(node.path("responses").path(Integer.toString(status)));
    }

    Set<Integer> statuses() {
      Set<Integer> out = new TreeSet<>();
      node.path("responses").fieldNames().forEachRemaining(s -> out.add(Integer.parseInt(s)));
      return out;
    }

    String scope() {
      return node.path("security").path(0).path("apiKey").path(0).asText();
    }

    JsonNode requestSchema() {
      JsonNode body = node.get("requestBody");
      return body == null ? null : effective(body.path("content").path("application/json").path("schema"));
    }
  }

  MockWebServer receiver;
  WebhookSender sender;
  WebhooksApi api;

  @BeforeEach
  void setUp() throws IOException {
    receiver = new MockWebServer();
    receiver.start(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
    sender = WebhookSender.builder().catalog(catalog()).urlPolicy(LOOPBACK).build();
    api = WebhooksApi.builder(sender).authenticator(authenticator()).build();
  }

  @AfterEach
  void tearDown() {
    sender.close();
    receiver.close();
  }

  static EventCatalog catalog() {
    return EventCatalog.builder()
        .event("order.paid", "An order was paid", JSON.createObjectNode().put("order_id", 42))
        .declared("order.refunded", "An order was refunded (not emitted yet)", null)
        .build();
  }

  static ApiAuthenticator authenticator() {
    return ApiAuthenticator.apiKeys(Map.of(
        "key_rw", ApiCaller.of(TENANT, ApiPermission.READ, ApiPermission.WRITE),
        "key_ro", ApiCaller.of(TENANT, ApiPermission.READ),
        "key_none", ApiCaller.of(TENANT),
        "key_b", ApiCaller.of("tenant-b", ApiPermission.READ, ApiPermission.WRITE)));
  }

  // ---- the document itself

  @Test
  void documentedOperations_areExactlyTheRoutes() {
    List<String> routes = api.routes();
    assertEquals(routes.size(), new HashSet<>(routes).size(), "a route is declared twice: " + routes);
    Set<String> documented = operations().stream().map(Operation::route).collect(Collectors.toCollection(TreeSet::new));
    Set<String> undocumented = new TreeSet<>(routes);
    undocumented.removeAll(documented);
    Set<String> absent = new TreeSet<>(documented);
    absent.removeAll(routes);
    assertEquals(Set.of(), undocumented, "routes the document lacks");
    assertEquals(Set.of(), absent, "documented operations that are no route");
    assertEquals(new TreeSet<>(routes), new TreeSet<>(STATUSES.keySet()), "this test's table of statuses is stale");
  }

  @Test
  void document_isWellFormed_andEveryReferenceResolves() {
    assertTrue(DOC.path("openapi").asText().startsWith("3.1."), "OpenAPI 3.1");
    List<String> refs = new ArrayList<>();
    collectRefs(DOC, refs);
    assertFalse(refs.isEmpty());
    for (String ref : refs) {
      assertTrue(ref.startsWith("#/"), "only local references: " + ref);
      assertFalse(DOC.at(ref.substring(1)).isMissingNode(), "unresolved $ref " + ref);
    }
    JsonNode scheme = DOC.at("/components/securitySchemes/apiKey");
    assertEquals("http", scheme.path("type").asText());
    assertEquals("bearer", scheme.path("scheme").asText());

    Set<String> operationIds = new HashSet<>();
    Set<String> codes = new TreeSet<>();
    DOC.at("/components/responses").forEach(r -> r.path("x-error-codes").forEach(c -> codes.add(c.asText())));
    for (Operation op : operations()) {
      String where = op.route();
      assertTrue(operationIds.add(op.node().path("operationId").asText()), where + ": operationId missing or repeated");
      assertFalse(op.node().path("summary").asText().isBlank(), where + ": summary");
      assertEquals(op.method().equals("GET") ? "webhooks:read" : "webhooks:write", op.scope(), where + ": scope");
      // Path parameters: each one of the template, declared once, a required uuid.
      Map<String, JsonNode> params = parameters(op);
      for (String name : templateParams(op.path())) {
        JsonNode p = params.get("path:" + name);
        assertNotNull(p, where + ": path parameter " + name + " is not declared");
        assertTrue(p.path("required").asBoolean(), where + ": " + name + " required");
        assertEquals("uuid", effective(p.path("schema")).path("format").asText(), where + ": " + name + " format");
      }
      assertEquals(templateParams(op.path()).size(), params.keySet().stream().filter(k -> k.startsWith("path:")).count(),
          where + ": path parameters not in the template");
      JsonNode request = op.requestSchema();
      if (request != null) {
        assertEquals(Boolean.FALSE, request.path("additionalProperties").booleanValue(),
            where + ": request bodies refuse unknown fields");
      }
      for (int status : op.statuses()) {
        JsonNode r = op.response(status);
        assertFalse(r.path("description").asText().isBlank(), where + " " + status + ": description");
        if (status >= 400) {
          assertEquals("#/components/schemas/Error",
              r.at("/content/application~1json/schema/$ref").asText(), where + " " + status + ": Error schema");
          assertTrue(r.path("x-error-codes").size() > 0, where + " " + status + ": x-error-codes");
          r.path("x-error-codes").forEach(c -> codes.add(c.asText()));
        }
      }
      assertTrue(op.response(429).path("headers").has("Retry-After"), where + ": 429 has Retry-After");
    }
    assertTrue(DOC.at("/components/responses/MethodNotAllowed/headers").has("Allow"), "405 documents Allow");
    assertEquals(new TreeSet<>(JAVADOC_CODES), codes, "the error codes of the document and of the javadoc");
    assertEquals(Set.of("invalid_json", "missing_required_field", "invalid_url", "invalid_events",
            "invalid_description", "invalid_headers", "invalid_metadata"),
        codesOf(operation("POST /webhooks").response(400)), "create's 400 codes");
  }

  @Test
  void everyOperation_documentsTheStatusesTheJavadocPromises() {
    for (Operation op : operations()) {
      assertEquals(new TreeSet<>(STATUSES.get(op.route())), op.statuses(), op.route());
    }
  }

  // ---- the document against the handler

  /** Each generic status, provoked on each operation: answered when (and, where it can be told, only when) documented. */
  @Test
  void documentedStatuses_areTheOnesTheHandlerAnswers() throws Exception {
    WebhooksApi rateLimited = WebhooksApi.builder(sender).authenticator(authenticator())
        .clock(Clock.fixed(Instant.parse("2026-06-07T10:00:00Z"), ZoneOffset.UTC)).rateLimitPerTenant(1, 1).build();
    rateLimited.handle(request("key_rw", "GET", "/event-types", null, null)); // the tenant's only token
    WebhookSender down = WebhookSender.builder().catalog(catalog()).urlPolicy(LOOPBACK).store(unreachableStore()).build();
    WebhooksApi unavailable = WebhooksApi.builder(down).authenticator(authenticator()).build();
    List<String> problems = new ArrayList<>();
    try {
      for (Operation op : operations()) {
        Set<Integer> documented = op.statuses();
        String random = concrete(op.path(), UUID.randomUUID().toString(), UUID.randomUUID().toString());
        String body = validBody(op);
        expect(problems, op, "no key", 401, true, api.handle(request(null, op.method(), random, body, "application/json")));
        expect(problems, op, "no permission", 403, true, api.handle(request("key_none", op.method(), random, body, "application/json")));
        expect(problems, op, "read-only key", 403, op.scope().equals("webhooks:write"),
            api.handle(request("key_ro", op.method(), random, body, "application/json")));
        expect(problems, op, "unknown ids", 404, documented.contains(404),
            api.handle(request("key_rw", op.method(), random, body, "application/json")));
        expect(problems, op, "rate limit", 429, true, rateLimited.handle(request("key_rw", op.method(), random, body, "application/json")));
        expect(problems, op, "store down", 503, documented.contains(503),
            unavailable.handle(request("key_rw", op.method(), random, body, "application/json")));
        // On real ids from here on: a fresh webhook with one delivery for each probe.
        expect(problems, op, "bad query and body", 400, documented.contains(400),
            api.handle(request("key_rw", op.method(), real(op) + "?page=0", "{", "application/json")));
        if (documented.contains(413)) {
          String large = "{\"description\": \"" + "x".repeat(WebhooksApi.DEFAULT_MAX_BODY_BYTES) + "\"}";
          expect(problems, op, "large body", 413, true, api.handle(request("key_rw", op.method(), real(op), large, "application/json")));
        }
        if (documented.contains(415)) {
          expect(problems, op, "text body", 415, true, api.handle(request("key_rw", op.method(), real(op), "{}", "text/plain")));
        }
        JsonNode schema = op.requestSchema();
        if (schema != null && schema.path("properties").has("url")) {
          String taken = created(url("/taken-" + UUID.randomUUID())).get("url").asText();
          String duplicate = "{\"url\": \"" + taken + "\", \"events\": [\"order.paid\"]}";
          expect(problems, op, "duplicate URL", 409, true, api.handle(request("key_rw", op.method(), real(op), duplicate, "application/json")));
        }
      }
    } finally {
      down.close();
    }
    assertEquals(List.of(), problems);
  }

  /** The fields each request body schema lists are exactly the fields the handler accepts; its required ones are required. */
  @Test
  void requestSchemas_listExactlyTheAcceptedFields() throws Exception {
    for (Operation op : operations()) {
      JsonNode schema = op.requestSchema();
      if (schema == null) {
        continue;
      }
      Set<String> documented = new TreeSet<>();
      schema.path("properties").fieldNames().forEachRemaining(documented::add);
      JsonNode error = json(api.handle(request("key_rw", op.method(), real(op), "{\"zz_unknown\": 1}", "application/json")));
      assertEquals("invalid_json", error.at("/error/code").asText(), op.route());
      assertEquals("zz_unknown", error.at("/error/field").asText(), op.route());
      String message = error.at("/error/message").asText();
      assertTrue(message.startsWith("unknown field; the fields are "), op.route() + ": " + message);
      Set<String> accepted = new TreeSet<>(Arrays.asList(message.substring("unknown field; the fields are ".length()).split(", ")));
      assertEquals(accepted, documented, op.route() + ": documented fields vs accepted ones");

      ApiResponse empty = api.handle(request("key_rw", op.method(), real(op), "{}", "application/json"));
      Set<String> required = new TreeSet<>();
      schema.path("required").forEach(r -> required.add(r.asText()));
      if (required.isEmpty()) {
        assertTrue(empty.status() < 300, op.route() + " accepts {}: " + empty.bodyText());
      } else {
        assertEquals(400, empty.status(), op.route());
        assertEquals("missing_required_field", json(empty).at("/error/code").asText(), op.route());
        assertTrue(required.contains(json(empty).at("/error/field").asText()), op.route() + ": " + empty.bodyText());
      }
    }
  }

  /** Real answers, from a webhook's creation to a retried delivery, validated against their operation's documented schema. */
  @Test
  void answers_haveExactlyTheDocumentedProperties() throws Exception {
    String url = url("/hook");
    JsonNode created = check("POST /webhooks", 201, call("key_rw", "POST", "/webhooks",
        "{\"url\": \"" + url + "\", \"events\": [\"order.*\"], \"description\": \"prod\", \"headers\": {\"X-Team\": \"a\"},"
            + " \"metadata\": {\"plan\": \"gold\"}}"));
    String id = created.get("id").asText();
    check("GET /webhooks", 200, call("key_ro", "GET", "/webhooks?per_page=5", null));
    check("GET /webhooks/{id}", 200, call("key_ro", "GET", "/webhooks/" + id, null));
    check("PATCH /webhooks/{id}", 200, call("key_rw", "PATCH", "/webhooks/" + id, "{\"events\": [\"*\"]}"));
    check("PUT /webhooks/{id}", 200, call("key_rw", "PUT", "/webhooks/" + id, "{\"url\": \"" + url + "\", \"events\": [\"*\"]}"));
    check("POST /webhooks/{id}/rotate-secret", 200, call("key_rw", "POST", "/webhooks/" + id + "/rotate-secret",
        "{\"grace_period_seconds\": 3600}"));
    JsonNode test = check("POST /webhooks/{id}/test", 202, call("key_rw", "POST", "/webhooks/" + id + "/test",
        "{\"event\": \"order.refunded\"}"));

    // A delivery that fails once (500), is retried through the API and then delivered (204).
    receiver.enqueue(new MockResponse.Builder().code(204).build()); // the test event
    receiver.enqueue(new MockResponse.Builder().code(500).body("boom").build());
    receiver.enqueue(new MockResponse.Builder().code(204).build());
    assertEquals(1, sender.dispatchDueNow());
    sender.publish(TENANT, "order.paid", Map.of("order_id", 7));
    assertEquals(1, sender.dispatchDueNow());
    JsonNode deliveries = check("GET /webhooks/{id}/deliveries", 200,
        call("key_ro", "GET", "/webhooks/" + id + "/deliveries?event=order.paid&status=pending", null));
    assertEquals(1, deliveries.get("data").size(), deliveries.toString());
    String delivery = deliveries.at("/data/0/id").asText();
    String one = "/webhooks/" + id + "/deliveries/" + delivery;
    check("POST /webhooks/{id}/deliveries/{delivery_id}/retry", 202, call("key_rw", "POST", one + "/retry", null));
    assertEquals(1, sender.dispatchDueNow());
    JsonNode withAttempts = check("GET /webhooks/{id}/deliveries/{delivery_id}", 200, call("key_ro", "GET", one, null));
    assertEquals("delivered", withAttempts.get("status").asText());
    assertEquals(List.of(500, 204), List.of(withAttempts.at("/attempts/0/http_status").asInt(),
        withAttempts.at("/attempts/1/http_status").asInt()));
    JsonNode all = check("GET /webhooks/{id}/deliveries", 200, call("key_ro", "GET", "/webhooks/" + id + "/deliveries", null));
    assertTrue(all.toString().contains(test.get("event_id").asText()), "the test event's delivery is listed");

    JsonNode types = check("GET /event-types", 200, call("key_ro", "GET", "/event-types", null));
    assertEquals(Set.of("active", "declared"), Set.of(types.at("/data/0/state").asText(), types.at("/data/1/state").asText()));

    check("GET /webhooks", 400, call("key_ro", "GET", "/webhooks?per_page=101", null));
    check("POST /webhooks", 400, call("key_rw", "POST", "/webhooks", "{\"url\": \"" + url + "\"}"));
    check("POST /webhooks", 409, call("key_rw", "POST", "/webhooks", "{\"url\": \"" + url + "\", \"events\": [\"*\"]}"));
    check("GET /webhooks/{id}", 404, call("key_b", "GET", "/webhooks/" + id, null));
    check("GET /webhooks/{id}", 401, call("nope", "GET", "/webhooks/" + id, null));
    check("DELETE /webhooks/{id}", 403, call("key_ro", "DELETE", "/webhooks/" + id, null));
    ApiResponse deleted = call("key_rw", "DELETE", "/webhooks/" + id, null);
    assertEquals(204, deleted.status());
    assertFalse(operation("DELETE /webhooks/{id}").response(204).has("content"), "204 has no body");
    ApiResponse notAllowed = call("key_rw", "PUT", "/webhooks", "{}");
    assertEquals(405, notAllowed.status());
    assertEquals(List.of(), validate(json(notAllowed),
        DOC.at("/components/responses/MethodNotAllowed/content/application~1json/schema"), "405"));
  }

  // ---- helpers: the document

  static JsonNode parse(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new AssertionError("openapi.json is not JSON", e);
    }
  }

  static List<Operation> operations() {
    List<Operation> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> path : DOC.path("paths").properties()) {
      path.getValue().properties().forEach(e -> {
        if (HTTP_METHODS.contains(e.getKey())) {
          out.add(new Operation(e.getKey().toUpperCase(java.util.Locale.ROOT), path.getKey(), e.getValue()));
        }
      });
    }
    return out;
  }

  static Operation operation(String route) {
    return operations().stream().filter(o -> o.route().equals(route)).findFirst()
        .orElseThrow(() -> new AssertionError("not documented: " + route));
  }

  /** The path item's and the operation's parameters by "in:name", the operation's winning. */
  static Map<String, JsonNode> parameters(Operation op) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    List<JsonNode> all = new ArrayList<>();
    DOC.path("paths").path(op.path()).path("parameters").forEach(all::add);
    op.node().path("parameters").forEach(all::add);
    for (JsonNode p : all) {
      JsonNode r = resolve(p);
      out.put(r.path("in").asText() + ":" + r.path("name").asText(), r);
    }
    return out;
  }

  static List<String> templateParams(String path) {
    List<String> out = new ArrayList<>();
    for (String segment : path.split("/")) {
      if (segment.startsWith("{") && segment.endsWith("}")) {
        out.add(segment.substring(1, segment.length() - 1));
      }
    }
    return out;
  }

  static void collectRefs(JsonNode node, List<String> out) {
    if (node.isObject()) {
      node.properties().forEach(e -> {
        if (e.getKey().equals("$ref")) {
          out.add(e.getValue().asText());
        } else {
          collectRefs(e.getValue(), out);
        }
      });
    } else if (node.isArray()) {
      node.forEach(n -> collectRefs(n, out));
    }
  }

  static JsonNode resolve(JsonNode node) {
    JsonNode n = node;
    for (int i = 0; i < 10 && n.has("$ref"); i++) {
      n = DOC.at(n.get("$ref").asText().substring(1));
    }
    return n;
  }

  /** A schema with its reference resolved and its {@code allOf} merged into one object schema. */
  static JsonNode effective(JsonNode schema) {
    JsonNode s = resolve(schema);
    if (!s.has("allOf")) {
      return s;
    }
    ObjectNode merged = JSON.createObjectNode().put("type", "object");
    ObjectNode properties = merged.putObject("properties");
    Set<String> required = new TreeSet<>();
    for (JsonNode part : s.get("allOf")) {
      JsonNode p = effective(part);
      p.path("properties").properties().forEach(e -> properties.set(e.getKey(), e.getValue()));
      p.path("required").forEach(r -> required.add(r.asText()));
    }
    required.forEach(merged.putArray("required")::add);
    return merged;
  }

  static Set<String> codesOf(JsonNode response) {
    Set<String> out = new TreeSet<>();
    response.path("x-error-codes").forEach(c -> out.add(c.asText()));
    return out;
  }

  /**
   * Where {@code value} departs from {@code schema}: types (with null), enum, const, formats,
   * minimum and maximum, array items, and objects: every documented property present (the API
   * always writes all of them, null or not), none undocumented, unless the schema maps any name.
   */
  static List<String> validate(JsonNode value, JsonNode schema, String at) {
    List<String> problems = new ArrayList<>();
    validate(value, schema, at, problems);
    return problems;
  }

  private static void validate(JsonNode v, JsonNode schemaIn, String at, List<String> problems) {
    JsonNode s = effective(schemaIn);
    String type = typeOf(v);
    if (s.has("type")) {
      Set<String> types = new HashSet<>();
      if (s.get("type").isArray()) {
        s.get("type").forEach(t -> types.add(t.asText()));
      } else {
        types.add(s.get("type").asText());
      }
      if (!types.contains(type) && !(type.equals("integer") && types.contains("number"))) {
        problems.add(at + " is " + type + " " + v + ", documented " + types);
        return;
      }
    }
    if (s.has("enum") && !contains(s.get("enum"), v)) {
      problems.add(at + " = " + v + " is not in the documented enum " + s.get("enum"));
    }
    if (s.has("const") && !s.get("const").equals(v)) {
      problems.add(at + " = " + v + ", documented const " + s.get("const"));
    }
    if (v.isNull()) {
      return;
    }
    if (v.isNumber() && s.has("minimum") && v.asLong() < s.get("minimum").asLong()) {
      problems.add(at + " = " + v + " is below " + s.get("minimum"));
    }
    if (v.isNumber() && s.has("maximum") && v.asLong() > s.get("maximum").asLong()) {
      problems.add(at + " = " + v + " is above " + s.get("maximum"));
    }
    if (v.isTextual() && s.has("format")) {
      String problem = formatProblem(s.get("format").asText(), v.asText());
      if (problem != null) {
        problems.add(at + " = " + v + ": " + problem);
      }
    }
    if (v.isArray() && s.has("items")) {
      for (int i = 0; i < v.size(); i++) {
        validate(v.get(i), s.get("items"), at + "[" + i + "]", problems);
      }
    }
    if (v.isObject()) {
      JsonNode properties = s.get("properties");
      JsonNode additional = s.get("additionalProperties");
      for (Map.Entry<String, JsonNode> f : v.properties()) {
        if (properties != null && properties.has(f.getKey())) {
          validate(f.getValue(), properties.get(f.getKey()), at + "." + f.getKey(), problems);
        } else if (additional != null && additional.isObject()) {
          validate(f.getValue(), additional, at + "." + f.getKey(), problems);
        } else if (properties != null || Boolean.FALSE.equals(additional == null ? null : additional.booleanValue())) {
          problems.add(at + "." + f.getKey() + " is not documented");
        }
      }
      if (properties != null) {
        properties.fieldNames().forEachRemaining(name -> {
          if (!v.has(name)) {
            problems.add(at + "." + name + " is documented but absent");
          }
        });
      }
      s.path("required").forEach(r -> {
        if (!v.has(r.asText())) {
          problems.add(at + "." + r.asText() + " is required but absent");
        }
      });
    }
  }

  static String typeOf(JsonNode v) {
    if (v.isNull()) {
      return "null";
    }
    if (v.isTextual()) {
      return "string";
    }
    if (v.isIntegralNumber()) {
      return "integer";
    }
    if (v.isNumber()) {
      return "number";
    }
    if (v.isBoolean()) {
      return "boolean";
    }
    return v.isArray() ? "array" : "object";
  }

  static boolean contains(JsonNode array, JsonNode v) {
    for (JsonNode e : array) {
      if (e.equals(v)) {
        return true;
      }
    }
    return false;
  }

  static String formatProblem(String format, String text) {
    try {
      switch (format) {
        case "uuid":
          return UUID.fromString(text).toString().equals(text) ? null : "not a canonical uuid";
        case "date-time":
          OffsetDateTime.parse(text);
          return null;
        case "uri":
          return URI.create(text).isAbsolute() ? null : "not an absolute URI";
        default:
          return null;
      }
    } catch (RuntimeException e) {
      return "not a " + format;
    }
  }

  // ---- helpers: calling the handler

  static ApiRequest request(String key, String method, String pathAndQuery, String body, String contentType) {
    Map<String, List<String>> headers = new TreeMap<>();
    if (key != null) {
      headers.put("Authorization", List.of("Bearer " + key));
    }
    if (body != null) {
      headers.put("Content-Type", List.of(contentType));
    }
    return ApiRequest.of(method, URI.create(pathAndQuery), headers,
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8));
  }

  ApiResponse call(String key, String method, String pathAndQuery, String body) {
    return api.handle(request(key, method, pathAndQuery, body, "application/json"));
  }

  static JsonNode json(ApiResponse r) throws IOException {
    return JSON.readTree(r.bodyText());
  }

  /** Asserts the status, validates the body against the operation's documented answer for it, returns the body. */
  static JsonNode check(String route, int status, ApiResponse r) throws IOException {
    assertEquals(status, r.status(), route + ": " + r.bodyText());
    Operation op = operation(route);
    assertTrue(op.statuses().contains(status), route + " does not document " + status);
    JsonNode schema = op.response(status).at("/content/application~1json/schema");
    assertFalse(schema.isMissingNode(), route + " " + status + " has no JSON schema");
    JsonNode body = json(r);
    assertEquals(List.of(), validate(body, schema, route + " " + status), body.toString());
    if (status >= 400) {
      assertTrue(codesOf(op.response(status)).contains(body.at("/error/code").asText()),
          route + " " + status + " does not list the code " + body.at("/error/code"));
    }
    return body;
  }

  /** The receiver's URL for {@code path}, by its address: the URL policy refuses the name localhost. */
  String url(String path) {
    return "http://127.0.0.1:" + receiver.getPort() + path;
  }

  JsonNode created(String url) throws IOException {
    ApiResponse r = call("key_rw", "POST", "/webhooks", "{\"url\": \"" + url + "\", \"events\": [\"order.paid\"]}");
    assertEquals(201, r.status(), r.bodyText());
    return json(r);
  }

  /** The operation's path on a fresh webhook of {@link #TENANT} that has one pending delivery. */
  String real(Operation op) throws IOException {
    String id = created(url("/real-" + UUID.randomUUID())).get("id").asText();
    JsonNode test = json(call("key_rw", "POST", "/webhooks/" + id + "/test", "{\"event\": \"order.paid\"}"));
    JsonNode deliveries = json(call("key_rw", "GET", "/webhooks/" + id + "/deliveries", null));
    assertEquals(test.get("event_id").asText(), deliveries.at("/data/0/event_id").asText());
    return concrete(op.path(), id, deliveries.at("/data/0/id").asText());
  }

  static String concrete(String template, String id, String deliveryId) {
    return template.replace("{id}", id).replace("{delivery_id}", deliveryId);
  }

  /** A body the operation accepts, for probes that must get past body parsing. */
  String validBody(Operation op) {
    JsonNode schema = op.requestSchema();
    if (schema == null) {
      return null;
    }
    if (schema.path("properties").has("url")) {
      return "{\"url\": \"" + url("/probe-" + UUID.randomUUID()) + "\", \"events\": [\"order.paid\"]}";
    }
    if (schema.path("properties").has("event")) {
      return "{\"event\": \"order.paid\"}";
    }
    return "{}";
  }

  static void expect(List<String> problems, Operation op, String probe, int status, boolean expected, ApiResponse r) {
    boolean answered = r.status() == status;
    if (answered != expected) {
      problems.add(op.route() + " with " + probe + ": " + (expected ? "expected " + status + ", got " : "answered ")
          + r.status() + " " + r.bodyText());
    }
    if (answered && !op.statuses().contains(status)) {
      problems.add(op.route() + " answers " + status + " (" + probe + ") but does not document it");
    }
    if (answered && status == 429 && !r.headers().containsKey("Retry-After")) {
      problems.add(op.route() + ": 429 without Retry-After");
    }
  }

  /** A store whose database cannot be reached: every data operation fails. */
  static WebhookStore unreachableStore() {
    return (WebhookStore) Proxy.newProxyInstance(WebhookStore.class.getClassLoader(), new Class<?>[] {WebhookStore.class},
        (proxy, method, args) -> {
          if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args); // on to the abstract ones, which fail
          }
          if (method.getDeclaringClass() == Object.class) {
            switch (method.getName()) {
              case "equals":
                return proxy == args[0];
              case "hashCode":
                return System.identityHashCode(proxy);
              default:
                return "unreachable store";
            }
          }
          throw new WebhookStoreException("the database cannot be reached", new IOException("connection refused"));
        });
  }

  @Test
  void validator_catchesWhatItShould() {
    JsonNode webhook = DOC.at("/components/schemas/Webhook");
    ObjectNode extra = ((ObjectNode) DOC.at("/components/schemas/Webhook/example")).deepCopy();
    assertEquals(List.of(), validate(extra, webhook, "example"));
    extra.put("workspace_id", "x");
    assertEquals(List.of("w.workspace_id is not documented"), validate(extra, webhook, "w"));
    extra.remove("workspace_id");
    extra.remove("metadata");
    assertEquals(List.of("w.metadata is documented but absent", "w.metadata is required but absent"),
        validate(extra, webhook, "w"));
    extra.put("metadata", 3);
    assertFalse(validate(extra, webhook, "w").isEmpty());
    extra.set("metadata", JSON.createObjectNode());
    extra.put("disabled_reason", "bored");
    assertFalse(validate(extra, webhook, "w").isEmpty());
    extra.putNull("disabled_reason");
    extra.put("created_at", "yesterday");
    assertFalse(validate(extra, webhook, "w").isEmpty());
    JsonNode withSecret = DOC.at("/components/schemas/WebhookWithSecret");
    extra.put("created_at", "2026-06-07T10:00:00Z");
    assertEquals(List.of("w.secret is documented but absent", "w.secret is required but absent"),
        validate(extra, withSecret, "w"));
    if (validate(DOC.at("/components/schemas/WebhookWithSecret/example"), withSecret, "example").size() > 0) {
      fail("the WebhookWithSecret example does not match its schema");
    }
  }
}

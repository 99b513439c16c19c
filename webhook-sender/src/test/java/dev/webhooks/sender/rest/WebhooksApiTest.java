package dev.webhooks.sender.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooks.core.event.EventCatalog;
import dev.webhooks.sender.WebhookSender;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The handler itself, without a server: routing, the caller's tenant and the answers' shape. */
class WebhooksApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final WebhookSender sender = WebhookSender.builder().catalog(EventCatalog.builder()
      .event("order.paid", "An order was paid", JSON.createObjectNode().put("order_id", 42)).build()).build();
  final WebhooksApi api = WebhooksApi.builder(sender).authenticator(ApiAuthenticator.apiKeys(Map.of(
      "key_a", ApiCaller.of("tenant-a", ApiPermission.READ, ApiPermission.WRITE),
      "key_b", ApiCaller.of("tenant-b", ApiPermission.READ, ApiPermission.WRITE),
      "key_a_read", ApiCaller.of("tenant-a", ApiPermission.READ)))).build();

  @AfterEach
  void tearDown() {
    sender.close();
  }

  ApiResponse call(String key, String method, String path, String body) {
    return api.handle(ApiRequest.of(method, URI.create(path), Map.of("Authorization", List.of("Bearer " + key)),
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8)));
  }

  static JsonNode json(ApiResponse r) throws Exception {
    return JSON.readTree(r.bodyText());
  }

  @Test
  void create_get_list_patch_delete_roundTrip() throws Exception {
    ApiResponse created = call("key_a", "POST", "/webhooks",
        "{\"url\":\"https://example.com/hook\",\"events\":[\"order.paid\"],\"description\":\"prod\"}");
    assertEquals(201, created.status(), created.bodyText());
    JsonNode c = json(created);
    String id = c.get("id").asText();
    assertTrue(c.get("secret").asText().startsWith("whsec_"));
    assertEquals("/webhooks/" + id, created.headers().get("Location"));

    JsonNode got = json(call("key_a", "GET", "/webhooks/" + id, null));
    assertEquals("prod", got.get("description").asText());
    assertFalse(got.has("secret"), "the secret is shown at creation only");

    JsonNode page = json(call("key_a_read", "GET", "/webhooks?per_page=5", null));
    assertEquals(1, page.get("data").size());
    assertEquals(5, page.get("per_page").asInt());

    ApiResponse patched = call("key_a", "PATCH", "/webhooks/" + id, "{\"events\":[\"*\"],\"enabled\":false}");
    assertEquals(200, patched.status(), patched.bodyText());
    assertEquals("*", json(patched).get("events").get(0).asText());
    assertFalse(json(patched).get("enabled").asBoolean());

    assertEquals(404, call("key_b", "GET", "/webhooks/" + id, null).status(), "another tenant's webhook");
    assertEquals(403, call("key_a_read", "DELETE", "/webhooks/" + id, null).status());
    assertEquals(204, call("key_a", "DELETE", "/webhooks/" + id, null).status());
    assertEquals(404, call("key_a", "GET", "/webhooks/" + id, null).status());
  }

  @Test
  void errors_haveTheSeedsShape() throws Exception {
    ApiResponse r = call("nope", "GET", "/webhooks", null);
    assertEquals(401, r.status());
    assertEquals("invalid_key", json(r).at("/error/code").asText());
    r = call("key_a", "POST", "/webhooks", "{\"url\":\"http://example.com\",\"events\":[\"order.paid\"]}");
    assertEquals(400, r.status());
    assertEquals("invalid_url", json(r).at("/error/code").asText());
    assertEquals("url", json(r).at("/error/field").asText());
    r = call("key_a", "PUT", "/webhooks", null);
    assertEquals(405, r.status());
    assertEquals("GET, POST", r.headers().get("Allow"));
    r = call("key_a", "POST", "/webhooks", "{\"url\":\"https://example.com\",\"events\":[\"order.paid\"],\"evnts\":1}");
    assertEquals("invalid_json", json(r).at("/error/code").asText());
    assertEquals("evnts", json(r).at("/error/field").asText());
    assertEquals(404, call("key_a", "GET", "/webhooks/..%2F..%2Fetc", null).status());
    // Methods are case-sensitive: "get" is not GET.
    assertEquals(405, call("key_a", "get", "/webhooks", null).status());
  }
}

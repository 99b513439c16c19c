package dev.webhooks.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.event.EventCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The demo application's events: the catalog an email-lookup SaaS (the seeds' products) declares
 * once, and a reproducible burst of events across its tenants.
 */
final class DemoEvents {
  /** One event the application publishes. */
  record Event(String tenantId, String type, Map<String, Object> data) {}

  /** Declared for forward compatibility: subscribable, never published by the demo. */
  static final String NOT_YET_EMITTED = "credits.exhausted";

  /** A weighted pool: lookups dominate, as they would in such a product. */
  private static final List<String> MIX = List.of(
      "lookup.completed", "lookup.completed", "lookup.completed", "lookup.completed", "lookup.completed",
      "lookup.completed", "lookup.completed", "lookup.completed", "lookup.completed", "lookup.completed",
      "lookup.completed", "lookup.completed", "apikey.created", "apikey.created", "apikey.created",
      "apikey.revoked", "apikey.revoked", "credits.low", "credits.low", "credits.low");

  private DemoEvents() {}

  static EventCatalog catalog() {
    return EventCatalog.builder()
        .event("lookup.completed", "An email lookup finished",
            example("lookup_id", "lk_1", "email", "jane@example.com", "result", "deliverable"))
        .event("apikey.created", "An API key was created", example("key_id", "key_1", "name", "CI"))
        .event("apikey.revoked", "An API key was revoked", example("key_id", "key_1", "name", "CI"))
        .event("credits.low", "Workspace credits fell below the alert threshold",
            example("remaining", "100", "threshold", "100"))
        .declared(NOT_YET_EMITTED, "Workspace credits are used up (not emitted yet)",
            example("remaining", "0", "threshold", "0"))
        .build();
  }

  /** {@code count} events, tenants in turn, types drawn from the mix with a fixed seed. */
  static List<Event> burst(List<String> tenants, int count, long seed) {
    Random random = new Random(seed);
    List<Event> events = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String tenant = tenants.get(i % tenants.size());
      String type = MIX.get(random.nextInt(MIX.size()));
      events.add(new Event(tenant, type, data(type, i, random)));
    }
    return events;
  }

  private static Map<String, Object> data(String type, int i, Random random) {
    switch (type) {
      case "lookup.completed":
        return Map.of("lookup_id", "lk_" + i, "email", "user" + i + "@example.com",
            "result", random.nextInt(10) < 8 ? "deliverable" : "undeliverable");
      case "apikey.created":
      case "apikey.revoked":
        return Map.of("key_id", "key_" + i, "name", "key " + i);
      default:
        return Map.of("remaining", 100 - random.nextInt(100), "threshold", 100);
    }
  }

  private static JsonNode example(String... keysAndValues) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      node.put(keysAndValues[i], keysAndValues[i + 1]);
    }
    return node;
  }
}

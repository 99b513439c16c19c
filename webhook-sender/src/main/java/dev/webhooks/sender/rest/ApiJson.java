package dev.webhooks.sender.rest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.event.EventType;
import dev.webhooks.core.subscription.Subscription;
import dev.webhooks.sender.Page;
import dev.webhooks.sender.store.AttemptRecord;
import dev.webhooks.sender.store.DeliveryRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The management API's JSON: strict reading of request bodies (an object, no duplicate keys, no
 * trailing data, at most 16 levels deep, every field of the expected type, no unknown field) and
 * the snake_case shapes of webhooks, deliveries, attempts, event types and errors.
 */
final class ApiJson {
  static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private ApiJson() {}

  // ---- reading

  /** The request body as a JSON object whose fields are all among {@code allowed}. */
  static ObjectNode object(byte[] body, Set<String> allowed) {
    if (body.length == 0) {
      throw invalid(null, "the request body is empty; a JSON object is expected");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw invalid(null, "the request body is not valid JSON" + where(e));
    } catch (IOException e) {
      throw invalid(null, "the request body could not be read");
    }
    if (node == null || !node.isObject()) {
      throw invalid(null, "the request body must be a JSON object");
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw invalid(name, "unknown field; the fields are " + String.join(", ", allowed.stream().sorted().toList()));
      }
    }
    return (ObjectNode) node;
  }

  private static String where(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ", column "
        + e.getLocation().getColumnNr() + ")";
  }

  /** A string field: empty when absent; JSON {@code null} refused unless {@code nullable} (then ""). */
  static Optional<String> string(ObjectNode o, String field, boolean nullable) {
    JsonNode n = o.get(field);
    if (n == null) {
      return Optional.empty();
    }
    if (n.isNull() && nullable) {
      return Optional.of("");
    }
    if (!n.isTextual()) {
      throw invalid(field, field + " must be a string");
    }
    return Optional.of(n.textValue());
  }

  static Optional<Boolean> bool(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null) {
      return Optional.empty();
    }
    if (!n.isBoolean()) {
      throw invalid(field, field + " must be true or false");
    }
    return Optional.of(n.booleanValue());
  }

  static Optional<Long> integer(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null) {
      return Optional.empty();
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong()) {
      throw invalid(field, field + " must be a whole number");
    }
    return Optional.of(n.longValue());
  }

  static Optional<List<String>> strings(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null) {
      return Optional.empty();
    }
    if (!n.isArray()) {
      throw invalid(field, field + " must be an array of strings");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : n) {
      if (!item.isTextual()) {
        throw invalid(field, field + " must be an array of strings");
      }
      out.add(item.textValue());
    }
    return Optional.of(out);
  }

  static Optional<Map<String, String>> stringMap(ObjectNode o, String field) {
    JsonNode n = o.get(field);
    if (n == null) {
      return Optional.empty();
    }
    if (!n.isObject()) {
      throw invalid(field, field + " must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : n.properties()) {
      if (!e.getValue().isTextual()) {
        throw invalid(field, field + " must be an object of strings");
      }
      out.put(e.getKey(), e.getValue().textValue());
    }
    return Optional.of(out);
  }

  static ApiException invalid(String field, String message) {
    return new ApiException(400, ErrorCode.INVALID_JSON.code(), field, message);
  }

  // ---- writing

  static ObjectNode webhook(Subscription s, String secret) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", s.id().toString());
    o.put("url", s.url().toString());
    ArrayNode events = o.putArray("events");
    s.events().forEach(events::add);
    o.put("description", s.description());
    o.put("enabled", s.enabled());
    o.put("disabled_reason", s.disabledReason().map(r -> r.name().toLowerCase(Locale.ROOT)).orElse(null));
    ObjectNode headers = o.putObject("headers");
    s.headers().forEach(headers::put);
    ObjectNode metadata = o.putObject("metadata");
    s.metadata().forEach(metadata::put);
    o.put("created_at", s.createdAt().toString());
    o.put("updated_at", s.updatedAt().toString());
    o.put("secret_last_rotated_at", s.secretLastRotatedAt().toString());
    o.put("last_delivered_at", s.lastDeliveredAt().map(Instant::toString).orElse(null));
    if (secret != null) {
      o.put("secret", secret);
    }
    return o;
  }

  static ObjectNode delivery(DeliveryRecord d, List<AttemptRecord> attempts) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("id", d.id().toString());
    o.put("webhook_id", d.subscriptionId().toString());
    o.put("event", d.eventType());
    o.put("event_id", d.eventId());
    o.put("status", d.status().wireName());
    if (d.lastHttpStatus().isPresent()) {
      o.put("http_status", d.lastHttpStatus().get());
    } else {
      o.putNull("http_status");
    }
    o.put("attempt_count", d.attemptCount());
    o.put("created_at", d.createdAt().toString());
    o.put("delivered_at", d.deliveredAt().map(Instant::toString).orElse(null));
    o.put("next_attempt_at", d.nextAttemptAt().map(Instant::toString).orElse(null));
    o.put("last_error", d.lastError().orElse(null));
    if (attempts != null) {
      ArrayNode a = o.putArray("attempts");
      for (AttemptRecord r : attempts) {
        ObjectNode n = a.addObject();
        n.put("number", r.number());
        n.put("started_at", r.startedAt().toString());
        n.put("duration_ms", r.duration().toMillis());
        if (r.httpStatus() > 0) {
          n.put("http_status", r.httpStatus());
        } else {
          n.putNull("http_status");
        }
        n.put("response_excerpt", r.responseExcerpt());
        n.put("error", r.error().orElse(null));
      }
    }
    return o;
  }

  static ObjectNode eventType(EventType t) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", t.name());
    o.put("description", t.description());
    o.put("state", t.state().name().toLowerCase(Locale.ROOT));
    o.set("example", t.examplePayload());
    return o;
  }

  static <T> ObjectNode page(Page<T> page, Function<T, JsonNode> render) {
    ObjectNode o = MAPPER.createObjectNode();
    ArrayNode data = o.putArray("data");
    page.items().forEach(item -> data.add(render.apply(item)));
    o.put("page", page.request().page());
    o.put("per_page", page.request().perPage());
    o.put("has_more", page.hasMore());
    return o;
  }

  static ObjectNode list(List<JsonNode> items) {
    ObjectNode o = MAPPER.createObjectNode();
    o.putArray("data").addAll(items);
    return o;
  }

  static ObjectNode error(String code, String message, String field) {
    ObjectNode o = MAPPER.createObjectNode();
    ObjectNode e = o.putObject("error");
    e.put("code", code);
    e.put("message", message);
    e.put("field", field);
    return o;
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON", e);
    }
  }
}

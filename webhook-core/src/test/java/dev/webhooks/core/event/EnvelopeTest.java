package dev.webhooks.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
  static final ObjectMapper MAPPER = new ObjectMapper();
  static final Instant AT = Instant.parse("2026-05-02T12:00:00.123456Z");

  static JsonNode data() throws Exception {
    return MAPPER.readTree("{\"email\":\"a@example.com\",\"n\":[1,2]}");
  }

  @Test
  void toJson_fieldsInOrder_timestampToTheMillisecond() throws Exception {
    Envelope e = Envelope.of("msg_1", "lookup.completed", AT, data());
    assertEquals("{\"id\":\"msg_1\",\"type\":\"lookup.completed\",\"timestamp\":\"2026-05-02T12:00:00.123Z\","
        + "\"data\":{\"email\":\"a@example.com\",\"n\":[1,2]}}", new String(e.toJson(), StandardCharsets.UTF_8));
  }

  @Test
  void asTest_addsTestTrue_andParseRoundTrips() throws Exception {
    Envelope e = Envelope.of("msg_1", "lookup.completed", AT, data()).asTest();
    assertTrue(new String(e.toJson(), StandardCharsets.UTF_8).endsWith(",\"test\":true}"));
    Envelope back = Envelope.parse(e.toJson());
    assertTrue(back.isTest());
    assertEquals("msg_1", back.id());
    assertEquals("lookup.completed", back.type());
    assertEquals(Instant.parse("2026-05-02T12:00:00.123Z"), back.timestamp());
    assertEquals(data(), back.data());
  }

  @Test
  void data_isCopiedInAndOut() throws Exception {
    ObjectNode d = (ObjectNode) data();
    Envelope e = Envelope.of("msg_1", "lookup.completed", AT, d);
    d.put("email", "changed");
    ((ObjectNode) e.data()).put("email", "changed too");
    assertEquals("a@example.com", e.data().get("email").asText());
  }

  @Test
  void json_sameBytesAsOfThenToJson_andTheSameRefusals() throws Exception {
    JsonNode d = data();
    assertEquals(new String(Envelope.of("msg_1", "lookup.completed", AT, d).toJson(), StandardCharsets.UTF_8),
        new String(Envelope.json("msg_1", "lookup.completed", AT, d), StandardCharsets.UTF_8));
    assertEquals(data(), d); // read, not changed
    assertEquals(ErrorCode.INVALID_EVENTS, assertThrows(WebhookValidationException.class,
        () -> Envelope.json("msg_1", "Lookup Completed", AT, d)).code());
    assertThrows(IllegalArgumentException.class, () -> Envelope.json("", "lookup.completed", AT, d));
    assertThrows(NullPointerException.class, () -> Envelope.json("msg_1", "lookup.completed", AT, null));
    assertThrows(NullPointerException.class, () -> Envelope.json("msg_1", "lookup.completed", null, d));
  }

  @Test
  void of_invalidType_invalidEvents() {
    WebhookValidationException ex = assertThrows(WebhookValidationException.class,
        () -> Envelope.of("msg_1", "Lookup Completed", AT, data()));
    assertEquals(ErrorCode.INVALID_EVENTS, ex.code());
  }

  @Test
  void parse_malformed_invalidJsonWithField() {
    String[][] cases = {
        {"not json", null},
        {"[1]", null},
        {"{\"type\":\"a.b\",\"timestamp\":\"2026-05-02T12:00:00Z\",\"data\":{}}", "id"},
        {"{\"id\":\"m\",\"type\":\"a.b\",\"timestamp\":\"yesterday\",\"data\":{}}", "timestamp"},
        {"{\"id\":\"m\",\"type\":\"a.b\",\"timestamp\":\"2026-05-02T12:00:00Z\"}", "data"},
        {"{\"id\":1,\"type\":\"a.b\",\"timestamp\":\"2026-05-02T12:00:00Z\",\"data\":{}}", "id"},
    };
    for (String[] c : cases) {
      WebhookValidationException ex = assertThrows(WebhookValidationException.class,
          () -> Envelope.parse(c[0].getBytes(StandardCharsets.UTF_8)), c[0]);
      assertEquals(ErrorCode.INVALID_JSON, ex.code(), c[0]);
      assertEquals(c[1], ex.field().orElse(null), c[0]);
    }
  }

  @Test
  void newId_prefixedUniqueAndTimeOrdered() {
    Clock early = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    Clock late = Clock.fixed(Instant.parse("2026-01-01T00:00:01Z"), ZoneOffset.UTC);
    String a = Envelope.newId(early);
    String b = Envelope.newId(early);
    String c = Envelope.newId(late);
    assertTrue(a.matches("msg_[0-9A-HJKMNP-TV-Z]{26}"), a);
    assertNotEquals(a, b);
    assertEquals(a.substring(0, 14), b.substring(0, 14));
    assertTrue(a.compareTo(c) < 0 && b.compareTo(c) < 0);
  }

  @Test
  void toString_neverShowsThePayload() throws Exception {
    assertFalse(Envelope.of("msg_1", "lookup.completed", AT, data()).toString().contains("a@example.com"));
  }
}

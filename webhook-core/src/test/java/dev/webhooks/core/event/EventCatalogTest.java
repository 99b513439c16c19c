package dev.webhooks.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventCatalogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The seeds' taxonomies: Encrata, Enfinitos (with its declared-only kinds), EnaFeedback. */
  static final EventCatalog CATALOG =
      EventCatalog.builder()
          .event("lookup.completed", "An email lookup finished.", json("{\"email\":\"a@b.c\"}"))
          .event("monitor.run.completed", "A monitor run found changes.", null)
          .event("apikey.created", "An API key was created.", null)
          .event("apikey.revoked", "An API key was revoked.", null)
          .event("credits.low", "Credits dropped below the threshold.", null)
          .event("right.issued", "A right was issued.", null)
          .declared("right.expired", "A right expired.", null)
          .declared("proof_pack.sealed", "A proof pack was sealed.", null)
          .declared("key.issued", "A key was issued.", null)
          .declared("key.rotated", "A key was rotated.", null)
          .event("survey.response.created", "A survey response was submitted.", null)
          .event("feedback.ticket.created", "A feedback ticket was opened.", null)
          .build();

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void build_keepsDeclarationOrderAndStates() {
    assertEquals(12, CATALOG.size());
    assertEquals("lookup.completed", CATALOG.types().get(0).name());
    assertEquals("feedback.ticket.created", CATALOG.types().get(11).name());
    assertEquals(EventTypeState.ACTIVE, CATALOG.find("lookup.completed").orElseThrow().state());
    assertEquals(EventTypeState.DECLARED, CATALOG.find("proof_pack.sealed").orElseThrow().state());
    assertTrue(CATALOG.contains("key.rotated"));
    assertFalse(CATALOG.contains("key"));
    assertFalse(CATALOG.contains(null));
    assertEquals(Optional.empty(), CATALOG.find("nope"));
    assertEquals(Optional.empty(), CATALOG.find(null));
    assertThrows(UnsupportedOperationException.class, () -> CATALOG.types().remove(0));
  }

  @Test
  void build_duplicateName_throwsIllegalArgument() {
    EventCatalog.Builder builder = EventCatalog.builder().event("a.b", "", null);
    assertThrows(IllegalArgumentException.class, () -> builder.event("a.b", "again", null));
    assertThrows(IllegalArgumentException.class, () -> builder.declared("a.b", "again", null));
  }

  @Test
  void build_invalidName_throwsInvalidEvents() {
    WebhookValidationException e =
        assertThrows(
            WebhookValidationException.class,
            () -> EventCatalog.builder().event("Lookup.Completed", "", null));
    assertEquals(ErrorCode.INVALID_EVENTS, e.code());
    assertThrows(
        WebhookValidationException.class, () -> EventCatalog.builder().declared("a.*", "", null));
  }

  @Test
  void build_nullDescription_throwsNpe() {
    assertThrows(NullPointerException.class, () -> EventCatalog.builder().event("a", null, null));
  }

  @Test
  void build_empty_throwsIllegalState() {
    assertThrows(IllegalStateException.class, () -> EventCatalog.builder().build());
  }

  @Test
  void examplePayload_defaultsToEmptyObject() {
    JsonNode payload = CATALOG.find("credits.low").orElseThrow().examplePayload();
    assertTrue(payload.isObject());
    assertEquals(0, payload.size());
  }

  @Test
  void examplePayload_mutatingReturnedCopy_catalogUnchanged() {
    EventType type = CATALOG.find("lookup.completed").orElseThrow();
    ObjectNode copy = (ObjectNode) type.examplePayload();
    copy.put("email", "changed").put("extra", 1);
    assertEquals(json("{\"email\":\"a@b.c\"}"), type.examplePayload());
    assertNotSame(type.examplePayload(), type.examplePayload());
  }

  @Test
  void examplePayload_mutatingDeclaredNode_catalogUnchanged() {
    ObjectNode example = (ObjectNode) json("{\"nested\":{\"n\":1}}");
    EventCatalog catalog = EventCatalog.builder().event("a.b", "", example).build();
    ((ObjectNode) example.get("nested")).put("n", 2);
    assertEquals(json("{\"nested\":{\"n\":1}}"), catalog.find("a.b").orElseThrow().examplePayload());
  }

  @Test
  void toString_namesOnly_noPayload() {
    String text = CATALOG.find("lookup.completed").orElseThrow().toString();
    assertTrue(text.contains("lookup.completed"), text);
    assertFalse(text.contains("a@b.c"), text);
  }

  @Test
  void filters_declaredTypes_subscribable() {
    EventFilterSet set = CATALOG.filters(List.of("proof_pack.sealed", "key.*"));
    assertEquals(List.of("proof_pack.sealed", "key.*"), set.toWireForm());
    assertTrue(set.matches("key.rotated"));
  }

  @Test
  void filters_normalises_exactWireForm() {
    EventFilterSet set =
        CATALOG.filters(
            List.of(
                "survey.response.created",
                "lookup.completed",
                "survey.*",
                "lookup.completed",
                "apikey.revoked",
                "apikey.*"));
    assertEquals(List.of("lookup.completed", "survey.*", "apikey.*"), set.toWireForm());
    assertEquals(List.of("*"), CATALOG.filters(List.of("lookup.completed", "*")).toWireForm());
  }

  /** Filters as a '|'-separated list, the index at fault. */
  @ParameterizedTest
  @CsvSource({
    "lookup.complete,                              0",
    "lookup.completed|lookup.complete,             1",
    "lookup.completed|apikey.created|survey,       2",
    "lookup.completed|surveys.*,                   1",
    "survey.response.created.*,                    0",
    "lookup.completed.*,                           0",
    "lookup.completed|credits.*|credit.*,          2",
    "*|nope.never,                                 1",
    "lookup.completed|Lookup.completed,            1",
    "lookup.completed|survey*,                     1",
    "lookup.completed|apikey.created|a.*.b,        2",
    "'',                                           0",
  })
  void filters_unknownOrTypo_invalidEventsAtIndex(String filters, int index) {
    List<String> list = Arrays.asList(filters.split("\\|", -1));
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> CATALOG.filters(list));
    assertEquals(ErrorCode.INVALID_EVENTS, e.code());
    assertEquals(Optional.of("events[" + index + "]"), e.field());
  }

  @Test
  void filters_nullElement_invalidEventsAtIndex() {
    List<String> list = new ArrayList<>(List.of("lookup.completed", "apikey.created"));
    list.add(null);
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> CATALOG.filters(list));
    assertEquals(ErrorCode.INVALID_EVENTS, e.code());
    assertEquals(Optional.of("events[2]"), e.field());
  }

  @Test
  void filters_emptyOrNull_missingRequiredField() {
    for (List<String> filters : Arrays.asList(List.<String>of(), null)) {
      WebhookValidationException e =
          assertThrows(WebhookValidationException.class, () -> CATALOG.filters(filters));
      assertEquals(ErrorCode.MISSING_REQUIRED_FIELD, e.code());
      assertEquals(Optional.of("events"), e.field());
    }
  }

  @Test
  void filters_unknownName_messageNamesIt() {
    WebhookValidationException e =
        assertThrows(
            WebhookValidationException.class, () -> CATALOG.filters(List.of("lookup.complete")));
    assertTrue(e.getMessage().contains("\"lookup.complete\""), e.getMessage());
  }

  @Test
  void filters_prefixOfOneSegmentAndOfTwo_accepted() {
    assertEquals(
        List.of("survey.response.*", "monitor.*"),
        CATALOG.filters(List.of("survey.response.*", "monitor.*")).toWireForm());
  }
}

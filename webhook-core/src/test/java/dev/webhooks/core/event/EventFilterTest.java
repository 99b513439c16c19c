package dev.webhooks.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EventFilterTest {

  @ParameterizedTest
  @CsvSource({
    "*,                          ALL,    *",
    "lookup.completed,           EXACT,  lookup.completed",
    "survey.response.created,    EXACT,  survey.response.created",
    "proof_pack.sealed,          EXACT,  proof_pack.sealed",
    "survey.*,                   PREFIX, survey",
    "survey.response.*,          PREFIX, survey.response",
    "key.*,                      PREFIX, key",
    "a,                          EXACT,  a",
  })
  void parse_wellFormed_kindAndValue(String text, EventFilter.Kind kind, String value) {
    EventFilter filter = EventFilter.parse(text);
    assertEquals(kind, filter.kind());
    assertEquals(value, filter.value());
    assertEquals(text, filter.toString());
  }

  @Test
  void parse_star_isTheAllConstant() {
    assertSame(EventFilter.ALL, EventFilter.parse("*"));
    assertEquals("*", EventFilter.ALL.value());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "survey*",
        "*.created",
        "a.*.b",
        "*.*",
        "a.**",
        "**",
        ".*",
        "..*",
        "a..*",
        "SURVEY.*",
        "Survey.created",
        "survey.*.",
        "survey.",
        " survey.*",
        "survey.* ",
        "survey-response.*",
        "survey.response.created,lookup.completed",
        "\u00e9v\u00e9nement.*",
      })
  void parse_malformed_refusedWithInvalidEvents(String text) {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> EventFilter.parse(text));
    assertEquals(ErrorCode.INVALID_EVENTS, e.code());
    assertEquals(Optional.of("events"), e.field());
  }

  @Test
  void parse_midWildcard_refused() {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> EventFilter.parse("a.*.b"));
    assertTrue(e.getMessage().contains("misplaced wildcard"), e.getMessage());
  }

  @Test
  void parse_null_refusedWithInvalidEvents() {
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> EventFilter.parse(null));
    assertEquals(ErrorCode.INVALID_EVENTS, e.code());
  }

  @Test
  void parse_prefixUpTo128Characters_accepted_129Refused() {
    String prefix126 = "p".repeat(126);
    assertEquals(EventFilter.Kind.PREFIX, EventFilter.parse(prefix126 + ".*").kind());
    assertThrows(WebhookValidationException.class, () -> EventFilter.parse(prefix126 + "p.*"));
  }

  @Test
  void parse_hugeInput_messageBounded() {
    String text = "a".repeat(1_000_000) + ".*";
    WebhookValidationException e =
        assertThrows(WebhookValidationException.class, () -> EventFilter.parse(text));
    assertTrue(e.getMessage().length() < 300, e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "*,                 survey.response.created, true",
    "*,                 a,                       true",
    "survey.*,          survey.response.created, true",
    "survey.*,          survey.x,                true",
    "survey.*,          survey,                  false",
    "survey.*,          surveys.x,               false",
    "survey.*,          survey_x.y,              false",
    "survey.*,          xsurvey.y,               false",
    "survey.*,          survey.,                 false",
    "survey.response.*, survey.response.created, true",
    "survey.response.*, survey.response,         false",
    "survey.response.*, survey.responses.x,      false",
    "survey.response.*, survey.other.created,    false",
    "lookup.completed,  lookup.completed,        true",
    "lookup.completed,  lookup.completed.x,      false",
    "lookup.completed,  lookup,                  false",
    "lookup.completed,  lookup.complete,         false",
  })
  void matches_table(String filter, String eventType, boolean expected) {
    assertEquals(expected, EventFilter.parse(filter).matches(eventType), filter + " ~ " + eventType);
  }

  @Test
  void matches_null_throwsNpe() {
    assertThrows(NullPointerException.class, () -> EventFilter.ALL.matches(null));
  }

  @Test
  void equalsAndHashCode_byWireForm() {
    assertEquals(EventFilter.parse("survey.*"), EventFilter.parse("survey.*"));
    assertEquals(EventFilter.parse("survey.*").hashCode(), EventFilter.parse("survey.*").hashCode());
    assertNotEquals(EventFilter.parse("survey.*"), EventFilter.parse("survey.x"));
    assertNotEquals(EventFilter.parse("survey"), EventFilter.parse("survey.*"));
  }
}

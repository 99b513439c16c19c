package dev.webhooks.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EventFilterSetTest {

  static EventFilterSet set(String... filters) {
    List<EventFilter> parsed = new ArrayList<>();
    for (String filter : filters) {
      parsed.add(EventFilter.parse(filter));
    }
    return EventFilterSet.of(parsed);
  }

  /** Input and expected wire form, each as a '|'-separated list. */
  @ParameterizedTest
  @CsvSource({
    "lookup.completed,                                        lookup.completed",
    "lookup.completed|lookup.completed,                       lookup.completed",
    "lookup.completed|apikey.created|lookup.completed,        lookup.completed|apikey.created",
    "apikey.created|lookup.completed,                         apikey.created|lookup.completed",
    "lookup.completed|*|apikey.created,                       *",
    "*|*,                                                     *",
    "survey.*|*,                                              *",
    "survey.response.created|survey.*,                        survey.*",
    "survey.response.created|lookup.completed|survey.*,       lookup.completed|survey.*",
    "survey.response.*|survey.*|survey.response.created,      survey.*",
    "survey.response.*|survey.response.created|survey.x,      survey.response.*|survey.x",
    "survey|survey.*,                                         survey|survey.*",
    "surveys.x|survey.*,                                      surveys.x|survey.*",
    "survey.*|survey.*|key.*|key.rotated,                     survey.*|key.*",
    "right.issued|offer.*|right.*|offer.accepted|right.issued, offer.*|right.*",
  })
  void of_normalises_toExpectedWireForm(String input, String expected) {
    EventFilterSet set = set(input.split("\\|"));
    assertEquals(Arrays.asList(expected.split("\\|")), set.toWireForm());
    assertEquals(set.toWireForm().toString(), set.toString());
  }

  @Test
  void of_star_matchesAllAndAbsorbs() {
    EventFilterSet set = set("lookup.completed", "*", "survey.*");
    assertTrue(set.matchesAll());
    assertEquals(List.of(EventFilter.ALL), set.filters());
    assertTrue(set.matches("anything.at.all"));
    assertFalse(set("survey.*").matchesAll());
  }

  @Test
  void of_empty_throwsIllegalArgument() {
    assertThrows(IllegalArgumentException.class, () -> EventFilterSet.of(List.of()));
  }

  @Test
  void of_nullElement_throwsNpe() {
    List<EventFilter> filters = new ArrayList<>();
    filters.add(null);
    assertThrows(NullPointerException.class, () -> EventFilterSet.of(filters));
    assertThrows(NullPointerException.class, () -> EventFilterSet.of(null));
  }

  @Test
  void of_copiesInput_laterChangesIgnored() {
    List<EventFilter> filters = new ArrayList<>(List.of(EventFilter.parse("a.b")));
    EventFilterSet set = EventFilterSet.of(filters);
    filters.add(EventFilter.ALL);
    assertEquals(List.of("a.b"), set.toWireForm());
    assertThrows(UnsupportedOperationException.class, () -> set.filters().add(EventFilter.ALL));
    assertThrows(UnsupportedOperationException.class, () -> set.toWireForm().add("*"));
  }

  @ParameterizedTest
  @CsvSource({
    "lookup.completed|survey.*, survey.response.created, true",
    "lookup.completed|survey.*, lookup.completed,        true",
    "lookup.completed|survey.*, survey,                  false",
    "lookup.completed|survey.*, surveys.created,         false",
    "lookup.completed|survey.*, survey.,                 false",
    "lookup.completed|survey.*, lookup,                  false",
    "survey.response.*,         survey.response.x.y,     true",
    "survey.response.*,         survey.response,         false",
    "a.b.c,                     a.b,                     false",
    "a.*,                       a..b,                    true",
  })
  void matches_table(String filters, String eventType, boolean expected) {
    EventFilterSet set = set(filters.split("\\|"));
    assertEquals(expected, set.matches(eventType));
    boolean any = set.filters().stream().anyMatch(f -> f.matches(eventType));
    assertEquals(any, set.matches(eventType));
  }

  @Test
  void equals_ignoresOrderAndRedundancy() {
    assertEquals(set("a.b", "c.*"), set("c.*", "a.b", "c.d"));
    assertEquals(set("a.b", "c.*").hashCode(), set("c.*", "a.b", "c.d").hashCode());
    assertNotEquals(set("a.b"), set("a.*"));
  }
}

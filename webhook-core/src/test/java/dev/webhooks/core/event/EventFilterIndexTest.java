package dev.webhooks.core.event;

import static dev.webhooks.core.event.EventFilterSetTest.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventFilterIndexTest {
  private EventFilterIndex<String> index;

  @BeforeEach
  void setUp() {
    index = new EventFilterIndex<>();
    index.put("audit", set("*"));
    index.put("crm", set("survey.*", "lookup.completed"));
    index.put("responses", set("survey.response.*"));
    index.put("lookups", set("lookup.completed"));
    index.put("keys", set("key.rotated", "key.revoked"));
  }

  @Test
  void match_exactPrefixAndStarSubscribers() {
    assertEquals(Set.of("audit", "crm", "responses"), index.match("survey.response.created"));
    assertEquals(Set.of("audit", "crm"), index.match("survey.created"));
    assertEquals(Set.of("audit", "crm", "lookups"), index.match("lookup.completed"));
    assertEquals(Set.of("audit", "keys"), index.match("key.rotated"));
    assertEquals(Set.of("audit"), index.match("survey"));
    assertEquals(Set.of("audit"), index.match("surveys.x"));
    assertEquals(Set.of("audit"), index.match("survey."));
    assertEquals(5, index.size());
  }

  @Test
  void match_noSubscriber_empty() {
    index.remove("audit");
    assertEquals(Set.of(), index.match("credits.low"));
    assertEquals(Set.of(), new EventFilterIndex<String>().match("a"));
  }

  @Test
  void put_existingKey_replacesFilters() {
    index.put("crm", set("credits.low"));
    assertEquals(Set.of("audit", "responses"), index.match("survey.response.created"));
    assertEquals(Set.of("audit", "lookups"), index.match("lookup.completed"));
    assertEquals(Set.of("audit", "crm"), index.match("credits.low"));
    assertEquals(5, index.size());

    index.put("audit", set("credits.*"));
    assertEquals(Set.of("lookups"), index.match("lookup.completed"));
    assertEquals(Set.of("audit", "crm"), index.match("credits.low"));
  }

  @Test
  void put_sameFiltersAgain_idempotent() {
    index.put("crm", set("survey.*", "lookup.completed"));
    assertEquals(Set.of("audit", "crm"), index.match("survey.created"));
    assertEquals(5, index.size());
  }

  @Test
  void remove_dropsKeyEverywhere() {
    index.remove("crm");
    index.remove("audit");
    index.remove("absent");
    assertEquals(Set.of("responses"), index.match("survey.response.created"));
    assertEquals(Set.of(), index.match("survey.created"));
    assertEquals(Set.of("lookups"), index.match("lookup.completed"));
    assertEquals(3, index.size());
  }

  @Test
  void match_resultIsUnmodifiableSnapshot() {
    Set<String> matched = index.match("lookup.completed");
    assertThrows(UnsupportedOperationException.class, () -> matched.add("x"));
    index.remove("lookups");
    assertEquals(Set.of("audit", "crm", "lookups"), matched);
  }

  @Test
  void nullArguments_throwNpe() {
    assertThrows(NullPointerException.class, () -> index.put(null, set("a")));
    assertThrows(NullPointerException.class, () -> index.put("k", null));
    assertThrows(NullPointerException.class, () -> index.remove(null));
    assertThrows(NullPointerException.class, () -> index.match(null));
  }
}

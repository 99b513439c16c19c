package dev.webhooks.core.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webhooks.core.ErrorCode;
import dev.webhooks.core.WebhookValidationException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Random catalogs, random filter sets and random put/remove sequences, checked against brute
 * force. Names come from a tiny alphabet of segments so that prefixes, near-misses ("a" vs "ab")
 * and shared stems are frequent.
 */
class EventFilterIndexPropertyTest {

  /** Filters for one key, or null to remove that key. */
  record Op(int key, List<String> filters) {}

  record Scenario(List<String> catalogNames, List<Op> ops, List<String> probes) {
    /** Every event type the checks try: the catalog's and the random probes. */
    List<String> types() {
      Set<String> types = new LinkedHashSet<>(catalogNames);
      types.addAll(probes);
      return List.copyOf(types);
    }
  }

  @Property(tries = 500)
  void index_matchEqualsBruteForce(@ForAll("scenarios") Scenario scenario) {
    EventFilterIndex<Integer> index = new EventFilterIndex<>();
    Map<Integer, EventFilterSet> model = new HashMap<>();
    for (Op op : scenario.ops()) {
      if (op.filters() == null) {
        index.remove(op.key());
        model.remove(op.key());
      } else {
        EventFilterSet set = parse(op.filters());
        index.put(op.key(), set);
        model.put(op.key(), set);
      }
      for (String type : scenario.types()) {
        Set<Integer> expected = new HashSet<>();
        model.forEach(
            (key, set) -> {
              if (set.matches(type)) {
                expected.add(key);
              }
            });
        assertEquals(expected, index.match(type), () -> "type " + type + ", model " + model);
      }
      assertEquals(model.size(), index.size());
    }
  }

  @Property(tries = 500)
  void filterSet_matchesEqualsAnyFilterMatches(@ForAll("scenarios") Scenario scenario) {
    for (Op op : scenario.ops()) {
      if (op.filters() == null) {
        continue;
      }
      List<EventFilter> raw = new ArrayList<>();
      for (String text : op.filters()) {
        raw.add(EventFilter.parse(text));
      }
      EventFilterSet set = EventFilterSet.of(raw);
      for (String type : scenario.types()) {
        boolean any = raw.stream().anyMatch(f -> f.matches(type));
        assertEquals(any, set.matches(type), () -> raw + " ~ " + type);
        assertEquals(
            any, set.filters().stream().anyMatch(f -> f.matches(type)), () -> set + " ~ " + type);
      }
      assertEquals(set, parse(set.toWireForm()), "normalisation is idempotent");
    }
  }

  @Property(tries = 500)
  void catalogFilters_acceptExactlyWhatNamesTheCatalog(@ForAll("scenarios") Scenario scenario) {
    EventCatalog.Builder builder = EventCatalog.builder();
    for (int i = 0; i < scenario.catalogNames().size(); i++) {
      String name = scenario.catalogNames().get(i);
      if (i % 3 == 2) {
        builder.declared(name, "declared " + i, null);
      } else {
        builder.event(name, "active " + i, null);
      }
    }
    EventCatalog catalog = builder.build();
    for (Op op : scenario.ops()) {
      if (op.filters() == null) {
        continue;
      }
      int firstBad = -1;
      for (int i = 0; i < op.filters().size() && firstBad < 0; i++) {
        EventFilter filter = EventFilter.parse(op.filters().get(i));
        boolean known =
            catalog.types().stream().anyMatch(t -> filter.matches(t.name()))
                && (filter.kind() != EventFilter.Kind.EXACT || catalog.contains(filter.value()));
        if (!known) {
          firstBad = i;
        }
      }
      try {
        EventFilterSet set = catalog.filters(op.filters());
        assertEquals(-1, firstBad, () -> "accepted " + op.filters());
        assertEquals(parse(op.filters()).toWireForm(), set.toWireForm());
      } catch (WebhookValidationException e) {
        assertEquals(ErrorCode.INVALID_EVENTS, e.code());
        assertEquals("events[" + firstBad + "]", e.field().orElseThrow());
      }
    }
  }

  private static EventFilterSet parse(List<String> filters) {
    List<EventFilter> parsed = new ArrayList<>();
    for (String text : filters) {
      parsed.add(EventFilter.parse(text));
    }
    return EventFilterSet.of(parsed);
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    Arbitrary<String> names = names();
    return names
        .set()
        .ofMinSize(1)
        .ofMaxSize(10)
        .flatMap(
            catalog -> {
              List<String> catalogNames = List.copyOf(catalog);
              Arbitrary<String> catalogName = Arbitraries.of(catalogNames);
              Arbitrary<String> filter =
                  Arbitraries.frequencyOf(
                      List.of(
                          Tuple.of(1, Arbitraries.just("*")),
                          Tuple.of(4, catalogName),
                          Tuple.of(4, catalogName.flatMap(EventFilterIndexPropertyTest::prefixOf)),
                          Tuple.of(2, names),
                          Tuple.of(2, names.map(n -> n + ".*"))));
              Arbitrary<Op> op =
                  Combinators.combine(
                          Arbitraries.integers().between(0, 7),
                          filter.list().ofMinSize(1).ofMaxSize(5).injectNull(0.2))
                      .as(Op::new);
              Arbitrary<String> probe =
                  Arbitraries.frequencyOf(
                      List.of(
                          Tuple.of(3, names),
                          Tuple.of(1, Arbitraries.strings().withChars("ab._").ofMaxLength(7))));
              return Combinators.combine(op.list().ofMaxSize(20), probe.list().ofMaxSize(6))
                  .as((ops, probes) -> new Scenario(catalogNames, ops, probes));
            });
  }

  private static Arbitrary<String> names() {
    return Arbitraries.of("a", "b", "ab", "a_b", "0")
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .map(segments -> String.join(".", segments));
  }

  /** A prefix filter made of the first 1..n segments of {@code name}: "a.*", "a.b.*", …. */
  private static Arbitrary<String> prefixOf(String name) {
    List<String> segments = Arrays.asList(name.split("\\."));
    return Arbitraries.integers()
        .between(1, segments.size())
        .map(k -> String.join(".", segments.subList(0, k)) + ".*");
  }
}

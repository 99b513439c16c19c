package dev.webhooks.core.event;

import static dev.webhooks.core.event.EventFilterSetTest.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class EventFilterIndexConcurrencyTest {
  private static final int WRITERS = 3;
  private static final int READERS = 2;
  private static final int ROUNDS = 20_000;
  private static final int KEYS_PER_WRITER = 16;
  private static final List<String> TYPES =
      List.of("survey.response.created", "survey.created", "lookup.completed", "credits.low");
  private static final List<EventFilterSet> SETS =
      List.of(
          set("survey.*"),
          set("survey.response.created", "lookup.completed"),
          set("*"),
          set("credits.low"),
          set("survey.response.*", "credits.*"));

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void concurrentPutRemoveMatch_consistentFinalState() throws Exception {
    EventFilterIndex<String> index = new EventFilterIndex<>();
    index.put("always", set("*"));
    index.put("flip", set("survey.*"));
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS + 1);
    CountDownLatch start = new CountDownLatch(1);
    AtomicBoolean writersDone = new AtomicBoolean();
    try {
      List<Future<Map<String, EventFilterSet>>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        writers.add(pool.submit(writer(index, start, w)));
      }
      // Flips "flip" between two sets that both match survey.response.created: a reader must see
      // it in every answer for that type, which a remove-then-add replacement would break.
      Future<EventFilterSet> flipper =
          pool.submit(
              () -> {
                start.await();
                EventFilterSet last = null;
                for (int i = 0; i < ROUNDS; i++) {
                  last = i % 2 == 0 ? set("survey.response.created") : set("survey.*");
                  index.put("flip", last);
                }
                return last;
              });
      List<Future<Integer>> readers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        readers.add(
            pool.submit(
                () -> {
                  start.await();
                  int matches = 0;
                  // Bounded even if a writer hangs; normally ends when the writers are done.
                  for (int i = 0; i < 50 * ROUNDS && !writersDone.get(); i++) {
                    Set<String> created = index.match("survey.response.created");
                    assertTrue(created.contains("always"), "always");
                    assertTrue(created.contains("flip"), "flip lost during replacement");
                    Set<String> lookups = index.match("lookup.completed");
                    assertFalse(lookups.contains("flip"), "flip never matches lookup.completed");
                    matches += 2;
                  }
                  return matches;
                }));
      }
      start.countDown();

      Map<String, EventFilterSet> expected = new HashMap<>();
      for (Future<Map<String, EventFilterSet>> writer : writers) {
        expected.putAll(writer.get(50, TimeUnit.SECONDS));
      }
      expected.put("flip", flipper.get(50, TimeUnit.SECONDS));
      writersDone.set(true);
      for (Future<Integer> reader : readers) {
        assertTrue(reader.get(50, TimeUnit.SECONDS) > 0);
      }
      expected.put("always", set("*"));

      assertEquals(expected.size(), index.size());
      for (String type : TYPES) {
        Set<String> want = new HashSet<>();
        expected.forEach(
            (key, filters) -> {
              if (filters.matches(type)) {
                want.add(key);
              }
            });
        assertEquals(want, index.match(type), type);
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
    }
  }

  /** Random puts and removes on keys of its own; returns the state it left them in. */
  private static Callable<Map<String, EventFilterSet>> writer(
      EventFilterIndex<String> index, CountDownLatch start, int id) {
    return () -> {
      start.await();
      Random random = new Random(id);
      Map<String, EventFilterSet> state = new HashMap<>();
      for (int i = 0; i < ROUNDS; i++) {
        String key = "w" + id + "-" + random.nextInt(KEYS_PER_WRITER);
        if (random.nextInt(4) == 0) {
          index.remove(key);
          state.remove(key);
        } else {
          EventFilterSet filters = SETS.get(random.nextInt(SETS.size()));
          index.put(key, filters);
          state.put(key, filters);
        }
        index.match(TYPES.get(i % TYPES.size()));
      }
      return state;
    };
  }
}

package dev.webhooks.verifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryReplayGuardTest {
  static final Instant T0 = Instant.parse("2026-05-02T12:00:00Z");

  @Test
  void markSeen_secondTimeWithinWindow_false_afterExpiry_true() {
    InMemoryReplayGuard g = new InMemoryReplayGuard(10);
    assertTrue(g.markSeen("a", T0.plusSeconds(300), T0));
    assertFalse(g.markSeen("a", T0.plusSeconds(400), T0.plusSeconds(100)));
    assertTrue(g.markSeen("a", T0.plusSeconds(700), T0.plusSeconds(300)));
  }

  @Test
  void forget_allowsAgain() {
    InMemoryReplayGuard g = new InMemoryReplayGuard(10);
    g.markSeen("a", T0.plusSeconds(300), T0);
    g.forget("a");
    assertTrue(g.markSeen("a", T0.plusSeconds(300), T0));
  }

  @Test
  void size_sweptOfExpiredRecords_asItGrows() {
    InMemoryReplayGuard g = new InMemoryReplayGuard(1_000_000);
    for (int i = 0; i < 5_000; i++) {
      Instant now = T0.plusSeconds(i);
      assertTrue(g.markSeen("k" + i, now.plusSeconds(10), now));
    }
    assertTrue(g.size() < 2_100, "size " + g.size());
  }

  @Test
  void overCapacity_dropsRecordsNearestExpiryFirst() {
    InMemoryReplayGuard g = new InMemoryReplayGuard(100);
    for (int i = 0; i < 101; i++) {
      g.markSeen("k" + i, T0.plusSeconds(1000 + i), T0);
    }
    assertTrue(g.size() <= 100, "size " + g.size());
    assertFalse(g.markSeen("k100", T0.plusSeconds(5000), T0)); // the latest-expiring are kept
    assertTrue(g.markSeen("k0", T0.plusSeconds(5000), T0));   // the earliest was dropped
  }

  @Test
  void concurrentMarks_exactlyOneWinnerPerKey() throws Exception {
    InMemoryReplayGuard g = new InMemoryReplayGuard(100_000);
    AtomicInteger winners = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        futures.add(pool.submit(() -> {
          for (int i = 0; i < 2_000; i++) {
            if (g.markSeen("k" + i, T0.plusSeconds(300), T0)) {
              winners.incrementAndGet();
            }
          }
        }));
      }
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(2_000, winners.get());
  }

  @Test
  void inMemory_capacityMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> ReplayGuard.inMemory(0));
  }
}
